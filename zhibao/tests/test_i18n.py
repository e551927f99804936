"""Chinese first: the zh_Hans catalogue is complete and its compiled .mo is current."""

import gettext

import polib
from django.conf import settings
from django.test import Client
from django.utils import translation

PO = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def test_po_has_no_untranslated_or_fuzzy_entries():
    po = polib.pofile(str(PO))
    missing = [e.msgid for e in po.untranslated_entries()] + [e.msgid for e in po.fuzzy_entries()]
    assert not missing, f"{len(missing)} strings lack a Chinese translation, e.g. {missing[:5]}"


def test_compiled_catalogue_matches_the_po_file():
    po = polib.pofile(str(PO))
    with MO.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    def compiled(entry):
        return mo.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else mo.gettext(entry.msgid)

    stale = [e.msgid for e in po.translated_entries() if not e.msgid_plural and compiled(e) != e.msgstr]
    assert not stale, f"run `make messages`: {len(stale)} entries differ in the .mo, e.g. {stale[:3]}"


def test_service_names_and_states_are_shown_in_chinese():
    from zhibao.core.registry import registry

    with translation.override("zh-hans"):
        spec = registry.get("ORG")
        assert str(spec.name) == "创新主体核验"
        assert spec.status_label("verified") == "已核验"


def test_the_home_page_speaks_chinese(db):
    html = Client().get("/").content.decode()
    assert "服务" in html and "登录" in html

"""The IPC scheme: loading it, its selectors, the browser pages and the API."""

import csv
import importlib
import io
import json
import random
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from zhibao.conftest import login
from zhibao.patents.choices import IpcLevel
from zhibao.patents.ipc import (
    clean_title,
    highlight,
    ipc_children,
    ipc_load,
    ipc_lookup,
    ipc_path,
    ipc_search,
    ipc_sort_key,
    ipc_titles,
)
from zhibao.patents.models import IpcCode
from zhibao.patents.normalize import parse_ipc

DATA = Path(settings.BASE_DIR).parent / "shared" / "data" / "ipc"
SCHEME = DATA / "ipc_2026_01_zh.csv"
NOTES = DATA / "ipc_2026_01_zh_notes.jsonl"
needs_data = pytest.mark.skipif(not SCHEME.is_file(), reason=f"the IPC scheme file {SCHEME} is absent")

# A slice of the scheme in the file's layout, with the PDF's stray spaces.
SAMPLE = [
    ("H", "section", "电学", ""),
    ("H01", "class", "基本电气元件", "H"),
    ("H01F", "subclass", "磁体；电感；变压器；磁性材料的选择", "H01"),
    ("H01F1/00", "main_group", "按所用磁性材料区分的磁体或磁性物体；磁性材料的选择", "H01F"),
    ("H01F1/01", "subgroup", "无机材料的", "H01F1/00"),
    ("H01F1/057", "subgroup", "和IIIa族元素，例如Nd2Fe14B 的稀土 永磁材料", "H01F1/00"),
    ("H01F1/06", "subgroup", "粉末形态的", "H01F1/00"),
    ("H01F10/00", "main_group", "薄磁膜，例如单畴结构的", "H01F"),
    ("H01M", "subclass", "用于直接转变化学能为电能的方法或装置，例如电池组", "H01"),
    ("A", "section", "人类生活必需", ""),
    ("A01", "class", "农业；林业；畜牧业", "A"),
]
SAMPLE_NOTES = [{"code": "H01F", "level": "subclass", "notes_zh": "附注\n本小类包括磁性材料"}]


def write_sample(tmp_path, rows=SAMPLE, notes=SAMPLE_NOTES):
    scheme = tmp_path / "ipc_2026_01_zh.csv"
    with open(scheme, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["code", "level", "title_zh", "parent"])
        writer.writerows(rows)
    notes_path = tmp_path / "ipc_2026_01_zh_notes.jsonl"
    notes_path.write_text("".join(json.dumps(n, ensure_ascii=False) + "\n" for n in notes), encoding="utf-8")
    return scheme, notes_path


@pytest.fixture
def scheme(db, tmp_path):
    path, notes = write_sample(tmp_path)
    ipc_load(path=path, notes_path=notes, edition="2026.01")
    return path


# --- Pure helpers -------------------------------------------------------------------------------


def test_sort_key_orders_groups_numerically_and_subgroups_as_decimals():
    codes = ["H01F10/00", "H01F1/06", "H01F1/057", "H01F1/00", "H01F", "H01F1/01", "H01F2/00", "H01"]
    assert sorted(codes, key=ipc_sort_key) == ["H01", "H01F", "H01F1/00", "H01F1/01", "H01F1/057", "H01F1/06",
                                                "H01F2/00", "H01F10/00"]


def test_clean_title_removes_spaces_between_cjk_characters_only():
    assert clean_title("处理草地或草坪用的 犁") == "处理草地或草坪用的犁"
    assert clean_title("可变换成整 地设备（用于 播种、种植） ") == "可变换成整地设备（用于播种、种植）"
    assert clean_title("例如Nd2Fe14B 的稀土") == "例如Nd2Fe14B 的稀土"
    assert clean_title("入A01G 27/00") == "入A01G 27/00"


def test_highlight_escapes_and_marks():
    assert str(highlight("稀土<永磁>永磁", ["永磁"])) == "稀土&lt;<mark>永磁</mark>&gt;<mark>永磁</mark>"


# --- Loading ------------------------------------------------------------------------------------


def test_load_sample_is_idempotent_and_updates_titles(scheme, tmp_path):
    assert IpcCode.objects.count() == len(SAMPLE)
    node = IpcCode.objects.get(code="H01F1/057")
    assert node.title == "和IIIa族元素，例如Nd2Fe14B 的稀土永磁材料"
    assert node.parent_id == "H01F1/00" and node.level == IpcLevel.SUBGROUP and node.edition == "2026.01"
    assert IpcCode.objects.get(code="H01F").notes.startswith("附注")

    changed = [row if row[0] != "H01" else ("H01", "class", "基本电气元件（新）", "H") for row in SAMPLE[:-1]]
    path, notes = write_sample(tmp_path, changed)
    result = ipc_load(path=path, notes_path=notes)
    assert (result.created, result.updated, result.deleted) == (0, 1, 0)
    assert IpcCode.objects.get(code="H01").title == "基本电气元件（新）"
    assert IpcCode.objects.filter(code="A01").exists()  # not in the file, kept without --replace

    result = ipc_load(path=path, notes_path=notes, replace=True)
    assert result.deleted == 1 and not IpcCode.objects.filter(code="A01").exists()


def test_a_missing_parent_hangs_from_the_nearest_ancestor(db, tmp_path):
    rows = [("H", "section", "电学", ""), ("H01", "class", "基本电气元件", "H"),
            ("H01F1/00", "main_group", "磁体", "H01F"), ("H01F1/02", "subgroup", "x", "")]
    path, notes = write_sample(tmp_path, rows, [])
    result = ipc_load(path=path, notes_path=notes)
    assert IpcCode.objects.get(code="H01F1/00").parent_id == "H01"
    assert IpcCode.objects.get(code="H01F1/02").parent_id == "H01F1/00"
    assert any("H01F1/00" in w for w in result.warnings)


def test_command_output_and_missing_default(db, tmp_path, monkeypatch):
    path, notes = write_sample(tmp_path)
    out = io.StringIO()
    call_command("load-ipc", str(path), "--notes", str(notes), stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "11 created" in text and "11 IPC codes loaded (edition 2026.01)" in text
    assert text.count(": 2") == 4 and text.count(": 3") == 1  # two of each level but the subgroups

    monkeypatch.setattr(settings, "BASE_DIR", tmp_path / "nowhere" / "main")
    with pytest.raises(CommandError, match="absent"):
        call_command("load-ipc", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no such file"):
        call_command("load-ipc", str(tmp_path / "missing.csv"), stdout=io.StringIO())


@needs_data
@pytest.mark.django_db
def test_the_real_scheme_loads_every_symbol():
    """The whole CNIPA Chinese scheme: 77,249 symbols with the counts per level (one load)."""
    assert importlib.import_module("zhibao.patents.management.commands.load-ipc").default_scheme_path() == SCHEME
    out = io.StringIO()
    call_command("load-ipc", stdout=out, stderr=io.StringIO())  # the default path, its notes beside it
    counts = dict(IpcCode.objects.values_list("level").annotate(n=Count("code")))
    assert counts == {"section": 8, "class": 131, "subclass": 643, "main_group": 7476, "subgroup": 68991}
    assert IpcCode.objects.count() == 77_249
    assert "77249 IPC codes loaded" in out.getvalue()
    # Titles lost the PDF's line-break spaces; notes came in; the tree is whole.
    assert IpcCode.objects.get(code="A01B1/24").title == "处理草地或草坪用的犁"
    assert IpcCode.objects.exclude(notes="").count() == 752
    assert not IpcCode.objects.exclude(level="section").filter(parent__isnull=True).exists()
    # In the real titles 永磁 ("permanent magnet") is in H01H, H02K …; H01F's titles say 磁体.
    assert "H02K21/22" in [c.code for c in ipc_search("永磁", 200)]
    assert any(c.code.startswith("H01F") for c in ipc_search("磁体", 200))
    assert [c.code for c in ipc_path("H01F1/057")] == ["H", "H01", "H01F", "H01F1/00"]
    # Re-running changes nothing.
    out = io.StringIO()
    call_command("load-ipc", str(SCHEME), "--notes", str(NOTES), stdout=out, stderr=io.StringIO())
    assert "0 created, 0 updated, 77249 unchanged" in out.getvalue()


@needs_data
def test_parse_ipc_agrees_with_the_file_on_a_sample():
    with open(SCHEME, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    sample = random.Random(2026).sample(rows, 3000)
    # Five rows of E01D101 are cut short in the file (E01D101/0 … /4); parse_ipc pads them.
    disagreements = [(r["code"], parse_ipc(r["code"]).code) for r in sample
                     if parse_ipc(r["code"]).code != r["code"] or parse_ipc(r["code"]).level != r["level"]]
    assert all(code.startswith("E01D101/") for code, _ in disagreements), disagreements
    everything = [r for r in rows if not r["code"].startswith("E01D101/")]
    assert all(parse_ipc(r["code"]).code == r["code"] for r in everything)


# --- Selectors ----------------------------------------------------------------------------------


def test_selectors(scheme, django_assert_num_queries):
    assert ipc_lookup("h01f 1/057").code == "H01F1/057"
    assert ipc_lookup("H01F1-057").code == "H01F1/057"
    assert ipc_lookup("Z99") is None and ipc_lookup("H01F9/00") is None
    with django_assert_num_queries(1):
        titles = ipc_titles(["H01F1/057", "H01F 1/06", "H01M", "H99Z", "junk", ""])
    assert titles == {"H01F1/057": "和IIIa族元素，例如Nd2Fe14B 的稀土永磁材料", "H01F 1/06": "粉末形态的",
                      "H01M": "用于直接转变化学能为电能的方法或装置，例如电池组"}
    assert [c.code for c in ipc_children(None)] == ["A", "H"]
    assert [c.code for c in ipc_children("H01")] == ["H01F", "H01M"]
    assert [c.code for c in ipc_children("H01F")] == ["H01F1/00", "H01F10/00"]
    assert [c.code for c in ipc_children("H01F1/00")] == ["H01F1/01", "H01F1/057", "H01F1/06"]
    with django_assert_num_queries(1):
        assert [c.code for c in ipc_path("H01F1/057")] == ["H", "H01", "H01F", "H01F1/00"]
    assert ipc_path("H") == []


def test_search_titles_with_all_words_and_code_prefixes(scheme):
    assert [c.code for c in ipc_search("永磁")] == ["H01F1/057"]
    assert [c.code for c in ipc_search("稀土 永磁")] == ["H01F1/057"]
    assert list(ipc_search("稀土 电池")) == []
    assert [c.code for c in ipc_search("h01f1/0")] == ["H01F1/00", "H01F1/01", "H01F1/057", "H01F1/06"]
    assert [c.code for c in ipc_search("H01F 粉末")] == ["H01F1/06"]
    assert list(ipc_search("  ")) == []


# --- Pages --------------------------------------------------------------------------------------


def test_browser_tree_and_fragments(scheme, alice):
    client = login(alice)
    page = client.get("/ipc/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/ipc/H/"' in html and "电学" in html and 'hx-get="/ipc/A/"' in html

    fragment = client.get("/ipc/H01F/", headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in text
    assert "H01F1/00" in text and "H01F10/00" in text and 'hx-get="/ipc/H01F1/00/"' in text

    leaves = client.get("/ipc/H01F1/00/", headers={"HX-Request": "true"}).content.decode()
    assert "H01F1/057" in leaves and 'hx-get="/ipc/H01F1/057/"' not in leaves  # subgroups do not expand


def test_browser_search_highlights(scheme, alice):
    client = login(alice)
    html = client.get("/ipc/", {"q": "永磁"}).content.decode()
    assert "H01F1/057" in html and "<mark>永磁</mark>" in html
    fragment = client.get("/ipc/", {"q": "稀土"}, headers={"HX-Request": "true", "HX-Target": "ipc-results"})
    assert "<html" not in fragment.content.decode() and "<mark>稀土</mark>" in fragment.content.decode()
    assert client.get("/ipc/", {"q": "不存在的词"}).context["results"] == []


def test_detail_page(scheme, alice):
    client = login(alice)
    page = client.get("/ipc/H01F/")
    html = page.content.decode()
    assert page.status_code == 200 and "本小类包括磁性材料" in html and "H01F1/00" in html
    detail = client.get("/ipc/H01F1/057/").content.decode()
    assert 'href="/ipc/H01F1/00/"' in detail and 'href="/ipc/H/"' in detail
    assert client.get("/ipc/H01F1-057/").headers["Location"] == "/ipc/H01F1/057/"
    assert client.get("/ipc/h01f/").headers["Location"] == "/ipc/H01F/"
    assert client.get("/ipc/H01F9/00/").status_code == 404


def test_anonymous_is_sent_to_login(scheme, client):
    assert client.get("/ipc/").headers["Location"].startswith("/accounts/login/")
    assert client.get("/api/v1/ipc/H01F").status_code == 401


# --- API ----------------------------------------------------------------------------------------


def test_api_detail(scheme, alice):
    client = login(alice)
    data = client.get("/api/v1/ipc/H01F1/057").json()
    assert data["code"] == "H01F1/057" and data["level"] == "subgroup" and data["parent"] == "H01F1/00"
    assert [p["code"] for p in data["path"]] == ["H", "H01", "H01F", "H01F1/00"]
    assert data["title"].endswith("稀土永磁材料") and data["children"] == []
    sub = client.get("/api/v1/ipc/H01F1-00").json()
    assert [c["code"] for c in sub["children"]] == ["H01F1/01", "H01F1/057", "H01F1/06"]
    assert client.get("/api/v1/ipc/H01F").json()["notes"].startswith("附注")


def test_api_404_has_the_error_shape(scheme, alice):
    response = login(alice).get("/api/v1/ipc/H01F9/00")
    assert response.status_code == 404
    assert set(response.json()) == {"code", "message", "fields"} and response.json()["code"] == "not_found"


def test_api_search(scheme, alice):
    client = login(alice)
    data = client.get("/api/v1/ipc", {"q": "永磁"}).json()
    assert [r["code"] for r in data["results"]] == ["H01F1/057"]
    assert client.get("/api/v1/ipc", {"q": "H01"}).json()["count"] == 8
    assert client.get("/api/v1/ipc").status_code == 400

"""The convertible pool as Excel (the formula-safe writer every export uses): the filtered list
with each patent's grade and score; the holder's contact only where the reader may see it."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from zhibao.core.spreadsheets import XLSX_CONTENT_TYPE, write_xlsx
from zhibao.patents.choices import LegalStatus, PatentType

from ..choices import CooperationMode, PoolStatus

__all__ = ["XLSX_CONTENT_TYPE", "export_filename", "pool_xlsx"]


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def mode_labels(codes) -> list[str]:
    labels = dict(CooperationMode.choices)
    return [str(labels.get(c, c)) for c in codes or ()]


def pool_xlsx(pool_patents, *, with_contact=lambda pool_patent: False, with_status: bool = False) -> bytes:
    header = [_("Publication number"), _("Title"), _("Patent type"), _("Legal status"), _("Main IPC"),
              _("Holder"), _("League / city"), _("Key industries"), _("Grade"), _("Score"), _("Offered for"),
              _("Asking price (10,000 yuan)"), _("Listed at"), _("Description"), _("Contact person"),
              _("Contact phone")]
    if with_status:
        header.insert(5, _("Status"))

    def rows():
        for pp in pool_patents.iterator(chunk_size=500) if hasattr(pool_patents, "iterator") else pool_patents:
            patent, contact = pp.patent, with_contact(pp)
            row = [patent.publication_number, patent.title, _label(PatentType, patent.patent_type),
                   _label(LegalStatus, patent.legal_status), patent.ipc_main, pp.holder.name,
                   str(pp.holder.league or ""), "、".join(i.name for i in pp.industries.all()), pp.grade,
                   float(pp.score) if pp.score is not None else "", "、".join(mode_labels(pp.modes)),
                   float(pp.asking_price) if pp.asking_price is not None else "",
                   timezone.localtime(pp.listed_at).strftime("%Y-%m-%d"), pp.description,
                   pp.contact_name if contact else "", pp.contact_phone if contact else ""]
            if with_status:
                row.insert(5, _label(PoolStatus, pp.status))
            yield row

    out = io.BytesIO()
    write_xlsx(rows(), out, header=header, title=_("Convertible pool"),
               widths=[18, 44, 10, 10, 14, 28, 14, 20, 6, 8, 20, 12, 12, 50, 12, 16, 10][: len(header)])
    return out.getvalue()


def export_filename(stem: str) -> str:
    return f"{stem}-{timezone.localdate():%Y%m%d}.xlsx"

"""Inventories as Excel (the formula-safe writer every export uses: numbers, notes and contacts
come from the institution's own file and must never run as formulas in the center's Excel or
WPS): the list template, an inventory's lines with their match and decisions, the inventories
list and the progress tables."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from zhibao.core.spreadsheets import XLSX_CONTENT_TYPE, write_xlsx, xlsx_sheet_write
from zhibao.patents.choices import LegalStatus, PatentType

from ..choices import InventoryState, ItemDecision, NotPooledReason
from ..services.inventory import CONTACT_HEADER, NOTES_HEADER, NUMBER_HEADER

__all__ = ["XLSX_CONTENT_TYPE", "export_filename", "inventories_xlsx", "items_xlsx", "progress_xlsx",
           "template_xlsx"]


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label) if value else ""
    except ValueError:
        return value or ""


def _pct(value):
    return "" if value is None else value


def template_xlsx() -> bytes:
    """The list to fill in: the three headers (kept in Chinese: the reader looks for them) and an
    example row, with a second sheet explaining the columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "专利清单"
    ws.append([NUMBER_HEADER, CONTACT_HEADER, NOTES_HEADER])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.append(["CN111000001B", "张老师 13800000000", _("Example row: replace it with your patents.")])
    for column, width in zip("ABC", (24, 28, 40), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    help_sheet = wb.create_sheet(_("How to fill in")[:31])
    for row in (
        [_("Column"), _("What to write")],
        [NUMBER_HEADER, _("Required. A publication number (CN111000001B) or an application number (202010001234.5, "
                          "with or without CN, the check digit or the dot), one patent per row.")],
        [CONTACT_HEADER, _("Optional. Who enterprises may ask about the patent.")],
        [NOTES_HEADER, _("Optional. Anything the center should know.")],
    ):
        help_sheet.append(row)
    help_sheet.column_dimensions["A"].width, help_sheet.column_dimensions["B"].width = 20, 100
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _items_header() -> list[str]:
    return [_("Line"), _("Number as written"), _("Matched"), _("Publication number"), _("Application number"),
            _("Title"), _("Patent type"), _("Legal status"), _("Why it did not match"), _("Inventor contact"),
            _("Notes"), _("Institution's decision"), _("Institution's reason"), _("Center's decision"),
            _("Center's reason"), _("Reason explained"), _("Effective decision")]


def _item_row(item) -> list:
    patent = item.patent
    return [
        item.line, item.number, _("Yes") if patent else _("No"),
        patent.publication_number if patent else "", patent.application_number if patent else "",
        patent.title if patent else "", _label(PatentType, patent.patent_type) if patent else "",
        _label(LegalStatus, patent.legal_status) if patent else "", item.unmatched_reason, item.inventor_contact,
        item.notes,
        _label(ItemDecision, item.institution_decision) if patent else "",
        _label(NotPooledReason, item.institution_reason),
        _label(ItemDecision, item.center_decision) if patent else "", _label(NotPooledReason, item.center_reason),
        item.reason_text, _label(ItemDecision, item.decision) if patent else "",
    ]


def items_xlsx(inventory, items) -> bytes:
    """An inventory's lines (the page's filter applied), streamed row by row."""
    buffer = io.BytesIO()
    write_xlsx((_item_row(i) for i in items.iterator(chunk_size=1000)), buffer, header=_items_header(),
               title=inventory.case.number, widths=(6, 20, 6, 18, 18, 40, 10, 10, 40, 20, 30, 12, 20, 12, 20, 30, 12))
    return buffer.getvalue()


def inventories_xlsx(inventories, counts: dict) -> bytes:
    """The inventories list: one row each, with its line counts ({inventory id: counts})."""
    header = [_("Case number"), _("Institution"), _("League / city"), _("Source"), _("State"), _("Submitted at"),
              _("Lines"), _("Matched"), _("Not matched"), _("Into the pool"), _("Not into the pool"),
              _("Not decided"), _("Completed at")]

    def rows():
        for inv in inventories:
            c = counts.get(inv.pk, {})
            yield [inv.case.number, inv.organization.name, inv.organization.league.name if inv.organization.league
                   else "", inv.source_name, _label(InventoryState, inv.state),
                   timezone.localtime(inv.case.submitted_at).strftime("%Y-%m-%d %H:%M"), c.get("lines", 0),
                   c.get("matched", 0), c.get("lines", 0) - c.get("matched", 0), c.get("pooled", 0),
                   c.get("not_pooled", 0), c.get("pending", 0),
                   timezone.localtime(inv.completed_at).strftime("%Y-%m-%d %H:%M") if inv.completed_at else ""]

    buffer = io.BytesIO()
    write_xlsx(rows(), buffer, header=header, title=_("Patent inventories"),
               widths=(18, 30, 14, 30, 16, 16, 8, 8, 8, 10, 10, 10, 16))
    return buffer.getvalue()


def progress_xlsx(progress: dict) -> bytes:
    """Progress by institution and by league, a sheet each, the totals last."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    used: set[str] = set()
    t = progress["totals"]
    xlsx_sheet_write(wb, title=_("By institution"), used=used, header=[
        _("Institution"), _("Kind"), _("League / city"), _("Inventories"), _("In progress"), _("Patents matched"),
        _("Patents pooled"), _("Inventory rate (%)")],
        rows=[*([r["name"], r["kind"], r["league"], r["inventories"], r["open"], r["matched"], r["pooled"],
                 _pct(r["rate"])] for r in progress["institutions"]),
              [_("Total"), "", "", t["inventories"], "", t["matched"], t["pooled"], _pct(t["rate"])]],
        widths=(32, 12, 14, 10, 10, 12, 12, 14))
    xlsx_sheet_write(wb, title=_("By league"), used=used, header=[
        _("League / city"), _("Institutions"), _("Inventories"), _("Patents matched"), _("Patents pooled"),
        _("Inventory rate (%)")],
        rows=[*([r["name"], r["institutions"], r["inventories"], r["matched"], r["pooled"], _pct(r["rate"])]
                for r in progress["leagues"]),
              [_("Total"), t["institutions"], t["inventories"], t["matched"], t["pooled"], _pct(t["rate"])]],
        widths=(16, 12, 10, 12, 12, 14))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def export_filename(stem: str) -> str:
    return f"{stem}-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx"

"""Revitalization's statistics as an Excel workbook: the dashboard's tables, a sheet each,
through the formula-safe writer every export uses (core.spreadsheets)."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from zhibao.core.spreadsheets import XLSX_CONTENT_TYPE, xlsx_sheet_write

__all__ = ["XLSX_CONTENT_TYPE", "statistics_filename", "statistics_sheets", "statistics_workbook"]


def _blank(value):
    return "" if value is None else value


def statistics_sheets(stats: dict) -> list[dict]:
    inv, pool, dem, mat, deals = (stats[k] for k in ("inventory", "pool", "demands", "matches", "deals"))
    f = stats["filters"]
    overview = [
        [_("Year"), stats["year"]],
        [_("League / city"), f["league_name"] or _("All leagues and cities")],
        [_("Institution"), f["institution_name"] or _("All institutions")],
        [_("Key industry"), f["key_industry_name"] or _("All industries")],
        [_("Figures as of"), stats["today"]],
        [_("Patents inventoried"), inv["inventoried"]],
        [_("Pooled from inventories"), inv["pooled"]],
        [_("Inventory rate (%)"), _blank(inv["rate"])],
        [_("Pool patents listed"), pool["listed"]],
        *[[_("Grade %(grade)s") % {"grade": g["grade"]}, g["count"]] for g in pool["by_grade"]],
        [_("Demands published"), dem["published"]],
        [_("Demands open now"), dem["open"]],
        [_("Matches pushed"), mat["pushed"]],
        [_("Matches accepted by the enterprise"), mat["accepted"]],
        [_("Match precision (%)"), _blank(mat["precision"])],
        [_("Contracts signed"), deals["count"]],
        [_("Contract amount (10,000 yuan)"), deals["amount"]],
        [_("Contracts, year on year (%)"), _blank(deals["count_change"])],
        [_("Amount, year on year (%)"), _blank(deals["amount_change"])],
        *[[_("%(kind)s contracts, year on year (%%)") % {"kind": k["label"]}, _blank(k["change"])]
          for k in deals["by_kind"]],
    ]
    return [
        {"title": _("Overview"), "header": [_("Figure"), _("Value")], "rows": overview, "widths": [36, 24]},
        {"title": _("By month"), "header": [_("Month"), _("Demands published"), _("Matches pushed"),
                                            _("Matches accepted"), _("Contracts signed"),
                                            _("Contract amount (10,000 yuan)"), _("Operations")],
         "rows": [[m["label"], m["demands"], m["pushed"], m["accepted"], m["deals"], m["amount"], m["operations"]]
                  for m in stats["by_month"]], "widths": [10, 14, 14, 14, 14, 18, 12]},
        {"title": _("By institution"), "header": [_("Institution"), _("Inventoried"), _("Pooled from inventories"),
                                                  _("Inventory rate (%)"), _("Listed"), "A", "B", "C", "D",
                                                  _("Contracts signed"), _("Contract amount (10,000 yuan)")],
         "rows": [[r["label"], r["inventoried"], r["pooled_from_inventory"], _blank(r["rate"]), r["pooled"],
                   r["grade_A"], r["grade_B"], r["grade_C"], r["grade_D"], r["deals"], r["amount"]]
                  for r in stats["by_institution"]], "widths": [32, 12, 14, 12, 10, 6, 6, 6, 6, 12, 16]},
        {"title": _("By key industry"), "header": [_("Key industry"), _("Listed"), _("Demands published"),
                                                   _("Contracts signed")],
         "rows": [[r["label"], r["pooled"], r["demands"], r["deals"]] for r in stats["by_industry"]],
         "widths": [16, 10, 14, 14]},
        {"title": _("By league"), "header": [_("League / city"), _("Inventoried"), _("Listed"),
                                             _("Demands published"), _("Contracts signed")],
         "rows": [[r["label"], r["inventoried"], r["pooled"], r["demands"], r["deals"]] for r in stats["by_league"]],
         "widths": [16, 12, 10, 14, 14]},
    ]


def statistics_workbook(stats: dict) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    used: set[str] = set()
    for sheet in statistics_sheets(stats):
        xlsx_sheet_write(wb, title=sheet["title"], header=sheet["header"], rows=sheet["rows"],
                         widths=sheet["widths"], used=used)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def statistics_filename() -> str:
    return f"revitalization-statistics-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx"

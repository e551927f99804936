"""The channel's statistics as an Excel workbook (the dashboard's tables, a sheet each), written
with the formula-safe writer every export uses (core.spreadsheets): organization names come
from applicants and must never run as formulas in the center's Excel or WPS."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhibao.core.spreadsheets import XLSX_CONTENT_TYPE, xlsx_sheet_write

__all__ = ["XLSX_CONTENT_TYPE", "statistics_filename", "statistics_sheets", "statistics_workbook"]


def _blank(value):
    return "" if value is None else value


def _row_header() -> list[str]:
    return [
        _("Submissions"), _("Formally checked"), _("Passed the formal check first time"),
        _("Formal-check pass rate (%)"), _("Decided"), _("Qualified"), _("Not qualified"),
        _("Qualification rate (%)"), _("Filed at CNIPA"), _("Granted"), _("Rejected by CNIPA"), _("Grant rate (%)"),
        _("Inventions granted"), _("Mean grant cycle of inventions (days)"),
        _("Median grant cycle of inventions (days)"), _("Shorter than the ordinary channel (%)"),
        _("Open"), _("Overdue now"), _("Withdrawn"), _("Lapsed"),
    ]


def _row_values(row: dict) -> list:
    return [_blank(row[k]) for k in (
        "submissions", "formal_checked", "formal_passed_first", "formal_pass_rate", "decided", "qualified",
        "not_qualified", "qualification_rate", "filed", "granted", "rejected", "grant_rate", "cycle_count",
        "mean_cycle_days", "median_cycle_days", "cycle_reduction_percent", "open", "overdue", "withdrawn", "lapsed")]


def _period(filters: dict) -> str:
    if filters.get("date_from") or filters.get("date_to"):
        return f"{filters.get('date_from') or '…'} – {filters.get('date_to') or '…'}"
    return _("All years")


def _overview(stats: dict) -> list[list]:
    o, c, p = stats["overall"], stats["grant_cycle"], stats["priority"]
    f = stats["filters"]
    return [
        [_("Period (submitted)"), _period(f)],
        [_("Technical field"), f.get("field_name") or _("All fields")],
        [_("League / city"), f.get("league_name") or _("All leagues and cities")],
        *([[_("Organization"), f["organization_name"]]] if f.get("organization_name") else []),
        [_("Figures as of"), stats["today"]],
        [_("Submissions"), o["submissions"]],
        [_("Formal-check pass rate (%)"), _blank(o["formal_pass_rate"])],
        [_("Cases with a correction request"), o["corrected"]],
        [_("Qualification rate (%)"), _blank(o["qualification_rate"])],
        [_("Grant rate (%)"), _blank(o["grant_rate"])],
        [_("Inventions granted"), c["count"]],
        [_("Mean grant cycle of inventions (days)"), _blank(c["mean_days"])],
        [_("Median grant cycle of inventions (days)"), _blank(c["median_days"])],
        [_("Ordinary channel's grant cycle (days)"), c["ordinary_days"]],
        [_("Shorter than the ordinary channel (%)"), _blank(c["reduction_percent"])],
        [_("Mean grant cycle of all types (days)"), _blank(c["all_types"]["mean_days"])],
        [_("Open"), o["open"]],
        [_("Overdue now"), o["overdue"]],
        [_("Withdrawn"), o["withdrawn"]],
        [_("Lapsed"), o["lapsed"]],
        [_("Prioritized-examination requests"), p["requests"]],
        [_("Reviewed"), p["reviewed"]],
        [_("Recommended"), p["recommended"]],
        [_("Recommendation rate (%)"), _blank(p["recommendation_rate"])],
        [_("Quota %(year)s") % {"year": p["quota_year"]}, p["quota"]],
        [_("Quota used"), p["quota_used"]],
    ]


def statistics_sheets(stats: dict) -> list[dict]:
    """The workbook's sheets as {title, header, rows, widths}: overview, per field, per month,
    per organization, per league, examiner workload, prioritized examination."""
    header = _row_header()
    widths = (12,) * len(header)
    examiners = [[e["name"], "、".join(e["fields"]), "、".join(e["leads"]), e["open"], e["overdue"],
                  e["formal_checks"], e["decided"], e["qualified"], e["not_qualified"], e["corrections"],
                  _blank(e["qualification_rate"])] for e in stats["examiners"]]
    priority = [[r["label"], r["requests"], r["pending"], r["reviewed"], r["recommended"], r["not_recommended"],
                 r["accepted"], r["refused"], r["withdrawn"], _blank(r["recommendation_rate"]), r["quota"],
                 r["quota_used"], r["quota_left"]] for r in stats["priority"]["by_field"]]
    p = stats["priority"]
    priority.append([_("Total"), p["requests"], p["pending"], p["reviewed"], p["recommended"], p["not_recommended"],
                     p["accepted"], p["refused"], p["withdrawn"], _blank(p["recommendation_rate"]), p["quota"],
                     p["quota_used"], p["quota_left"]])
    return [
        {"title": _("Overview"), "header": [_("Figure"), pgettext("statistics", "Value")], "rows": _overview(stats), "widths": (40, 24)},
        {"title": _("By field"), "header": [_("Technical field"), *header],
         "rows": [[r["label"], *_row_values(r)] for r in stats["by_field"]], "widths": (14, *widths)},
        {"title": _("By month"), "header": [_("Month submitted"), *header],
         "rows": [[r["label"], *_row_values(r)] for r in stats["by_month"]], "widths": (12, *widths)},
        {"title": _("By organization"), "header": [_("Organization"), _("League / city"), *header],
         "rows": [[r["label"], r["league"], *_row_values(r)] for r in stats["by_organization"]],
         "widths": (36, 14, *widths)},
        {"title": _("By league"), "header": [_("League / city"), *header],
         "rows": [[r["label"], *_row_values(r)] for r in stats["by_league"]], "widths": (14, *widths)},
        {"title": _("Examiner workload"), "header": [
            _("Examiner"), _("Fields"), _("Leads"), _("Open now"), _("Overdue now"), _("Formal checks"),
            _("Decided"), _("Qualified"), _("Not qualified"), _("Correction requests"), _("Qualification rate (%)")],
         "rows": examiners, "widths": (14, 24, 14, 10, 10, 10, 10, 10, 10, 10, 12)},
        {"title": _("Prioritized examination"), "header": [
            _("Technical field"), _("Requests"), _("Awaiting review"), _("Reviewed"), _("Recommended"),
            _("Not recommended"), _("Accepted by CNIPA"), _("Refused by CNIPA"), _("Withdrawn"),
            _("Recommendation rate (%)"), _("Quota %(year)s") % {"year": p["quota_year"]}, _("Quota used"),
            _("Quota left")], "rows": priority, "widths": (14, *(12,) * 12)},
    ]


def statistics_workbook(stats: dict) -> bytes:
    """The workbook as bytes (a few hundred rows at most: built in memory)."""
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
    return f"pre-exam-statistics-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx"

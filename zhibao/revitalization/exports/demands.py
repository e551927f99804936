"""Demands and matches as Excel (the formula-safe writer every export uses): the published
list and "my demands" with the page's filters, and the matches the operator's page lists."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from zhibao.core.spreadsheets import XLSX_CONTENT_TYPE, write_xlsx

from ..choices import Answer, DemandState, MatchState

__all__ = ["XLSX_CONTENT_TYPE", "demands_xlsx", "export_filename", "matches_xlsx"]


def _money(value):
    return float(value) if value is not None else ""


def demands_xlsx(demands, *, with_contact=lambda demand: False, with_state: bool = False) -> bytes:
    """One row per demand; the contact only where `with_contact(demand)` allows it."""
    header = [_("Case number"), _("Title"), _("Enterprise"), _("Industry (GB/T 4754)"), _("Key industry"),
              _("League / city"), _("Budget from (10,000 yuan)"), _("Budget up to (10,000 yuan)"),
              _("Cooperation modes"), _("Wanted by"), _("Published at"), _("Description"), _("Contact person"),
              _("Contact phone")]
    if with_state:
        header.insert(2, _("State"))

    def rows():
        for d in demands:
            contact = with_contact(d)
            row = [d.case.number, d.title, d.organization.name, str(d.industry or ""), str(d.key_industry or ""),
                   str(d.league or ""), _money(d.budget_min), _money(d.budget_max), "、".join(d.mode_labels),
                   d.deadline.isoformat() if d.deadline else "",
                   timezone.localtime(d.published_at).strftime("%Y-%m-%d %H:%M") if d.published_at else "",
                   d.description, d.contact_name if contact else "", d.contact_phone if contact else ""]
            if with_state:
                row.insert(2, str(DemandState(d.state).label))
            yield row

    out = io.BytesIO()
    write_xlsx(rows(), out, header=header, title=_("Technology demands"),
               widths=[20, 40, 16, 30, 24, 12, 12, 12, 12, 24, 12, 18, 60, 12, 16][: len(header)])
    return out.getvalue()


def matches_xlsx(matches) -> bytes:
    """One row per match: the demand, the patent, why, the push and both answers."""
    header = [_("Case number"), _("Demand"), _("Enterprise"), _("Rank"), _("Score"), _("Publication number"),
              _("Patent title"), _("Holder"), _("Grade"), _("Shared technical terms"), _("IPC classification overlap"),
              _("State"), _("Pushed by"), _("Pushed at"), _("Enterprise's answer"), _("Holder's answer"),
              _("Feedback")]

    def rows():
        for m in matches:
            e = m.explanation or {}
            yield [m.demand.case.number, m.demand.title, m.demand.organization.name, m.rank, round(m.score, 4),
                   m.pool_patent.patent.publication_number, m.pool_patent.patent.title, m.pool_patent.holder.name,
                   m.pool_patent.grade, "、".join(e.get("shared_terms", [])), "、".join(e.get("ipc_overlap", [])),
                   str(MatchState(m.state).label), str(m.pushed_by or ""),
                   timezone.localtime(m.pushed_at).strftime("%Y-%m-%d %H:%M") if m.pushed_at else "",
                   str(Answer(m.demand_answer).label), str(Answer(m.holder_answer).label), m.feedback]

    out = io.BytesIO()
    write_xlsx(rows(), out, header=header, title=_("Matches"),
               widths=[20, 36, 24, 6, 8, 16, 40, 24, 6, 30, 16, 14, 12, 16, 12, 12, 40])
    return out.getvalue()


def export_filename(stem: str) -> str:
    return f"{stem}-{timezone.localdate():%Y%m%d}.xlsx"

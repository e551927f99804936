"""Excel exports of the case index (the same filters as the pages and the API)."""

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from .filtersets import CaseFilterSet
from .selectors import cases_of_applicant, cases_visible_to, worklist_for
from .services.jobs import job_function, job_progress

SCOPES = {"mine": cases_of_applicant, "worklist": worklist_for, "all": cases_visible_to}


def case_rows(queryset):
    for case in queryset.iterator(chunk_size=500):
        yield [
            case.number,
            case.service_name,
            case.title,
            case.organization.name if case.organization else "",
            str(case.applicant),
            case.status_label,
            str(case.assignee or ""),
            timezone.localtime(case.submitted_at).strftime("%Y-%m-%d %H:%M"),
            case.deadline.isoformat() if case.deadline else "",
            _("yes") if case.is_overdue else "",
            timezone.localtime(case.closed_at).strftime("%Y-%m-%d %H:%M") if case.closed_at else "",
        ]


@job_function("cases_export")
def cases_export(job, *, scope: str = "mine", filters: dict | None = None) -> dict:
    """Write the cases the job's owner may see, filtered as on the page, to an .xlsx file."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    user = get_user_model().objects.get(pk=job.owner_id)
    queryset = CaseFilterSet(filters or {}, queryset=SCOPES[scope](user)).qs
    total = queryset.count()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Cases"))
    header = [
        _("Case number"), _("Service"), _("Title"), _("Organization"), _("Applicant"), _("Status"),
        _("Assignee"), _("Submitted at"), _("Deadline"), _("Overdue"), _("Closed at"),
    ]
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for title in header:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = Font(bold=True)
        cells.append(cell)
    ws.append(cells)
    for i, row in enumerate(case_rows(queryset), start=1):
        ws.append(row)
        if i % 200 == 0:
            job_progress(job, int(i * 95 / max(total, 1)), _("%(done)d of %(total)d rows") % {"done": i, "total": total})
    import io

    buffer = io.BytesIO()
    wb.save(buffer)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    job.result_file.save(f"cases-{stamp}.xlsx", ContentFile(buffer.getvalue()), save=True)
    return {"rows": total}

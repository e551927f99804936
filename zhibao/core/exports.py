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
    import io

    from .spreadsheets import write_xlsx

    user = get_user_model().objects.get(pk=job.owner_id)
    queryset = CaseFilterSet(filters or {}, queryset=SCOPES[scope](user)).qs
    total = queryset.count()
    header = [
        _("Case number"), _("Service"), _("Title"), _("Organization"), _("Applicant"), _("Status"),
        _("Assignee"), _("Submitted at"), _("Deadline"), _("Overdue"), _("Closed at"),
    ]

    def progress(done: int) -> None:
        job_progress(job, int(done * 95 / max(total, 1)), _("%(done)d of %(total)d rows") % {"done": done, "total": total})

    buffer = io.BytesIO()
    write_xlsx(case_rows(queryset), buffer, header=header, title=_("Cases"), progress=progress)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    job.result_file.save(f"cases-{stamp}.xlsx", ContentFile(buffer.getvalue()), save=True)
    return {"rows": total}

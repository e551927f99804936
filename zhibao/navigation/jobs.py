"""The navigation jobs: a run (snapshot of every branch) and a report (Word + PDF), each a thin
wrapper around its service with progress the project page polls."""

from django.utils.translation import gettext as _

from zhibao.core.services.jobs import job_function, job_progress

from .services.reports import REPORT_JOB
from .services.runs import RUN_JOB


@job_function(RUN_JOB)
def run_job(job, *, snapshot_id: int) -> dict:
    from .models import Snapshot
    from .services.runs import snapshot_execute

    snapshot = Snapshot.objects.select_related("project", "project__region").get(pk=snapshot_id)

    def progress(done: int, total: int) -> None:
        job_progress(job, int(done * 95 / max(total, 1)),
                     _("Analysed %(done)d of %(total)d branches") % {"done": done, "total": total})

    job_progress(job, 1, _("Reading the corpus"))
    snapshot = snapshot_execute(snapshot, progress=progress)
    return {"snapshot": snapshot.pk, "number": snapshot.number, "patents": snapshot.total,
            "seconds": round(snapshot.took_ms / 1000, 2)}


@job_function(REPORT_JOB)
def report_job(job, *, report_id: int) -> dict:
    from .models import NavigationReport
    from .services.reports import report_execute

    report = NavigationReport.objects.select_related("project", "project__case", "snapshot").get(pk=report_id)

    def progress(percent: int, message: str) -> None:
        job_progress(job, min(99, int(percent)), message)

    job_progress(job, 1, _("Drawing the charts"))
    report = report_execute(report, progress=progress)
    return {"report": report.pk, "version": report.version, "charts": report.chart_count, "pages": report.page_count}

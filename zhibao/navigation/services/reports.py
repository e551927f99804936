"""The navigation report (Word and PDF) of a snapshot, made as a job (`navigation.report`).

The analysts write the conclusions in the browser first; the report copies them as they are
when it is asked for, so a later edit does not change a report already handed out. Each report
gets the project's next version number and its two files are attachments of the project's
case (downloaded through the permission-checked view)."""

import tempfile
from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibao.core.attachments.services import attachment_store_generated
from zhibao.core.services.cases import WorkflowError
from zhibao.core.services.jobs import job_start

from ..choices import RunState
from ..models import NavigationProject, NavigationReport, Snapshot
from .runs import failure_message, pending_or_stale, snapshot_latest
from .tree import project_check_editable

REPORT_JOB = "navigation.report"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@transaction.atomic
def report_request(*, project: NavigationProject, user, snapshot: Snapshot | None = None) -> NavigationReport:
    """Ask for a report of `snapshot` (the latest ready run when None); a report of the project
    already queued or being made is returned instead of starting another."""
    project = NavigationProject.objects.select_for_update().select_related("case").get(pk=project.pk)
    project_check_editable(project=project, user=user)
    pending = pending_or_stale(project.reports.all())
    if pending is not None:
        return pending
    snapshot = snapshot or snapshot_latest(project)
    if snapshot is None or snapshot.project_id != project.pk or snapshot.state != RunState.READY:
        raise WorkflowError("no_snapshot", _("Run the project first: a report is made from a finished run."),
                            status=400)
    version = (project.reports.aggregate(m=Max("version"))["m"] or 0) + 1
    report = NavigationReport.objects.create(project=project, snapshot=snapshot, version=version,
                                             created_by=user, conclusions=dict(project.conclusions or {}))
    report.job = job_start(name=REPORT_JOB, owner=user, params={"report_id": report.pk},
                           title=_("Navigation report v%(v)d: %(title)s") % {"v": version, "title": project.title})
    report.save(update_fields=["job"])
    return report


def report_context(report: NavigationReport) -> dict:
    """What the report generator reads (docs/navigation-analytics.md): plain dicts only."""
    from zhibao.core.maps import region_map

    project, snapshot = report.project, report.snapshot
    analytics = dict(snapshot.analytics or {})
    node_sets = list(snapshot.node_sets.all().order_by("pk"))
    analytics["node_results"] = {n.key: n.analytics for n in node_sets}
    totals = {n.key: n.total for n in node_sets}
    nodes = [{**node, "total": totals.get(node["key"], 0)} for node in snapshot.tree]
    team = [str(u) for u in project.team.all().order_by("pk")]  # the name, or the login without one
    return {
        "project": {"title": project.title, "industry": project.industry, "purpose_label": project.get_purpose_display(),
                    "team": team, "region_name": project.region.name, "description": project.description,
                    "number": project.case.number, "client": project.client.name if project.client else ""},
        "snapshot": {"number": snapshot.number,
                     "taken_at": timezone.localtime(snapshot.taken_at).strftime("%Y-%m-%d %H:%M"),
                     "corpus_size": snapshot.corpus_size, "scope_query": snapshot.scope_query,
                     "data_sources": [_("The center's patent corpus (zhibao), %(n)s documents at the time of the run")
                                      % {"n": f"{snapshot.corpus_size:,}"}]},
        "nodes": nodes,
        "analytics": analytics,
        "conclusions": dict(report.conclusions or {}),
        "maps": {name: region_map(name) for name in ("china", "neimenggu", "neimenggu_counties")},
        "generated_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "version": report.version,
    }


def report_execute(report: NavigationReport, *, progress=None) -> NavigationReport:
    """The job's work: build the DOCX and PDF and store them on the case."""
    from ..report import build_report

    NavigationReport.objects.filter(pk=report.pk).update(state=RunState.RUNNING)
    try:
        return _report_store(report, build_report, progress)
    except Exception as exc:
        NavigationReport.objects.filter(pk=report.pk).update(state=RunState.FAILED, error=failure_message(exc))
        raise


def _report_store(report: NavigationReport, build_report, progress) -> NavigationReport:
    context = report_context(report)
    with tempfile.TemporaryDirectory(prefix="zhibao-nav-") as folder:
        files = build_report(context, out_dir=Path(folder), progress=progress)
        stem = f"{report.project.case.number}-专利导航报告-v{report.version}"  # the report is Chinese
        case = report.project.case
        docx = attachment_store_generated(case=case, kind="nav_report", name=f"{stem}.docx",
                                          content=Path(files.docx_path).read_bytes(), content_type=DOCX_TYPE,
                                          user=report.created_by)
        pdf = attachment_store_generated(case=case, kind="nav_report", name=f"{stem}.pdf",
                                         content=Path(files.pdf_path).read_bytes(),
                                         content_type="application/pdf", user=report.created_by)
    report.docx, report.pdf = docx, pdf
    report.chart_count, report.page_count = files.chart_count, files.page_count
    report.state, report.error = RunState.READY, ""
    report.save()
    return report

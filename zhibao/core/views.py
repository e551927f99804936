from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .exports import SCOPES
from .filtersets import CaseFilterSet
from .models import Job, WorkerHeartbeat
from .services.jobs import job_start


def jobs_visible_to(user):
    return Job.objects.filter(owner=user)


def job_detail(request, pk):
    """The job page; its progress fragment is polled by htmx until the job finishes."""
    job = get_object_or_404(jobs_visible_to(request.user), pk=pk)
    template = "core/job_detail.html#progress" if request.htmx else "core/job_detail.html"
    return render(request, template, {"job": job})


def job_list(request):
    return render(request, "core/job_list.html", {"jobs": jobs_visible_to(request.user)[:50]})


def job_download(request, pk):
    job = get_object_or_404(jobs_visible_to(request.user), pk=pk)
    if not job.result_file:
        raise Http404(_("This job has no result file."))
    response = FileResponse(job.result_file.open("rb"), as_attachment=True,
                            filename=job.result_file.name.rsplit("/", 1)[-1])
    return response


@require_POST
def cases_export_start(request):
    scope = request.POST.get("scope", "mine")
    if scope not in SCOPES:
        raise Http404
    filters = {k: v for k, v in request.POST.items() if k in CaseFilterSet.base_filters and v}
    job = job_start(name="cases_export", title=_("Export cases to Excel"), owner=request.user,
                    params={"scope": scope, "filters": filters})
    messages.info(request, _("The export is being prepared; this page shows its progress."))
    return redirect("core:job_detail", pk=job.pk)


@login_not_required
@require_GET
def healthz(request):
    """Database and worker health for load balancers and monitoring (no personal data)."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # pragma: no cover — exercised by stopping the database
        checks["database"] = {"ok": False, "error": exc.__class__.__name__}
    try:
        last = WorkerHeartbeat.objects.order_by("-seen_at").first()
        age = (timezone.now() - last.seen_at).total_seconds() if last else None
        checks["worker"] = {
            "ok": age is not None and age <= settings.WORKER_HEARTBEAT_STALE,
            "last_seen_seconds": None if age is None else round(age, 1),
        }
    except Exception as exc:
        checks["worker"] = {"ok": False, "error": exc.__class__.__name__}
    ok = all(c["ok"] for c in checks.values())
    # Only a dead database takes this node out of a load balancer; a stalled worker is
    # reported (status "degraded") but the node still serves pages.
    status = 200 if checks["database"]["ok"] else 503
    return JsonResponse({"status": "ok" if ok else "degraded", "checks": checks}, status=status)

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import condition, require_GET, require_POST

from .exports import SCOPES
from .filtersets import CaseFilterSet
from .maps import MAP_FILES
from .models import Job, RegionMap, WorkerHeartbeat
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
    if scope != "mine":
        # Staff exports carry applicants' names: an export of personal data, recorded.
        from .models import SecurityEventKind
        from .services.security import security_event_record

        security_event_record(kind=SecurityEventKind.PERSONAL_DATA_EXPORT, request=request, user=request.user,
                              detail={"what": "cases", "scope": scope, "filters": filters})
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


# --- Error pages: Chinese pages for people, the JSON error shape under /api/ ---------------

ERRORS = {
    400: ("bad_request", gettext_lazy("The request could not be understood. Go back and check what you entered.")),
    403: ("forbidden", gettext_lazy("You are not allowed to open this page.")),
    404: ("not_found", gettext_lazy("This page does not exist, or you may not see it.")),
    500: ("server_error", gettext_lazy("Something went wrong on our side. The error was recorded; please try again later.")),
}


def _error(request, status: int, message=None):
    from zhibao.api import error_response

    code, default = ERRORS[status]
    if request.path_info.startswith("/api/"):
        return error_response(status, code, message or default)
    response = render(request, "error.html", {"status": status, "message": message or default}, status=status)
    return response


def bad_request(request, exception=None):
    return _error(request, 400)


def permission_denied(request, exception=None):
    from .models import SecurityEventKind
    from .services.security import security_event_record

    security_event_record(kind=SecurityEventKind.PERMISSION_DENIED, request=request,
                          user=getattr(request, "user", None))
    return _error(request, 403)


def page_not_found(request, exception=None):
    return _error(request, 404)


def server_error(request):
    from zhibao.api import error_response

    code, message = ERRORS[500]
    if request.path_info.startswith("/api/"):
        return error_response(500, code, message)
    # No template context processors here: the database may be what failed.
    from django.template.loader import get_template

    return HttpResponseServerError(get_template("error.html").render({"status": 500, "message": message}))


def csrf_failure(request, reason=""):
    from zhibao.api import error_response

    message = gettext_lazy("The form expired or came from another site. Reload the page and submit it again.")
    if request.path_info.startswith("/api/"):
        return error_response(403, "csrf_failed", message)
    return render(request, "error.html", {"status": 403, "message": message}, status=403)


# Serialised maps by name, with the loaded_at they were serialised at: the county map is
# 4.7 MB of JSON, encoded once per load instead of once per request.
_map_bodies: dict[str, tuple] = {}


def _map_loaded_at(request, map_name):
    return RegionMap.objects.filter(name=map_name).values_list("loaded_at", flat=True).first()


def _map_etag(request, map_name):
    loaded_at = _map_loaded_at(request, map_name)
    return f"{map_name}-{loaded_at.timestamp():.6f}" if loaded_at else None


@login_not_required
@require_GET
@condition(etag_func=_map_etag, last_modified_func=_map_loaded_at)
def region_map_json(request, map_name):
    """A boundary map as GeoJSON for ECharts (`echarts.registerMap`): public, as the boundaries
    are (login is not needed), cacheable (ETag / Last-Modified from when it was loaded, so a
    reload is fetched again); 404 with the command to run when it has not been loaded."""
    row = RegionMap.objects.filter(name=map_name).values_list("loaded_at", "pk").first()
    if map_name not in MAP_FILES or row is None:
        message = _("The map “%(name)s” has not been loaded: run `zhibao load-maps DIR` with the folder of the "
                    "boundary files (known maps: %(known)s).") % {"name": map_name, "known": ", ".join(MAP_FILES)}
        return JsonResponse({"detail": message}, status=404, json_dumps_params={"ensure_ascii": False})
    loaded_at = row[0]
    cached = _map_bodies.get(map_name)
    if cached is None or cached[0] != loaded_at:
        geojson = RegionMap.objects.filter(pk=row[1]).values_list("geojson", flat=True).first()
        cached = _map_bodies[map_name] = (loaded_at, json.dumps(geojson, ensure_ascii=False,
                                                                separators=(",", ":")).encode())
    response = HttpResponse(cached[1], content_type="application/geo+json; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response

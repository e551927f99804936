"""Pages: importing files into the corpus — upload, column mapping (with saved presets),
then the import job's report with the rejected rows to download.

Staff work (rules: patents.import_patents), so every view checks the permission itself; the
two-factor middleware guards staff pages. Uploads are kept under PATENT_IMPORT_DIR by the
service, never in MEDIA, and their token is only valid for the user who uploaded the file.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from zhibao.core.services.jobs import job_start
from zhibao.core.views import jobs_visible_to

from ..choices import ImportFormat
from ..importing.presets import BUILTIN_PRESETS, FIELDS, clean_mapping, missing_required
from ..importing.readers import ImportFileError
from ..importing.services import (
    import_mapping_resolve,
    import_preset_save,
    import_start,
    import_upload_get,
    import_upload_store,
)
from ..models import ImportPreset


def _require_import(request) -> None:
    if not request.user.has_perm("patents.import_patents"):
        raise PermissionDenied


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"), help_text=gettext_lazy(
        "CSV (UTF-8 or GB18030), Excel (.xlsx) or JSON lines; the type is read from the content."))
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=ImportFormat.choices, initial=ImportFormat.AUTO)


def _preset_choices() -> list[tuple[str, str]]:
    choices = [(name, str(spec["label"])) for name, spec in BUILTIN_PRESETS.items()]
    choices += [(p.name, p.name) for p in ImportPreset.objects.only("name")]
    return choices


@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Step 1: upload a file; it is checked by content and its header read at once."""
    _require_import(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload = import_upload_store(uploaded_file=form.cleaned_data["file"], owner=request.user,
                                         fmt=form.cleaned_data["format"])
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("patents:import_mapping", token=upload["token"])
    recent = jobs_visible_to(request.user).filter(name="patents.import")[:10]
    return render(request, "patents/import_upload.html", {"form": form, "recent": recent})


@require_http_methods(["GET", "POST"])
def import_mapping(request, token: str):
    """Step 2: the detected format, encoding and header with the proposed mapping; the user
    adjusts it, may save it as a preset, and starts the import job."""
    _require_import(request)
    upload = import_upload_get(token=token, user=request.user)
    if upload is None:
        raise Http404(_("This upload does not exist or has already been imported."))
    headers = upload["headers"]
    preset = request.POST.get("preset", request.GET.get("preset", upload.get("preset", "")))
    if request.method == "POST":
        mapping = clean_mapping({h: request.POST.get(f"map-{i}", "") for i, h in enumerate(headers)}, headers)
    else:
        try:
            mapping = import_mapping_resolve(headers=headers, fmt=upload["format"], preset=preset)
        except ImportFileError as exc:
            messages.error(request, str(exc))
            mapping = upload["mapping"]
    errors = []
    action = request.POST.get("action")
    if action == "save_preset":
        try:
            saved = import_preset_save(name=request.POST.get("preset_name", ""), mapping=mapping, owner=request.user)
        except ValidationError as exc:
            errors = [m for messages_ in exc.message_dict.values() for m in messages_]
        else:
            messages.success(request, _("The mapping was saved as preset %(name)s.") % {"name": saved.name})
            preset = saved.name
    elif action == "start":
        missing = missing_required(mapping)
        if missing:
            errors = [_("Map a column to: %(fields)s.") % {"fields": "、".join(missing)}]
        else:
            job = import_start(token=token, user=request.user, mapping=mapping)
            if job is None:
                raise Http404(_("This upload does not exist or has already been imported."))
            messages.info(request, _("The import has started; this page shows its progress and report."))
            return redirect("patents:import_report", pk=job.pk)
    columns = [{"index": i, "header": h, "target": mapping.get(h, ""),
                "sample": [row[i] if i < len(row) else "" for row in upload["sample"]]} for i, h in enumerate(headers)]
    return render(request, "patents/import_mapping.html", {
        "upload": upload, "columns": columns, "fields": list(FIELDS.items()), "errors": errors,
        "missing": missing_required(mapping), "preset": preset, "presets": _preset_choices(),
    })


@require_http_methods(["POST"])
def reindex_start(request):
    """Rebuild the search index from the database as a job (after a restore, or a schema change)."""
    _require_import(request)
    job = job_start(name="patents.reindex", title=_("Rebuild the patent search index"), owner=request.user)
    messages.info(request, _("The index is being rebuilt; searches keep answering from the old one until it is done."))
    return redirect("core:job_detail", pk=job.pk)


def import_report(request, pk):
    """Step 3: the job's progress, then its report (counts, first rejections, download)."""
    _require_import(request)
    job = get_object_or_404(jobs_visible_to(request.user).filter(name="patents.import"), pk=pk)
    template = "patents/import_report.html#report" if request.htmx else "patents/import_report.html"
    return render(request, template, {"job": job, "report": job.result or {}})


urlpatterns = [
    path("patents/import/", import_upload, name="import_upload"),
    path("patents/import/reindex/", reindex_start, name="reindex"),
    path("patents/import/<str:token>/", import_mapping, name="import_mapping"),
    path("patents/import/jobs/<uuid:pk>/", import_report, name="import_report"),
]

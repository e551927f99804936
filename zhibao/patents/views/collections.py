"""Pages: industry collections (产业专利数据库) — list, search within one, curate, export."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhibao.core.services.jobs import job_start
from zhibao.core.spreadsheets import XLSX_CONTENT_TYPE

from ..choices import LegalStatus, PatentType
from ..collections import (
    collection_create,
    collection_delete,
    collection_exclude,
    collection_export_xlsx,
    collection_include,
    collection_search,
    collection_update,
    collections_visible_to,
    within_collection_query,
)
from ..models import Collection
from ..search import QuerySyntaxError

PAGE_SIZE = 20
MAX_PAGE = 500
# The facets of a collection's page and the filters they set (values OR-ed within a facet).
FACETS = ("year", "type", "legal_status", "ipc_subclass")
FACET_TITLES = {"year": gettext_lazy("Application year"), "type": gettext_lazy("Patent type"),
                "legal_status": gettext_lazy("Legal status"), "ipc_subclass": gettext_lazy("IPC subclass")}


class CollectionForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    slug = forms.SlugField(label=gettext_lazy("Code"), max_length=50,
                           help_text=gettext_lazy("Letters, digits and hyphens, used in the address (e.g. rare-earth)."))
    description = forms.CharField(label=gettext_lazy("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    query = forms.CharField(label=gettext_lazy("Search query"), required=False, max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 3, "class": "font-monospace"}),
                            help_text=gettext_lazy("In the search language, e.g. IPC=C22B59/00 OR IPC=H01F1/057 OR TIAB=稀土"))
    includes = forms.CharField(label=gettext_lazy("Always include"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=gettext_lazy("Publication numbers, one a line or separated by commas."))
    excludes = forms.CharField(label=gettext_lazy("Always exclude"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=gettext_lazy("Publication numbers, one a line or separated by commas."))
    is_public = forms.BooleanField(label=gettext_lazy("Visible to every signed-in user"), required=False,
                                   initial=True)

    @classmethod
    def for_collection(cls, collection: Collection, data=None):
        initial = {"name": collection.name, "slug": collection.slug, "description": collection.description,
                   "query": collection.query, "includes": "\n".join(collection.includes),
                   "excludes": "\n".join(collection.excludes), "is_public": collection.is_public}
        return cls(data, initial=initial)


def _require_manager(request) -> None:
    if not request.user.has_perm("patents.change_collection"):
        raise PermissionDenied


def _visible(request, slug) -> Collection:
    collection = get_object_or_404(collections_visible_to(request.user), slug=slug)
    if not request.user.has_perm("patents.view_collection", collection):
        raise PermissionDenied
    return collection


def collection_list(request):
    """/collections/: the collections the user may see, with their counts."""
    return render(request, "patents/collection_list.html", {
        "collections": collections_visible_to(request.user),
        "can_manage": request.user.has_perm("patents.change_collection"),
    })


def _save(request, form, collection=None):
    """Call the service with the form's data; its validation errors go onto the form."""
    if not form.is_valid():
        return None
    try:
        if collection is None:
            return collection_create(user=request.user, **form.cleaned_data)
        return collection_update(user=request.user, collection=collection, **form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


def collection_new(request):
    _require_manager(request)
    form = CollectionForm(request.POST or None)
    if request.method == "POST":
        collection = _save(request, form)
        if collection is not None:
            messages.success(request, _("Collection “%(name)s” created: %(count)d patents.")
                             % {"name": collection.name, "count": collection.patent_count})
            return redirect("patents:collection_detail", slug=collection.slug)
    return render(request, "patents/collection_form.html", {"form": form, "collection": None})


def collection_edit(request, slug):
    collection = _visible(request, slug)
    _require_manager(request)
    form = CollectionForm.for_collection(collection, request.POST or None)
    if request.method == "POST":
        saved = _save(request, form, collection)
        if saved is not None:
            messages.success(request, _("Collection “%(name)s” saved: %(count)d patents.")
                             % {"name": saved.name, "count": saved.patent_count})
            return redirect("patents:collection_detail", slug=saved.slug)
        collection.refresh_from_db()
    return render(request, "patents/collection_form.html", {"form": form, "collection": collection})


def collection_delete_view(request, slug):
    collection = _visible(request, slug)
    _require_manager(request)
    if request.method == "POST":
        name = collection.name
        collection_delete(user=request.user, collection=collection)
        messages.success(request, _("Collection “%(name)s” deleted.") % {"name": name})
        return redirect("patents:collection_list")
    return render(request, "patents/collection_confirm_delete.html", {"collection": collection})


def _filters(request) -> dict[str, list[str]]:
    """The facet filters of the collection page, validated like the search page's."""
    from .search import parse_filters

    return {key: values for key, values in parse_filters(request.GET).items() if key in FACETS}


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _facet_groups(request, facets: dict, filters: dict) -> list[dict]:
    groups = []
    for name in FACETS:
        buckets = []
        for bucket in (facets or {}).get(name, [])[:12]:
            query = request.GET.copy()
            query.pop("page", None)
            selected = bucket.key in filters.get(name, [])
            values = query.getlist(name)
            query.setlist(name, [v for v in values if v != bucket.key] if selected else [*values, bucket.key])
            buckets.append({"key": bucket.key, "label": bucket.label, "count": bucket.count, "selected": selected,
                            "url": f"?{query.urlencode()}"})
        if buckets:
            groups.append({"name": name, "title": FACET_TITLES[name], "buckets": buckets})
    return groups


def collection_detail(request, slug):
    """/collections/<slug>/: the collection's patents, searchable within, with facets."""
    from ..search import QuerySyntaxError

    collection = _visible(request, slug)
    q = request.GET.get("q", "").strip()[:2000]
    try:
        page = min(MAX_PAGE, max(1, int(request.GET.get("page", 1))))
    except ValueError:
        page = 1
    filters = _filters(request)
    context = {"collection": collection, "q": q, "filters": filters, "error": None, "result": None,
               "can_manage": request.user.has_perm("patents.change_collection"),
               "sync_max": settings.PATENT_EXPORT_SYNC_MAX}
    try:
        result = collection_search(collection=collection, q=q, filters=filters, page=page, page_size=PAGE_SIZE,
                                   facets=FACETS)
    except QuerySyntaxError as exc:
        context["error"] = exc.message
        result = None
    if result is not None:
        for hit in result.hits:
            hit.type_label = _label(PatentType, hit.patent_type)
            hit.status_label = _label(LegalStatus, hit.legal_status)
            hit.status_badge = LegalStatus(hit.legal_status).badge if hit.legal_status in LegalStatus.values else "light"
        context.update(result=result, facet_groups=_facet_groups(request, result.facets, filters),
                       has_previous=page > 1, has_next=page * PAGE_SIZE < min(result.total, MAX_PAGE * PAGE_SIZE),
                       previous_url=_page_url(request, page - 1), next_url=_page_url(request, page + 1))
    if request.htmx and request.htmx.target == "collection-results":
        return render(request, "patents/collection_detail.html#results", context)
    return render(request, "patents/collection_detail.html", context)


def _page_url(request, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return f"?{query.urlencode()}"


def _numbers(request) -> list[str]:
    raw = request.POST.get("publication_numbers", "") or request.POST.get("publication_number", "")
    return [part for part in raw.replace("，", ",").replace("\n", ",").split(",") if part.strip()]


def _membership(request, slug, service, done_message):
    collection = _visible(request, slug)
    _require_manager(request)
    numbers = _numbers(request)
    if not numbers:
        messages.error(request, _("Give at least one publication number."))
    else:
        try:
            service(user=request.user, collection=collection, publication_numbers=numbers)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, done_message % {"numbers": ", ".join(numbers), "count": collection.patent_count})
    return redirect("patents:collection_detail", slug=collection.slug)


@require_POST
def collection_include_view(request, slug):
    return _membership(request, slug, collection_include,
                       _("Included %(numbers)s; the collection now has %(count)d patents."))


@require_POST
def collection_exclude_view(request, slug):
    return _membership(request, slug, collection_exclude,
                       _("Excluded %(numbers)s; the collection now has %(count)d patents."))


def collection_export(request, slug):
    """GET: the first settings.PATENT_EXPORT_SYNC_MAX members as .xlsx at once (the sheet says
    when there are more). POST: the whole collection as a job (patents.export, up to
    settings.PATENT_EXPORT_MAX), whose page offers the file."""
    from .. import exports  # noqa: F401  (registers the patents.export job function)

    collection = _visible(request, slug)
    q = request.GET.get("q", "") if request.method == "GET" else request.POST.get("q", "")
    if request.method == "POST":
        try:
            query = within_collection_query(collection, q)
        except QuerySyntaxError as exc:
            messages.error(request, str(exc))
            return redirect("patents:collection_detail", slug=collection.slug)
        if not query:
            messages.error(request, _("The collection has no query and no included patents: nothing to export."))
            return redirect("patents:collection_detail", slug=collection.slug)
        job = job_start(name="patents.export", title=_("Export of collection %(name)s") % {"name": collection.name},
                        owner=request.user, params={"q": query, "filters": _filters(request), "fmt": "xlsx"})
        messages.success(request, _("The export runs in the background; the file appears here when it is ready."))
        return redirect(reverse("core:job_detail", args=[job.pk]))
    try:
        content, _rows, _capped = collection_export_xlsx(collection=collection, q=q, filters=_filters(request))
    except QuerySyntaxError as exc:
        messages.error(request, str(exc))
        return redirect("patents:collection_detail", slug=collection.slug)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="collection-{collection.slug}.xlsx"'
    return response


urlpatterns = [
    path("collections/", collection_list, name="collection_list"),
    path("collections/new/", collection_new, name="collection_new"),
    path("collections/<slug:slug>/", collection_detail, name="collection_detail"),
    path("collections/<slug:slug>/edit/", collection_edit, name="collection_edit"),
    path("collections/<slug:slug>/delete/", collection_delete_view, name="collection_delete"),
    path("collections/<slug:slug>/include/", collection_include_view, name="collection_include"),
    path("collections/<slug:slug>/exclude/", collection_exclude_view, name="collection_exclude"),
    path("collections/<slug:slug>/export.xlsx", collection_export, name="collection_export"),
]

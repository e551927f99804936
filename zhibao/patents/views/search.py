"""Pages: patent search (with facets and exports), analytics of a query, and a patent's page.

Every read goes through the search engine (patents.search) or, for one record, the database
by its normalised publication number; the same helpers serve the API (patents.api.patents).
Patent documents are public once published, so every signed-in user may read them
(rules: patents.view_corpus).
"""

import math
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import re_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from zhibao.core.services.jobs import job_start

from .. import exports
from ..choices import ApplicantType, LegalStatus, PatentType
from ..models import Patent
from ..normalize import NormalizeError, normalize_publication_number
from ..search import MAX_RESULT_WINDOW

# Drill-down filters (each a list of values, AND-ed with the query) and the facets shown.
FILTER_KEYS = ("year", "ipc_subclass", "applicant", "province", "type", "legal_status", "league")
FACET_TITLES = {
    "year": gettext_lazy("Application year"),
    "type": gettext_lazy("Patent type"),
    "legal_status": gettext_lazy("Legal status"),
    "ipc_subclass": gettext_lazy("IPC subclass"),
    "applicant": gettext_lazy("Applicant"),
    "province": gettext_lazy("Province"),
    "league": gettext_lazy("League (city)"),
}
SORTS = {
    "relevance": gettext_lazy("Relevance"),
    "-application_date": gettext_lazy("Newest applications first"),
    "application_date": gettext_lazy("Oldest applications first"),
    "-publication_date": gettext_lazy("Newest publications first"),
    "publication_date": gettext_lazy("Oldest publications first"),
}
PAGE_SIZES = (10, 20, 50, 100)
MAX_QUERY_LENGTH = 2000
MAX_FILTER_VALUES = 20
MAX_FILTER_LENGTH = 200
# Deep pages cost the engine a sort over everything before them; nobody reads page 500.
PUBLICATION_NUMBER_RE = r"(?P<publication_number>[A-Za-z]{0,2}[0-9][0-9A-Za-z .-]{2,28})"


def engine():
    from ..search import get_engine

    return get_engine()


def query_syntax_error():
    from ..search import QuerySyntaxError

    return QuerySyntaxError


def ipc_titles(codes) -> dict[str, str]:
    """Chinese titles of IPC codes, when the IPC scheme is loaded (else no titles)."""
    codes = [c for c in dict.fromkeys(codes) if c]
    if not codes:
        return {}
    try:
        from ..ipc import ipc_titles as lookup
    except ImportError:
        return {}
    return lookup(codes)


def check_corpus_permission(user) -> None:
    if not user.has_perm("patents.view_corpus"):
        raise PermissionDenied


# --- Search parameters ------------------------------------------------------------------------


@dataclass
class SearchParams:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20

    @property
    def is_empty(self) -> bool:
        return not self.q and not self.filters

    def query_items(self, *, page: int | None = None, filters: dict | None = None, sort: str | None = None):
        items = [("q", self.q)] if self.q else []
        for key, values in (self.filters if filters is None else filters).items():
            items.extend((key, v) for v in values)
        sort = self.sort if sort is None else sort
        if sort != "relevance":
            items.append(("sort", sort))
        if self.page_size != 20:
            items.append(("page_size", str(self.page_size)))
        if page and page > 1:
            items.append(("page", str(page)))
        return items

    def url(self, path: str, **kwargs) -> str:
        items = self.query_items(**kwargs)
        return f"{path}?{urlencode(items)}" if items else path

    def with_filter(self, key: str, value: str) -> dict[str, list[str]]:
        filters = {k: list(v) for k, v in self.filters.items()}
        if value not in filters.setdefault(key, []):
            filters[key].append(value)
        return filters

    def without_filter(self, key: str, value: str) -> dict[str, list[str]]:
        filters = {k: [v for v in values if not (k == key and v == value)] for k, values in self.filters.items()}
        return {k: v for k, v in filters.items() if v}


def _int(value, default: int, lo: int, hi: int) -> int:
    try:
        return max(lo, min(hi, int(value)))
    except (TypeError, ValueError):
        return default


def parse_filters(data) -> dict[str, list[str]]:
    filters = {}
    for key in FILTER_KEYS:
        values = [v.strip()[:MAX_FILTER_LENGTH] for v in data.getlist(key) if v and v.strip()]
        if key == "year":  # a year the engine cannot read is no filter, never an error page
            values = [v for v in values if v.isascii() and v.isdigit() and 1900 <= int(v) <= 2100]
        if values:
            filters[key] = list(dict.fromkeys(values))[:MAX_FILTER_VALUES]
    return filters


def parse_params(data) -> SearchParams:
    """The page's search from a QueryDict, out-of-range values clamped to the nearest valid one."""
    sort = data.get("sort") or "relevance"
    page_size = _int(data.get("page_size"), 20, 1, 100)
    if page_size not in PAGE_SIZES:
        page_size = min(PAGE_SIZES, key=lambda size: abs(size - page_size))
    return SearchParams(
        q=(data.get("q") or "").strip()[:MAX_QUERY_LENGTH],
        filters=parse_filters(data),
        sort=sort if sort in SORTS else "relevance",
        page=_int(data.get("page"), 1, 1, MAX_RESULT_WINDOW // page_size),
        page_size=page_size,
    )


def syntax_error_context(exc, q: str) -> dict:
    """The error with the query split at the error's position, for the caret under it."""
    position = getattr(exc, "position", None)
    if not isinstance(position, int) or position < 0:
        position = None
    at = min(position, len(q)) if position is not None else len(q)
    return {
        "message": getattr(exc, "message", None) or str(exc),
        "position": position,
        "before": q[:at],
        "at": q[at:at + 1],
        "after": q[at + 1:],
    }


# --- Pages ------------------------------------------------------------------------------------


def _page_links(current: int, last: int) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 20: the page numbers to show, None for a gap."""
    shown = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out


def _facet_groups(params: SearchParams, facets: dict, path: str) -> list[dict]:
    titles = ipc_titles(b.key for b in facets.get("ipc_subclass", []))
    groups = []
    for name, title in FACET_TITLES.items():
        buckets = facets.get(name) or []
        if not buckets:
            continue
        active = set(params.filters.get(name, []))
        items = []
        for bucket in buckets:
            key = str(bucket.key)
            selected = key in active
            filters = params.without_filter(name, key) if selected else params.with_filter(name, key)
            items.append({
                "key": key, "label": bucket.label or key, "count": bucket.count, "selected": selected,
                "title": titles.get(key, ""), "url": params.url(path, filters=filters),
            })
        groups.append({"name": name, "title": title, "items": items})
    return groups


def _chips(params: SearchParams, facets: dict, path: str) -> list[dict]:
    labels = {(name, str(b.key)): b.label for name, buckets in facets.items() for b in buckets}
    return [
        {"name": name, "title": FACET_TITLES.get(name, name), "value": value,
         "label": labels.get((name, value)) or value,
         "remove_url": params.url(path, filters=params.without_filter(name, value))}
        for name, values in params.filters.items() for value in values
    ]


def _badge(choices, value: str, default: str) -> str:
    return choices(value).badge if value in choices.values else default


def hit_view(hit) -> dict:
    """A hit with the labels and badge colours of its type and status, for the templates."""
    data = {name: getattr(hit, name) for name in hit.__dataclass_fields__}
    data.update({
        "patent_type_label": hit.patent_type_label, "legal_status_label": hit.legal_status_label,
        "patent_type_badge": _badge(PatentType, hit.patent_type, "secondary"),
        "legal_status_badge": _badge(LegalStatus, hit.legal_status, "light"),
    })
    return data


def search(request):
    """The search page; its result area (facets, hits, pagination) is also the HTMX fragment."""
    check_corpus_permission(request.user)
    params = parse_params(request.GET)
    path = request.path
    context = {
        "params": params, "sorts": SORTS, "page_sizes": PAGE_SIZES, "result": None, "error": None,
        "field_choices": QUERY_FIELDS, "examples": QUERY_EXAMPLES,
        "sync_max": settings.PATENT_EXPORT_SYNC_MAX, "export_max": settings.PATENT_EXPORT_MAX,
    }
    if not params.is_empty:
        try:
            result = engine().search(params.q, filters=params.filters or None, sort=params.sort,
                                     page=params.page, page_size=params.page_size, highlight=True)
        except query_syntax_error() as exc:
            context["error"] = syntax_error_context(exc, params.q)
        else:
            last = max(1, min(math.ceil(result.total / params.page_size), MAX_RESULT_WINDOW // params.page_size))
            context.update({
                "result": result,
                "hits": [hit_view(hit) for hit in result.hits],
                "facet_groups": _facet_groups(params, result.facets or {}, path),
                "chips": _chips(params, result.facets or {}, path),
                "page_links": [
                    {"number": n, "url": params.url(path, page=n) if n else "", "current": n == params.page}
                    for n in _page_links(params.page, last)
                ],
                "previous_url": params.url(path, page=params.page - 1) if params.page > 1 else "",
                "next_url": params.url(path, page=params.page + 1) if params.page < last else "",
                "sort_urls": {key: params.url(path, sort=key) for key in SORTS},
                "analytics_url": params.url("/patents/analytics/", sort="relevance") if params.q or params.filters
                else "",
                "filter_items": [(k, v) for k, values in params.filters.items() for v in values],
            })
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "patents/search.html#results", context)
    return render(request, "patents/search.html", context)


@require_POST
def search_export(request):
    """The current results as .xlsx or .csv: at once up to the sync limit, else a job."""
    check_corpus_permission(request.user)
    params = parse_params(request.POST)
    fmt = request.POST.get("format", "xlsx")
    if fmt not in exports.FORMATS:
        raise Http404
    back = params.url("/patents/")
    if params.is_empty:
        messages.error(request, _("Search first: the export writes the results of a search."))
        return redirect(back)
    try:
        total = engine().count(params.q, filters=params.filters or None)
    except query_syntax_error() as exc:
        messages.error(request, syntax_error_context(exc, params.q)["message"])
        return redirect(back)
    if total == 0:
        messages.info(request, _("No patents match: there is nothing to export."))
        return redirect(back)
    if total <= settings.PATENT_EXPORT_SYNC_MAX:
        numbers = exports.export_publication_numbers(q=params.q, filters=params.filters, sort=params.sort,
                                                     limit=settings.PATENT_EXPORT_SYNC_MAX)
        filename = exports.export_filename(fmt)
        if fmt == "csv":
            response = StreamingHttpResponse(exports.csv_chunks(exports.patent_rows(numbers)),
                                             content_type=exports.CONTENT_TYPES["csv"])
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        import tempfile

        # FileResponse closes (and so deletes) the file once sent.
        tmp = tempfile.TemporaryFile()  # noqa: SIM115
        exports.write_xlsx(exports.patent_rows(numbers), tmp)
        tmp.seek(0)
        return FileResponse(tmp, as_attachment=True, filename=filename, content_type=exports.CONTENT_TYPES["xlsx"])
    if total > settings.PATENT_EXPORT_MAX:
        messages.warning(request, _(
            "%(total)s patents match, more than an export may hold: the file will have the first %(max)s. "
            "Narrow the search to export the rest."
        ) % {"total": f"{total:,}", "max": f"{settings.PATENT_EXPORT_MAX:,}"})
    job = job_start(
        name="patents.export", owner=request.user,
        title=_("Export patents: %(q)s") % {"q": params.q or _("(filters only)")},
        params={"q": params.q, "filters": params.filters, "sort": params.sort, "fmt": fmt},
    )
    messages.info(request, _("The export is being prepared; this page shows its progress."))
    return redirect("core:job_detail", pk=job.pk)


def patent_for_number(value: str) -> Patent:
    """The patent of a publication number in any spelling (cn218751475u), or Http404."""
    try:
        number = normalize_publication_number(value)
    except NormalizeError as exc:
        raise Http404(str(exc)) from exc
    try:
        return Patent.objects.get(publication_number=number)
    except Patent.DoesNotExist as exc:
        raise Http404(_("No patent %(number)s in the corpus.") % {"number": number}) from exc


def patent_ipc_titles(patent: Patent) -> dict[str, str]:
    return ipc_titles([patent.ipc_main, *(patent.ipc_codes or []), *patent.ipc_subclasses])


def patent_detail(request, publication_number):
    check_corpus_permission(request.user)
    patent = patent_for_number(publication_number)
    if patent.publication_number != publication_number:
        return redirect("patents:detail", publication_number=patent.publication_number, permanent=True)
    titles = patent_ipc_titles(patent)
    return render(request, "patents/patent_detail.html", {
        "patent": patent,
        "type_label": _label(PatentType, patent.patent_type),
        "type_badge": _badge(PatentType, patent.patent_type, "secondary"),
        "applicants": [{**a, "type_label": _label(ApplicantType, a.get("type", ""))} for a in patent.applicants
                       if isinstance(a, dict)],
        "status_label": _label(LegalStatus, patent.legal_status),
        "ipc_rows": [{"code": code, "title": titles.get(code, ""), "main": code == patent.ipc_main}
                     for code in (patent.ipc_codes or ([patent.ipc_main] if patent.ipc_main else []))],
        "main_ipc_title": titles.get(patent.ipc_main, ""),
        "similar": engine().more_like_this(patent.publication_number, limit=10),
    })


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


# --- Analytics --------------------------------------------------------------------------------

CHARTS = (
    # (name, title, chart kind, category column title)
    ("year", gettext_lazy("Applications by year"), "line", gettext_lazy("Year")),
    ("applicant", gettext_lazy("Top applicants"), "hbar", gettext_lazy("Applicant")),
    ("ipc_subclass", gettext_lazy("IPC subclasses"), "hbar", gettext_lazy("IPC subclass")),
    ("province", gettext_lazy("Provinces"), "bar", gettext_lazy("Province")),
    ("type", gettext_lazy("Patent types"), "pie", gettext_lazy("Patent type")),
    ("legal_status", gettext_lazy("Legal status"), "pie", gettext_lazy("Legal status")),
)


def analytics_tables(params: SearchParams) -> dict:
    """The charts of a query (the engine's aggregations, one pass) with their tables, ready for
    the page, its JSON for ECharts and the Excel export."""
    data = engine().analytics(params.q, filters=params.filters or None)
    charts = []
    for name, title, kind, column in CHARTS:
        rows = [{"key": str(b.key), "label": str(b.label or b.key), "count": b.count} for b in data.get(name) or []]
        charts.append({"id": f"chart-{name.replace('_', '-')}", "name": name, "title": str(title), "kind": kind,
                       "column": str(column), "rows": rows})
    return {"total": data.get("total", 0), "took_ms": data.get("took_ms"), "charts": charts,
            "heatmap": heatmap(data.get("year_x_ipc_subclass"))}


def heatmap(matrix) -> dict | None:
    """The year × IPC subclass matrix as ECharts heat-map cells and a table (a row per subclass)."""
    if matrix is None or not matrix.rows or not matrix.columns:
        return None
    years = [str(r.key) for r in matrix.rows]
    subclasses = [str(c.label or c.key) for c in matrix.columns]
    cells = [[i, j, count] for i, row in enumerate(matrix.cells) for j, count in enumerate(row) if count]
    table = [[subclasses[j], *[matrix.cells[i][j] for i in range(len(years))]] for j in range(len(subclasses))]
    return {"id": "chart-year-ipc", "title": str(_("Applications by year and IPC subclass")),
            "x": years, "y": subclasses, "cells": cells, "rows": table}


@require_GET
def analytics(request):
    check_corpus_permission(request.user)
    params = parse_params(request.GET)
    context = {"params": params, "tables": None, "error": None, "examples": QUERY_EXAMPLES}
    if not params.is_empty:
        try:
            context["tables"] = analytics_tables(params)
        except query_syntax_error() as exc:
            context["error"] = syntax_error_context(exc, params.q)
        else:
            context["export_url"] = params.url("/patents/analytics/export/", sort="relevance")
            context["search_url"] = params.url("/patents/", sort="relevance")
            context["chart_data"] = {"charts": context["tables"]["charts"], "heatmap": context["tables"]["heatmap"]}
    return render(request, "patents/analytics.html", context)


@require_GET
def analytics_export(request):
    """The analytics tables of a query as one Excel workbook, a sheet per chart."""
    check_corpus_permission(request.user)
    params = parse_params(request.GET)
    if params.is_empty:
        raise Http404
    try:
        tables = analytics_tables(params)
    except query_syntax_error() as exc:
        messages.error(request, syntax_error_context(exc, params.q)["message"])
        return redirect(params.url("/patents/analytics/"))
    sheets = [{"title": c["title"], "header": [c["column"], _("Patents")],
               "rows": [[r["label"], r["count"]] for r in c["rows"]]} for c in tables["charts"]]
    if tables["heatmap"]:
        heat = tables["heatmap"]
        sheets.append({"title": heat["title"], "header": [_("IPC subclass"), *heat["x"]], "rows": heat["rows"]})
    response = HttpResponse(exports.analytics_workbook(sheets), content_type=exports.CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename("xlsx", "patent-analytics")}"'
    return response


# --- The query language, for the builder and the help panel -------------------------------------

QUERY_FIELDS = (
    ("TIAB", gettext_lazy("Title or abstract")),
    ("TI", gettext_lazy("Title")),
    ("AB", gettext_lazy("Abstract")),
    ("CL", gettext_lazy("Claims")),
    ("PA", gettext_lazy("Applicant")),
    ("IN", gettext_lazy("Inventor")),
    ("IPC", gettext_lazy("IPC (any)")),
    ("MIPC", gettext_lazy("Main IPC")),
    ("PN", gettext_lazy("Publication number")),
    ("AN", gettext_lazy("Application number")),
    ("AD", gettext_lazy("Application date")),
    ("PD", gettext_lazy("Publication date")),
    ("GD", gettext_lazy("Grant date")),
    ("PR", gettext_lazy("Province")),
    ("CITY", gettext_lazy("City")),
    ("LS", gettext_lazy("Legal status")),
    ("TYPE", gettext_lazy("Patent type")),
)
QUERY_EXAMPLES = (
    ("稀土 永磁", gettext_lazy("Bare words: all of them in the title or abstract")),
    ('TI="锂离子电池" AND PA=包头', gettext_lazy("A phrase in the title, and an applicant containing 包头")),
    ("IPC=H01M AND AD>=2020", gettext_lazy("IPC H01M (and below), applied for since 2020")),
    ("AD=[2019 TO 2022] AND PR=内蒙古", gettext_lazy("Applied for 2019–2022 by applicants in Inner Mongolia")),
    ("(牧草 OR 饲草) NOT TYPE=外观设计", gettext_lazy("Either word, designs left out")),
    ("MIPC=A23C AND LS=有权", gettext_lazy("Main IPC A23C (dairy), in force")),
    ("PN=CN218751475U", gettext_lazy("One publication number")),
)

urlpatterns = [
    re_path(r"^patents/$", search, name="search"),
    re_path(r"^patents/export/$", search_export, name="search_export"),
    re_path(r"^patents/analytics/$", analytics, name="analytics"),
    re_path(r"^patents/analytics/export/$", analytics_export, name="analytics_export"),
    re_path(rf"^patents/{PUBLICATION_NUMBER_RE}/$", patent_detail, name="detail"),
]

"""The run dashboard (专利导航 · 分析看板): one run's figures as charts, each with its data table,
and their Excel export — for the whole project and for any branch of the tree.

Everything comes from what the run stored (Snapshot.analytics for the project, SnapshotNode.
analytics for a branch; docs/navigation-analytics.md): the page never asks the search engine,
so it is the same every time it is opened, and a report made from the run says the same. The
tables, the charts' JSON and the page's sections are built once per snapshot, branch and
language and kept in the cache (a snapshot's figures do not change once it is ready).

Who may see it is who may see the project (selectors.projects_visible_to); an unknown project,
run or branch is a 404 like a project the user may not see. A run that is queued, running or
failed shows its state (and its error), polled by htmx until it is ready.
"""

from django.core.cache import cache
from django.db.models.fields.json import KeyTransform
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, get_script_prefix, path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhibao.core.maps import region_maps_loaded

from .. import exports
from ..choices import RunState, Verdict
from ..models import NavigationProject, Snapshot, SnapshotNode
from ..selectors import projects_visible_to

CACHE_VERSION = 3
CACHE_SECONDS = 7 * 24 * 3600

# The boundaries the maps are drawn with (zhibao.core: RegionMap rows, served at /maps/<name>.json
# once an administrator ran `zhibao load-maps`). China by province; Inner Mongolia by league and
# by banner only for a project positioning Inner Mongolia (GB/T 2260 code 15….).
MAP_CHINA, MAP_LEAGUES, MAP_BANNERS = "china", "neimenggu", "neimenggu_counties"

# HHI bands (0–10000) used to read the concentration in words: the thresholds of the US
# DOJ/FTC Horizontal Merger Guidelines (2010), which Chinese landscape reports quote as well.
HHI_MODERATE, HHI_HIGH = 1500, 2500


# --- reads ------------------------------------------------------------------------------------

def project_for(user, number: str) -> NavigationProject:
    return get_object_or_404(projects_visible_to(user), case__number=number)


def snapshot_for(project: NavigationProject, run: int) -> Snapshot:
    return get_object_or_404(Snapshot.objects.select_related("job", "taken_by"), project=project, number=run)


def _tree(snapshot: Snapshot) -> tuple[dict[str, dict], dict[str | None, list[str]]]:
    """The frozen tree by key, and each key's children in tree order."""
    by_key = {n["key"]: n for n in snapshot.tree or () if n.get("key")}
    children: dict[str | None, list[str]] = {}
    for key, node in by_key.items():
        children.setdefault(node.get("parent_key"), []).append(key)
    return by_key, children


def _subtree(key: str, children: dict) -> list[str]:
    out, stack = [], [key]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(children.get(current, [])))
    return out


def _ancestors(key: str, by_key: dict) -> list[dict]:
    chain, seen = [], set()
    parent = by_key.get(key, {}).get("parent_key")
    while parent and parent in by_key and parent not in seen:
        seen.add(parent)
        chain.append(by_key[parent])
        parent = by_key[parent].get("parent_key")
    return list(reversed(chain))


def _safe_reverse(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def maps_base() -> str:
    """Where the map boundaries are served (zhibao.core's /maps/<name>.json)."""
    url = _safe_reverse("core:region_map", MAP_CHINA) or _safe_reverse("region_map", MAP_CHINA)
    return url.rsplit("/", 1)[0] + "/" if url else f"{get_script_prefix()}maps/"


def _project_maps(project: NavigationProject) -> tuple[str, str]:
    return (MAP_LEAGUES, MAP_BANNERS) if str(project.region_id or "").startswith("15") else ("", "")


# --- the figures, the tables and the charts ------------------------------------------------------

def _inputs(snapshot: Snapshot, key: str | None) -> dict:
    """The arguments of exports.dashboard_tables (and the page's extras) for the whole project
    (key None) or one branch (SnapshotNode.analytics with its sub-branches' figures)."""
    analytics = snapshot.analytics or {}
    by_key, children = _tree(snapshot)
    positions_all = analytics.get("nodes") or []
    if key is None:
        keys = None
        figures = analytics.get("overall") or {}
        local = [{"key": row["key"], "name": row["name"], "local_applicants": row["local"] or []}
                 for row in SnapshotNode.objects.filter(snapshot=snapshot).order_by("pk").values(
                     "key", "name", local=KeyTransform("local_applicants", KeyTransform("geography", "analytics")))]
    else:
        node = get_object_or_404(SnapshotNode.objects.only("key", "name", "depth", "total", "analytics"),
                                 snapshot=snapshot, key=key)
        figures = node.analytics or {}
        keys = set(_subtree(key, children)) if key in by_key else {key}
        local = []

    def within(rows):
        return [r for r in rows or () if keys is None or r.get("key") in keys]

    def matrix(data, axis):
        if not data:
            return None
        return {axis: data.get(axis) or [], "rows": within(data.get("rows"))}

    return {
        "figures": figures,
        "positions": within(positions_all),
        "node_year": matrix(analytics.get("node_year"), "years"),
        "node_applicant": matrix(analytics.get("node_applicant"), "applicants"),
        "gaps": within(analytics.get("gaps")),
        "strengths": within(analytics.get("strengths")),
        "local_by_node": [n for n in local if n["local_applicants"]],
    }


def _overview(project: NavigationProject, snapshot: Snapshot, inputs: dict, node: dict | None) -> list[list]:
    f = inputs["figures"]
    region = (f.get("geography") or {}).get("region") or {}
    applicants = f.get("applicants") or {}
    lifecycle = f.get("lifecycle") or {}
    rows = [
        [_("Project"), project.title, "text"],
        [_("Case number"), project.case.number, "text"],
        [_("Run"), snapshot.number, "int"],
        [_("Data as of"), _when(snapshot.taken_at), "text"],
        [_("Scope"), snapshot.scope_query or _("None"), "text"],
        [_("Patents in the corpus"), snapshot.corpus_size, "int"],
    ]
    if node is not None:
        rows += [[_("Branch"), f"{node.get('key', '')} {node.get('name', '')}", "text"],
                 [_("Search query"), node.get("effective_query") or node.get("query") or "", "text"]]
    rows += [
        [_("Patents"), f.get("total", 0), "int"],
        [_("Technology branches"), len(inputs["positions"]), "int"],
        [_("Distinct applicants"), applicants.get("total", 0), "int"],
        [_("Grant rate"), _pct(f.get("grant_rate")), "text"],
        [_("Life-cycle phase"), lifecycle.get("label", ""), "text"],
        [_("Patents of %(region)s") % {"region": region.get("name") or project.region.name}, region.get("count", 0),
         "int"],
        [_("Share of %(region)s") % {"region": region.get("name") or project.region.name}, _pct(region.get("share")),
         "text"],
        [_("Gap branches"), len(inputs["gaps"]), "int"],
        [_("Strength branches"), len(inputs["strengths"]), "int"],
    ]
    return rows


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def build_tables(project, snapshot, key=None) -> tuple[dict, dict, dict | None]:
    """(tables by id, the inputs they came from, the branch's tree entry or None)."""
    by_key, _children = _tree(snapshot)
    if key is not None and key not in by_key:
        raise Http404
    node = by_key.get(key) if key is not None else None
    inputs = _inputs(snapshot, key)
    tables = exports.dashboard_tables(
        inputs["figures"], positions=inputs["positions"], node_year=inputs["node_year"],
        node_applicant=inputs["node_applicant"], gaps=inputs["gaps"], strengths=inputs["strengths"],
        local_by_node=inputs["local_by_node"], overview=_overview(project, snapshot, inputs, node))
    return tables, inputs, node


def _node_label(row: dict) -> str:
    return f"{row.get('key', '')} {row.get('name', '')}".strip()


def chart_data(inputs: dict, *, league_map: str, banner_map: str) -> dict:
    """What dashboard.js draws, keyed by panel id (its container is id "chart-<panel id>").
    Names of series and axes are in the page's language; the numbers are the tables' numbers."""
    f = inputs["figures"]
    trend = f.get("trend") or []
    years = [str(t.get("year", "")) for t in trend]
    applicants = f.get("applicants") or {}
    geo = f.get("geography") or {}
    legal = f.get("legal") or {}
    ipc = f.get("ipc") or {}
    lifecycle = f.get("lifecycle") or {}
    patents = _("Patents")
    charts: dict[str, dict] = {}

    def bars(labels, series, horizontal=False):
        return {"kind": "bars", "labels": labels, "series": series, "horizontal": horizontal}

    if trend:
        charts["trend"] = bars(years, [
            {"name": _("Applications"), "type": "bar", "data": [t.get("applications", 0) for t in trend]},
            {"name": _("Grants"), "type": "line", "data": [t.get("grants", 0) for t in trend]}])
    points = lifecycle.get("points") or []
    if points:
        charts["lifecycle"] = {"kind": "lifecycle", "x": _("Number of applicants"), "y": _("Applications"),
                               "points": [[p.get("applicants", 0), p.get("applications", 0), str(p.get("year", ""))]
                                          for p in points]}
    if f.get("types"):
        charts["types"] = {"kind": "pie", "name": _("Patent types"),
                           "rows": [{"name": t.get("label") or t.get("key"), "value": t.get("count", 0)}
                                    for t in f["types"]]}
    top = applicants.get("top") or []
    if top:
        charts["applicants"] = {"kind": "applicants", "name": patents,
                                "labels": [a.get("name", "") for a in top],
                                "types": [a.get("type_label") or a.get("type") or "" for a in top],
                                "values": [a.get("count", 0) for a in top]}
    if applicants.get("types"):
        charts["applicant_types"] = {"kind": "pie", "name": _("Applicant types"),
                                     "rows": [{"name": t.get("label") or t.get("key"), "value": t.get("count", 0)}
                                              for t in applicants["types"]]}
    entrants = applicants.get("new_entrants") or []
    if entrants:
        charts["new_entrants"] = bars([str(e.get("year", "")) for e in entrants], [
            {"name": _("New applicants"), "type": "bar", "data": [e.get("count", 0) for e in entrants]}])
    network = applicants.get("network") or {}
    if network.get("nodes"):
        charts["network"] = {"kind": "graph", "name": _("Joint patents"),
                             "nodes": [{"name": n.get("name", ""), "value": n.get("count", 0)} for n in network["nodes"]],
                             "links": [{"source": x.get("source", ""), "target": x.get("target", ""),
                                        "value": x.get("count", 0)} for x in network.get("links") or ()]}
    for chart_id, rows in (("ipc_subclasses", ipc.get("subclasses")), ("ipc_groups", ipc.get("groups"))):
        if rows:
            charts[chart_id] = bars([f"{r.get('code', '')} {r.get('title', '')}" for r in rows],
                                    [{"name": patents, "type": "bar", "data": [r.get("count", 0) for r in rows]}],
                                    horizontal=True)
    for chart_id, data, axis in (("node_year", inputs["node_year"], "years"),
                                 ("node_applicant", inputs["node_applicant"], "applicants")):
        if data and data.get("rows"):
            rows = data["rows"]
            charts[chart_id] = {"kind": "heatmap", "name": patents, "x": [str(x) for x in data.get(axis) or ()],
                                "y": [_node_label(r) for r in rows],
                                "cells": [[i, j, c] for j, r in enumerate(rows)
                                          for i, c in enumerate(r.get("counts") or ()) if c]}
    for chart_id, rows, map_name in (("provinces", geo.get("provinces"), MAP_CHINA),
                                     ("leagues", geo.get("leagues"), league_map),
                                     ("banners", geo.get("banners"), banner_map)):
        if rows:
            charts[chart_id] = {"kind": "map", "map": map_name, "name": patents,
                                "rows": [{"name": r.get("name", ""), "value": r.get("count", 0), "code": r.get("code", "")}
                                         for r in rows]}
    positions = [p for p in inputs["positions"] if p.get("total")]
    if positions:
        charts["positions"] = {
            "kind": "bars", "horizontal": False, "percent": True,
            "labels": [_node_label(p) for p in positions],
            "series": [
                {"name": _("Region's share"), "type": "bar",
                 "data": [round((p.get("region_share") or 0) * 100, 2) for p in positions]},
                {"name": _("National share"), "type": "bar",
                 "data": [round((p.get("national_share") or 0) * 100, 2) for p in positions]},
                {"name": _("Location quotient"), "type": "scatter", "axis": 1,
                 "data": [p.get("location_quotient") for p in positions]},
            ],
            "marks": [inputs.get("gap_lq"), inputs.get("strength_lq")],
        }
    if legal.get("status"):
        charts["legal_status"] = {"kind": "pie", "name": _("Legal status"),
                                  "rows": [{"name": s.get("label") or s.get("key"), "value": s.get("count", 0)}
                                           for s in legal["status"]]}
    if legal:
        lapse = legal.get("lapse_risk") or {}
        charts["operations"] = bars([_("Lapse risk"), _("Transfers"), _("Licences"), _("Pledges")], [
            {"name": patents, "type": "bar", "data": [lapse.get("count", 0), legal.get("transfers", 0),
                                                      legal.get("licences", 0), legal.get("pledges", 0)]}])
    return charts


def _concentration_reading(hhi) -> str:
    if hhi is None:
        return ""
    if hhi < HHI_MODERATE:
        return _("unconcentrated: many applicants, none dominant")
    if hhi < HHI_HIGH:
        return _("moderately concentrated")
    return _("highly concentrated: a few applicants hold most patents")


def _panel(table_id, tables, *, width="col-xl-6", chart=True, height=320, lead="", stats=(), collapsed=False,
           map_name=None, charts=None, extra=(), include="", title=""):
    """One card of the dashboard: a chart (container "chart-<id>") over its data tables."""
    table = tables.get(table_id)
    if table is None:
        return None
    has_chart = chart and charts is not None and table_id in charts
    more = [tables[t] for t in extra if t in tables]
    return {"id": table_id, "title": title or table["title"], "width": width, "chart": has_chart, "height": height,
            "lead": lead, "stats": list(stats), "tables": [table, *more], "open": not (has_chart or collapsed),
            "map": map_name, "include": include}


def build_page(project: NavigationProject, snapshot: Snapshot, key: str | None = None) -> dict:
    """The dashboard's sections, tables (as display cells), charts and header figures."""
    tables, inputs, node = build_tables(project, snapshot, key)
    # The thresholds the run judged with (stored on the snapshot), not the project's current ones.
    thresholds = {"gap_lq": float(project.gap_lq), "strength_lq": float(project.strength_lq),
                  "min_node_patents": project.min_node_patents, **((snapshot.analytics or {}).get("thresholds") or {})}
    inputs["gap_lq"], inputs["strength_lq"] = float(thresholds["gap_lq"]), float(thresholds["strength_lq"])
    league_map, banner_map = _project_maps(project)
    charts = chart_data(inputs, league_map=league_map, banner_map=banner_map)
    number = project.case.number

    def patent_url(value):
        return _safe_reverse("patents:detail", value)

    def node_url(value):
        return _safe_reverse("navigation:snapshot_node", number, snapshot.number, value)

    for table in tables.values():
        table["cells"] = exports.display_rows(table, patent_url=patent_url, node_url=node_url)
        table["labels"] = [(label, kind in exports.NUMERIC) for label, kind in table["columns"]]

    f = inputs["figures"]
    applicants = f.get("applicants") or {}
    lifecycle = f.get("lifecycle") or {}
    legal = f.get("legal") or {}
    region = (f.get("geography") or {}).get("region") or {}
    region_name = region.get("name") or project.region.name
    hhi = applicants.get("hhi")

    def panel(table_id, **kwargs):
        return _panel(table_id, tables, charts=charts, **kwargs)

    lifecycle_lead = ""
    if lifecycle.get("label"):
        lifecycle_lead = lifecycle.get("reason", "")
    concentration_stats = [
        {"label": _("Distinct applicants"), "value": applicants.get("total", 0)},
        {"label": "CR4", "value": _pct(applicants.get("cr4"))},
        {"label": "CR8", "value": _pct(applicants.get("cr8"))},
        {"label": "HHI", "value": "—" if hhi is None else f"{hhi:.0f}"},
    ]
    concentration_lead = _(
        "CR4 and CR8 are the shares of the 4 and the 8 largest applicants in all applicants' patent counts (a "
        "co-applied patent counts once for each of its applicants); HHI is the sum of the squared percentage "
        "shares of every applicant (0–10000): below %(moderate)d unconcentrated, above %(high)d highly "
        "concentrated.") % {"moderate": HHI_MODERATE, "high": HHI_HIGH}
    if hhi is not None:
        concentration_lead += " " + _("Here: %(reading)s.") % {"reading": _concentration_reading(hhi)}
    lapse = legal.get("lapse_risk") or {}
    grant_rate = f.get("grant_rate")
    sections = [
        {"id": "trend", "title": _("Trend and life cycle"), "panels": [
            panel("trend", width="col-xl-7", height=360),
            panel("lifecycle", width="col-xl-5", height=360, lead=lifecycle_lead),
        ]},
        {"id": "types", "title": _("Patent types and legal status"), "panels": [
            panel("types", width="col-lg-6 col-xl-4", height=280, stats=[
                {"label": _("Grant rate"), "value": _pct(grant_rate),
                 "hint": _("Granted inventions among inventions with a decision (granted, rejected, withdrawn).")}]),
            panel("legal_status", width="col-lg-6 col-xl-4", height=280, stats=[
                {"label": _("Lapse risk"), "value": lapse.get("count", 0), "hint": lapse.get("rule", "")}]),
            panel("operations", width="col-lg-12 col-xl-4", height=280, stats=[
                {"label": _("Transfers"), "value": legal.get("transfers", 0)},
                {"label": _("Licences"), "value": legal.get("licences", 0)},
                {"label": _("Pledges"), "value": legal.get("pledges", 0)}]),
        ]},
        {"id": "applicants", "title": _("Applicants"), "panels": [
            panel("applicants", width="col-xl-7", height=max(320, 24 * len(applicants.get("top") or ()) + 60)),
            panel("applicant_types", width="col-xl-5", height=260, stats=concentration_stats,
                  lead=concentration_lead, extra=["concentration"], title=_("Applicant types and concentration")),
            panel("new_entrants", width="col-xl-5", height=360),
            panel("network", width="col-xl-7", height=460, lead=_(
                "Applicants among the top who file together; the thicker the line, the more joint patents.")),
        ]},
        {"id": "technology", "title": _("Technology"), "panels": [
            panel("ipc_subclasses", width="col-xl-6", height=360),
            panel("ipc_groups", width="col-xl-6", height=360),
            panel("node_year", width="col-12", height=max(260, 30 * len((inputs["node_year"] or {}).get("rows") or ())
                                                             + 110)),
            panel("node_applicant", width="col-12",
                  height=max(260, 30 * len((inputs["node_applicant"] or {}).get("rows") or ()) + 190)),
        ]},
        {"id": "geography", "title": _("Geography and the region's position"), "panels": [
            panel("provinces", width="col-xl-6", height=460, map_name=MAP_CHINA),
            panel("leagues", width="col-xl-6", height=460, map_name=league_map),
            panel("banners", width="col-xl-7", height=460, map_name=banner_map),
            panel("local_applicants", width="col-xl-5", chart=False),
            panel("positions", width="col-12", height=380, lead=_(
                "Region's share: the branch's patents of %(region)s among all of the region's patents in the project; "
                "national share: the branch's Chinese patents among all Chinese patents of the project; location "
                "quotient (LQ) = region's share ÷ national share. A branch with at least %(min)d patents is a gap "
                "below LQ %(gap)s and a strength from LQ %(strength)s.") % {
                    "region": region_name, "min": int(thresholds["min_node_patents"]),
                    "gap": f'{float(thresholds["gap_lq"]):.2f}', "strength": f'{float(thresholds["strength_lq"]):.2f}'}),
            panel("gaps", width="col-12", chart=False, extra=["strengths"], title=_("Gap and strength branches"),
                  include="navigation/_dashboard_verdicts.html", collapsed=True),
        ]},
        {"id": "key-patents", "title": _("Key patents"), "panels": [
            panel("key_patents", width="col-12", chart=False, lead=_(
                "Ranked by a score of citations, family size, transfers and licences, and claims.")),
        ]},
    ]
    for section in sections:
        section["panels"] = [p for p in section["panels"] if p is not None]

    def verdict_rows(rows):
        return [_with_pcts({**r, "url": node_url(r.get("key", "")), "label": _node_label(r)}) for r in rows]

    by_key, children = _tree(snapshot)
    positions = {p.get("key"): p for p in (snapshot.analytics or {}).get("nodes") or ()}

    def child_row(child_key):
        entry = by_key.get(child_key, {})
        pos = positions.get(child_key, {})
        return {"key": child_key, "name": entry.get("name", ""), "total": pos.get("total"),
                "verdict": pos.get("verdict"), "url": node_url(child_key)}

    child_keys = children.get(key, [])  # the roots for the project (key None)
    position = positions.get(key) if key is not None else None
    if position:
        position = {**_with_pcts(position), "verdict_label": _verdict_label(position.get("verdict")),
                    "verdict_badge": _verdict_badge(position.get("verdict"))}
    return {
        "sections": sections,
        "charts": charts,
        "gaps": verdict_rows(inputs["gaps"]),
        "strengths": verdict_rows(inputs["strengths"]),
        "header": {
            "total": f.get("total", 0), "applicants": applicants.get("total", 0),
            "branches": len(inputs["positions"]), "grant_rate": _pct(grant_rate),
            "region_name": region_name, "region_count": region.get("count", 0),
            "region_share": _pct(region.get("share")), "years": _years(f),
            "phase": lifecycle.get("label", ""), "phase_key": lifecycle.get("phase", ""),
        },
        "node": node, "position": position,
        "breadcrumbs": [{"key": a["key"], "name": a.get("name", ""), "url": node_url(a["key"])}
                        for a in _ancestors(key, by_key)] if key is not None else [],
        "children": [child_row(k) for k in child_keys],
    }


def _with_pcts(row: dict) -> dict:
    return {**row, "region_share_pct": _pct(row.get("region_share")), "national_share_pct": _pct(
        row.get("national_share")), "lq": "—" if row.get("location_quotient") is None else
        f"{row['location_quotient']:.2f}"}


def _years(figures: dict) -> str:
    years = figures.get("years") or [t.get("year") for t in figures.get("trend") or ()]
    years = [y for y in years if y]
    return f"{min(years)}–{max(years)}" if years else ""


def _verdict_label(value) -> str:
    try:
        return str(Verdict(value).label)
    except ValueError:
        return ""


def _verdict_badge(value) -> str:
    try:
        return Verdict(value).badge
    except ValueError:
        return "secondary"


def cached_page(project: NavigationProject, snapshot: Snapshot, key: str | None = None) -> dict:
    """build_page, kept per snapshot, branch and language (a ready snapshot's figures are
    fixed; a re-executed run gets a new taken_at and so a new entry)."""
    stamp = snapshot.taken_at.timestamp() if snapshot.taken_at else 0
    cache_key = (f"navigation:dashboard:v{CACHE_VERSION}:{snapshot.pk}:{stamp}:{key or ''}:{get_language()}:"
                 f"{get_script_prefix()}")
    page = cache.get(cache_key)
    if page is None:
        page = build_page(project, snapshot, key)
        # The sections are the same for everyone who may see them (no form, no user's data):
        # rendered here once, the page then only renders its header around them. (The body is a
        # SafeString, and stays one through the cache's pickling.)
        page["body"] = render_to_string("navigation/_dashboard_sections.html", {
            "page": page, "maps_base": maps_base(), "snapshot": snapshot})
        page = {k: v for k, v in page.items() if k not in ("sections", "charts")} | {
            "toc": [{"id": section["id"], "title": section["title"]} for section in page["sections"]]}
        cache.set(cache_key, page, CACHE_SECONDS)
    return page


# --- views ------------------------------------------------------------------------------------

def _context(request, project, snapshot) -> dict:
    runs = list(project.snapshots.filter(state=RunState.READY).order_by("-number").values_list("number", "taken_at"))
    job = snapshot.job
    return {
        "project": project, "snapshot": snapshot, "runs": runs,
        "state_badge": RunState(snapshot.state).badge if snapshot.state in RunState.values else "secondary",
        "job": job, "run_error": snapshot.error, "job_url": reverse("core:job_detail", args=[job.pk]) if job and job.owner_id == request.user.pk
        else "", "maps_base": maps_base(), "maps_loaded": region_maps_loaded(),
        "project_url": _safe_reverse("navigation:project_detail", project.case.number)
        or project.case.get_absolute_url(),
    }


def _not_ready(request, context: dict) -> HttpResponse:
    """A queued, running or failed run: its state (and error) instead of the figures. While the run
    is unfinished the state block is polled; once ready the poll reloads the whole page."""
    snapshot = context["snapshot"]
    if request.htmx and snapshot.state == RunState.READY:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    template = "navigation/dashboard.html#run-state" if request.htmx else "navigation/dashboard.html"
    return render(request, template, context)


@require_GET
def snapshot_dashboard(request, number: str, run: int):
    project = project_for(request.user, number)
    snapshot = snapshot_for(project, run)
    context = _context(request, project, snapshot)
    if snapshot.state != RunState.READY or request.htmx:
        return _not_ready(request, context)
    context["page"] = cached_page(project, snapshot)
    context["export_url"] = reverse("navigation:snapshot_export", args=[number, run])
    return render(request, "navigation/dashboard.html", context)


@require_GET
def snapshot_node(request, number: str, run: int, key: str):
    project = project_for(request.user, number)
    snapshot = snapshot_for(project, run)
    by_key, _children = _tree(snapshot)
    if key not in by_key:
        raise Http404
    context = _context(request, project, snapshot)
    context["node_key"] = key
    context["node_name"] = by_key[key].get("name", "")
    if snapshot.state != RunState.READY or request.htmx:
        return _not_ready(request, context)
    context["page"] = cached_page(project, snapshot, key)
    context["export_url"] = reverse("navigation:snapshot_node_export", args=[number, run, key])
    return render(request, "navigation/dashboard.html", context)


def _export(project, snapshot, key=None) -> HttpResponse:
    if snapshot.state != RunState.READY:
        raise Http404
    tables, _inputs_, _node = build_tables(project, snapshot, key)
    response = HttpResponse(exports.dashboard_workbook(tables), content_type=exports.XLSX_CONTENT_TYPE)
    filename = exports.dashboard_filename(project.case.number, snapshot.number, key or "")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def snapshot_export(request, number: str, run: int):
    project = project_for(request.user, number)
    return _export(project, snapshot_for(project, run))


@require_GET
def snapshot_node_export(request, number: str, run: int, key: str):
    project = project_for(request.user, number)
    snapshot = snapshot_for(project, run)
    if key not in _tree(snapshot)[0]:
        raise Http404
    return _export(project, snapshot, key)


urlpatterns = [
    path("<str:number>/runs/<int:run>/", snapshot_dashboard, name="snapshot_dashboard"),
    path("<str:number>/runs/<int:run>/export.xlsx", snapshot_export, name="snapshot_export"),
    path("<str:number>/runs/<int:run>/nodes/<str:key>/", snapshot_node, name="snapshot_node"),
    path("<str:number>/runs/<int:run>/nodes/<str:key>/export.xlsx", snapshot_node_export,
         name="snapshot_node_export"),
]

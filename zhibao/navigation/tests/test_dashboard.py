"""The run dashboard (views/dashboard.py) and its Excel export, on the stored figures of a
realistic 12-branch project (sample_data.sample_context: 稀土永磁, 2005–2024).

`analyst` leads the project; `analyst2` (another analyst) and `leader` read it; `bob`, an
applicant with no role, is the stranger who gets a 404 for everything of it.
"""

import io
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from zhibao.conftest import login
from zhibao.navigation.choices import RunState
from zhibao.navigation.models import Snapshot, SnapshotNode

from .sample_data import sample_context

INNER_MONGOLIA = "150000"


def make_project(user, title="高性能钕铁硼稀土永磁材料产业专利导航"):
    from zhibao.navigation.services.projects import project_create

    project, _created = project_create(user=user, title=title, industry="稀土永磁", purpose="industry_planning",
                                       region=INNER_MONGOLIA, description="示例项目")
    return project


def make_snapshot(project, user, *, number=1, state=RunState.READY, error="", keys=None) -> Snapshot:
    """A snapshot written directly from the sample's figures, as snapshot_execute stores them
    (project_analytics minus node_results/publication_numbers on the Snapshot, each branch's
    node_analytics on its SnapshotNode). `keys` keeps only those branches (a smaller tree)."""
    context = sample_context()
    analytics = dict(context["analytics"])
    node_results = analytics.pop("node_results")
    numbers = analytics.pop("publication_numbers")
    tree = [dict(n, node_id=None) for n in context["nodes"] if keys is None or n["key"] in keys]
    ready = state == RunState.READY
    if keys is not None:
        analytics["nodes"] = [n for n in analytics["nodes"] if n["key"] in keys]
    snapshot = Snapshot.objects.create(
        project=project, number=number, taken_by=user, state=state, tree=tree, scope_query="AD>=2005",
        corpus_size=context["snapshot"]["corpus_size"], total=analytics["overall"]["total"] if ready else 0,
        analytics=analytics if ready else {}, taken_at=timezone.now() if ready else None, error=error,
        took_ms=850.0 if ready else 0)
    if ready:
        SnapshotNode.objects.bulk_create([
            SnapshotNode(snapshot=snapshot, key=n["key"], name=n["name"], depth=n["depth"],
                         total=node_results[n["key"]]["total"], numbers_blob=SnapshotNode.pack(numbers[n["key"]]),
                         analytics=node_results[n["key"]]) for n in tree])
    return snapshot


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def project(analyst):
    return make_project(analyst)


@pytest.fixture
def snapshot(project, analyst):
    return make_snapshot(project, analyst)


@pytest.fixture
def figures():
    analytics = sample_context()["analytics"]
    return analytics


def dashboard_url(snapshot, key=None):
    args = [snapshot.project.case.number, snapshot.number]
    return reverse("navigation:snapshot_node", args=[*args, key]) if key else reverse(
        "navigation:snapshot_dashboard", args=args)


def export_url(snapshot, key=None):
    args = [snapshot.project.case.number, snapshot.number]
    return reverse("navigation:snapshot_node_export", args=[*args, key]) if key else reverse(
        "navigation:snapshot_export", args=args)


def table(html: str, table_id: str) -> str:
    start = html.index(f'id="table-{table_id}"')
    return html[start:html.index("</table>", start)]


def cell(value) -> str:
    return f">{value}</td>"


# --- who sees it ------------------------------------------------------------------------------

def test_the_team_and_the_readers_see_the_dashboard(snapshot, analyst, analyst2, leader):
    for user in (analyst, analyst2, leader):
        response = login(user).get(dashboard_url(snapshot))
        assert response.status_code == 200, user
        assert "dashboard.js" in response.content.decode()


def test_bob_the_stranger_gets_404_for_everything(snapshot, bob):
    client = login(bob)
    for url in (dashboard_url(snapshot), dashboard_url(snapshot, "1.1"), export_url(snapshot),
                export_url(snapshot, "1.1")):
        assert client.get(url).status_code == 404, url


def test_an_anonymous_visitor_is_sent_to_log_in(snapshot, client):
    response = client.get(dashboard_url(snapshot))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unknown_run_or_branch_is_404(snapshot, analyst):
    client = login(analyst)
    number = snapshot.project.case.number
    assert client.get(reverse("navigation:snapshot_dashboard", args=[number, 99])).status_code == 404
    assert client.get(reverse("navigation:snapshot_export", args=[number, 99])).status_code == 404
    assert client.get(reverse("navigation:snapshot_dashboard", args=["NAV-2026-999999", 1])).status_code == 404
    assert client.get(dashboard_url(snapshot, "9.9")).status_code == 404
    assert client.get(export_url(snapshot, "9.9")).status_code == 404


def test_a_run_of_another_project_is_not_reached_through_this_one(snapshot, analyst):
    other = make_project(analyst, title="另一个导航项目")
    client = login(analyst)
    # Run 1 exists for `snapshot.project` only: the other project has no run 1.
    assert client.get(reverse("navigation:snapshot_dashboard", args=[other.case.number, 1])).status_code == 404


# --- the figures ------------------------------------------------------------------------------

def test_the_header_and_tables_show_the_snapshots_numbers(snapshot, analyst, figures):
    html = login(analyst).get(dashboard_url(snapshot)).content.decode()
    overall = figures["overall"]
    assert f'data-figure="total">{overall["total"]}<' in html
    assert f'data-figure="applicants">{overall["applicants"]["total"]}<' in html
    assert f'data-figure="branches">{len(figures["nodes"])}<' in html
    assert f'data-figure="region_count">{overall["geography"]["region"]["count"]}<' in html
    assert 'data-figure="scope">AD&gt;=2005<' in html
    for section in ("trend", "types", "applicants", "technology", "geography", "key-patents"):
        assert f'href="#section-{section}"' in html and f'id="section-{section}"' in html

    trend = table(html, "trend")
    for row in overall["trend"][:3]:
        assert f'<td>{row["year"]}</td><td class="text-end text-nowrap">{row["applications"]}</td>' in trend
    first = overall["applicants"]["top"][0]
    applicants = table(html, "applicants")
    assert f"<td>{first['name']}</td>" in applicants and f'<td class="text-nowrap">{first["type_label"]}</td>' in applicants
    assert cell(first["count"]) in applicants
    concentration = table(html, "concentration")
    assert cell(f"{overall['applicants']['cr4'] * 100:.1f}%") in concentration
    assert cell(f"{overall['applicants']['hhi']:.2f}") in concentration
    subclass = overall["ipc"]["subclasses"][0]
    ipc = table(html, "ipc_subclasses")
    assert subclass["code"] in ipc and subclass["title"] in ipc and cell(subclass["count"]) in ipc
    province = overall["geography"]["provinces"][0]
    assert f"<td>{province['name']}</td>" in table(html, "provinces") and cell(province["count"]) in table(
        html, "provinces")
    banner = overall["geography"]["banners"][0]
    assert banner["code"] in table(html, "banners") and cell(banner["count"]) in table(html, "banners")
    link = overall["applicants"]["network"]["links"][0]
    assert link["source"] in table(html, "network")
    node_year = table(html, "node_year")
    row = figures["node_year"]["rows"][2]
    assert row["name"] in node_year and cell(row["counts"][-1]) in node_year
    assert table(html, "node_applicant").count("<tr>") == len(figures["node_applicant"]["rows"]) + 1

    # Legal status, operations and key patents (each linking to the patent's page).
    status = overall["legal"]["status"][0]
    assert f"<td>{status['label']}</td>" in table(html, "legal_status")
    operations = table(html, "operations")
    assert cell(overall["legal"]["transfers"]) in operations and overall["legal"]["lapse_risk"]["rule"] in operations
    patent = overall["key_patents"][0]
    url = reverse("patents:detail", args=[patent["publication_number"]])
    assert f'<a href="{url}">{patent["publication_number"]}</a>' in table(html, "key_patents")


def test_gap_and_strength_branches_are_listed_with_their_figures(snapshot, analyst, figures):
    html = login(analyst).get(dashboard_url(snapshot)).content.decode()
    assert figures["gaps"] and figures["strengths"]
    for row in figures["gaps"]:
        assert f'data-verdict="gaps" data-node="{row["key"]}"' in html
        block = html[html.index(f'data-verdict="gaps" data-node="{row["key"]}"'):]
        block = block[:block.index("</div>\n</div>") if "</div>\n</div>" in block else 2000]
        assert f"{row['region_share'] * 100:.1f}%" in block and f"{row['national_share'] * 100:.1f}%" in block
        assert f"{row['location_quotient']:.2f}" in block and escape(row["reason"]) in block
    for row in figures["strengths"]:
        assert f'data-verdict="strengths" data-node="{row["key"]}"' in html
    positions = table(html, "positions")
    gap = figures["gaps"][0]
    node_url = reverse("navigation:snapshot_node", args=[snapshot.project.case.number, 1, gap["key"]])
    assert f'<a href="{node_url}">{gap["key"]}</a>' in positions
    assert cell(gap["region_count"]) in positions and cell(f"{gap['location_quotient']:.2f}") in positions
    # Local applicants per branch come from each branch's own figures.
    local = table(html, "local_applicants")
    some = next(r for r in figures["node_results"].values() if r["geography"]["local_applicants"])
    assert some["geography"]["local_applicants"][0]["name"] in local


def test_the_charts_json_carries_the_same_numbers(snapshot, analyst, figures):
    import json

    response = login(analyst).get(dashboard_url(snapshot))
    html = response.content.decode()
    data = json.loads(html.split('id="dashboard-data" type="application/json">', 1)[1].split("</script>", 1)[0])
    overall = figures["overall"]
    assert data["trend"]["series"][0]["data"] == [t["applications"] for t in overall["trend"]]
    assert data["provinces"] == {"kind": "map", "map": "china", "name": "专利", "rows": [
        {"name": p["name"], "value": p["count"], "code": ""} for p in overall["geography"]["provinces"]]}
    assert data["leagues"]["map"] == "neimenggu" and data["banners"]["map"] == "neimenggu_counties"
    assert data["network"]["kind"] == "graph" and len(data["network"]["links"]) == len(
        overall["applicants"]["network"]["links"])
    assert len(data["node_year"]["y"]) == len(figures["node_year"]["rows"])
    # Every chart has its data table on the page.
    for chart_id in data:
        assert f'id="table-{chart_id}"' in html, chart_id
    # The map fallback's note is there for the script to show when a map is not loaded.
    assert 'data-map-note="provinces"' in html and "zhibao load-maps" in html


def test_a_branch_page_has_its_own_figures_breadcrumbs_and_children(snapshot, analyst, figures):
    node = figures["node_results"]["1.1.1"]
    html = login(analyst).get(dashboard_url(snapshot, "1.1.1")).content.decode()
    assert f'data-figure="total">{node["total"]}<' in html
    assert cell(node["applicants"]["top"][0]["count"]) in table(html, "applicants")
    crumbs = html[html.index('id="dashboard-breadcrumbs"'):html.index("</ol>")]
    assert dashboard_url(snapshot) in crumbs
    assert dashboard_url(snapshot, "1") in crumbs and dashboard_url(snapshot, "1.1") in crumbs
    position = next(n for n in figures["nodes"] if n["key"] == "1.1.1")
    assert position["verdict"] == "gap"
    assert 'id="node-position"' in html and escape(position["reason"]) in html
    # Its heat maps and region table cover the branch and what is under it only.
    assert table(html, "node_year").count("<tr>") == 2
    assert table(html, "positions").count("<tr>") == 2

    parent = login(analyst).get(dashboard_url(snapshot, "1.1")).content.decode()
    children = parent[parent.index('id="dashboard-children"'):]
    assert dashboard_url(snapshot, "1.1.1") in children and dashboard_url(snapshot, "1.1.2") in children
    assert table(parent, "node_year").count("<tr>") == 4  # header, 1.1, 1.1.1, 1.1.2
    assert f'data-figure="total">{figures["node_results"]["1.1"]["total"]}<' in parent


def test_a_run_that_found_no_patents_still_renders_and_exports(project, analyst):
    tree = [{"key": "1", "name": "空分支", "parent_key": None, "depth": 1, "query": "TIAB=不存在", "node_id": None}]
    empty = Snapshot.objects.create(project=project, number=1, taken_by=analyst, state=RunState.READY, tree=tree,
                                    analytics={"overall": {"total": 0}, "nodes": [], "gaps": [], "strengths": []},
                                    taken_at=timezone.now())
    SnapshotNode.objects.create(snapshot=empty, key="1", name="空分支", analytics={"total": 0})
    client = login(analyst)
    for url in (dashboard_url(empty), dashboard_url(empty, "1")):
        html = client.get(url).content.decode()
        assert 'data-figure="total">0<' in html and "无数据。" in html
    assert client.get(export_url(empty)).status_code == 200


# --- the Excel export -------------------------------------------------------------------------

def test_the_export_has_a_sheet_per_table_with_the_numbers(snapshot, analyst, figures):
    from openpyxl import load_workbook

    response = login(analyst).get(export_url(snapshot))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f'filename="{snapshot.project.case.number}-run1-' in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    names = wb.sheetnames
    for title in ("概览", "历年申请趋势", "技术生命周期", "主要申请人", "申请人集中度", "合作申请网络", "IPC 小类",
                  "IPC 大组", "各分支历年申请量", "各分支主要申请人专利量", "各省份专利量", "各盟市专利量",
                  "各旗县（市、区）专利量", "各分支的区域占比", "短板分支", "优势分支", "各分支本地申请人", "法律状态",
                  "失效风险与转让、许可、质押", "重点专利"):
        assert title in names, (title, names)
    overall = figures["overall"]
    trend = list(wb["历年申请趋势"].iter_rows(values_only=True))
    assert trend[0] == ("年份", "申请量", "授权量", "申请人数")
    assert trend[1] == (str(overall["trend"][0]["year"]), overall["trend"][0]["applications"],
                        overall["trend"][0]["grants"], overall["trend"][0]["applicants"])
    top = list(wb["主要申请人"].iter_rows(values_only=True))
    first = overall["applicants"]["top"][0]
    assert top[1][:4] == (1, first["name"], first["type_label"], first["count"])
    concentration = list(wb["申请人集中度"].iter_rows(values_only=True))
    assert concentration[0] == ("申请人数量", "CR4 (%)", "CR8 (%)", "HHI")
    assert concentration[1][1] == round(overall["applicants"]["cr4"] * 100, 2)
    gaps = list(wb["短板分支"].iter_rows(values_only=True))
    assert [row[0] for row in gaps[1:]] == [g["key"] for g in figures["gaps"]]
    assert gaps[1][7] == round(figures["gaps"][0]["location_quotient"], 2)
    keys = list(wb["重点专利"].iter_rows(values_only=True))
    assert keys[1][0] == overall["key_patents"][0]["publication_number"]


def test_a_branch_export_and_formula_safe_cells(snapshot, analyst, figures):
    from openpyxl import load_workbook

    node = SnapshotNode.objects.get(snapshot=snapshot, key="3.1")
    node.analytics["applicants"]["top"][0]["name"] = "=HYPERLINK(\"http://evil\")"
    node.save()
    response = login(analyst).get(export_url(snapshot, "3.1"))
    assert response.status_code == 200 and "-run1-3.1-" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    overview = {row[0]: row[1] for row in wb["概览"].iter_rows(values_only=True)}
    assert overview["专利"] == figures["node_results"]["3.1"]["total"]
    assert overview["技术分支数"] == 1 and overview["技术分支"] == "3.1 新能源汽车驱动电机"
    top = list(wb["主要申请人"].iter_rows(values_only=True))
    assert top[1][1] == "'=HYPERLINK(\"http://evil\")"


# --- runs that are not ready ------------------------------------------------------------------

def test_a_failed_run_shows_its_state_and_error(project, analyst):
    failed = make_snapshot(project, analyst, state=RunState.FAILED, error="检索式语法错误：第 3 个分支缺少右括号")
    response = login(analyst).get(dashboard_url(failed))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="run-state"' in html and 'data-state="failed"' in html
    assert "检索式语法错误：第 3 个分支缺少右括号" in html
    assert "dashboard-data" not in html and "dashboard-export" not in html and "hx-trigger" not in html
    assert login(analyst).get(export_url(failed)).status_code == 404


def test_an_unfinished_run_is_polled_until_it_is_ready(project, analyst):
    running = make_snapshot(project, analyst, state=RunState.RUNNING)
    client = login(analyst)
    html = client.get(dashboard_url(running)).content.decode()
    assert 'data-state="running"' in html and 'hx-trigger="every 3s"' in html and "dashboard-data" not in html
    fragment = client.get(dashboard_url(running), headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and fragment.content.decode().lstrip().startswith('<div id="run-state"')
    # The worker finishes: the next poll reloads the whole page.
    running.delete()
    ready = make_snapshot(project, analyst, number=running.number)
    done = client.get(dashboard_url(ready), headers={"HX-Request": "true"})
    assert done.status_code == 204 and done["HX-Refresh"] == "true"


# --- speed ------------------------------------------------------------------------------------

def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_page_keeps_a_small_constant_query_budget(project, analyst, django_assert_max_num_queries):
    big = make_snapshot(project, analyst, number=1)
    small = make_snapshot(project, analyst, number=2, keys={"1", "1.1", "1.1.1"})
    client = login(analyst)
    client.get(reverse("navigation:project_list"))  # the session's own first-request queries
    with django_assert_max_num_queries(12):
        client.get(dashboard_url(big))
    with django_assert_max_num_queries(12):
        client.get(dashboard_url(big, "1.1"))
    cache.clear()
    # The same number of queries for 12 branches as for 3, cold and warm (cached).
    cold = (_queries(client, dashboard_url(big)), _queries(client, dashboard_url(small)))
    warm = (_queries(client, dashboard_url(big)), _queries(client, dashboard_url(small)))
    assert cold[0] == cold[1] and warm[0] == warm[1] and warm[0] <= cold[0]


def test_the_page_reads_the_stored_figures_never_the_search_engine(snapshot, analyst, monkeypatch):
    import zhibao.patents.search as search

    def refuse(*args, **kwargs):
        raise AssertionError("the dashboard asked the search engine")

    monkeypatch.setattr(search, "get_engine", refuse)
    client = login(analyst)
    assert client.get(dashboard_url(snapshot)).status_code == 200
    assert client.get(dashboard_url(snapshot, "2.1")).status_code == 200
    assert client.get(export_url(snapshot)).status_code == 200


# --- in a browser -----------------------------------------------------------------------------



SHARED_REGIONS = Path(__file__).resolve().parents[4] / "shared" / "data" / "regions"


def browse_dashboard(live_server, browser, settings, *, shots: str) -> dict:
    """An analyst's browser opens the dashboard and a branch page: every chart drawn, no
    JavaScript error, no CSP violation, no failed request but the maps' 404 when they are not
    loaded. Screenshots go to shots_dir/<shots>-*.png."""
    from zhibao.conftest import make_user
    from zhibao.core.choices import Role

    analyst = make_user("analyst-browser", [Role.ANALYST])
    snapshot = make_snapshot(make_project(analyst), analyst)
    shots_dir = Path(settings.VAR_DIR) / "screenshots" / "navigation"
    shots_dir.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    maps_requested: list[str] = []
    client = login(analyst)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    page = context.new_page()

    def on_response(response):
        if "/maps/" in response.url:
            maps_requested.append(response.url)  # the page asks only for the maps that are loaded
        if response.status >= 400:
            problems.append(f"HTTP {response.status} {response.url}")

    def on_console(msg):
        # A CSP violation is a console error too and fails the test.
        if msg.type == "error":
            problems.append(f"console error on {page.url}: {msg.text}")

    page.on("pageerror", lambda exc: problems.append(f"JS error on {page.url}: {exc}"))
    page.on("console", on_console)
    page.on("response", on_response)
    for name, url in (("dashboard", dashboard_url(snapshot)), ("branch", dashboard_url(snapshot, "1.1"))):
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        page.wait_for_selector("#chart-trend svg")
        drawn = page.eval_on_selector_all(".dashboard-chart", "els => els.filter(e => e.querySelector('svg')).length")
        total = page.eval_on_selector_all(".dashboard-chart", "els => els.length")
        assert drawn == total, f"{name}: {drawn} of {total} charts drawn"
        page.screenshot(path=str(shots_dir / f"{shots}-{name}.png"), full_page=True)
        page.screenshot(path=str(shots_dir / f"{shots}-{name}-top.png"))
    # A table opens under its chart.
    page.goto(live_server.url + dashboard_url(snapshot))
    page.wait_for_load_state("networkidle")
    page.click("#panel-trend summary")
    assert page.is_visible("#table-trend")
    page.locator("#section-geography").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    notes = page.eval_on_selector_all("[data-map-note]", "els => els.filter(e => !e.classList.contains('d-none'))"
                                                         ".map(e => e.dataset.mapNote)")
    paths = page.eval_on_selector("#chart-banners", "el => el.querySelectorAll('path').length")
    page.screenshot(path=str(shots_dir / f"{shots}-geography.png"))
    assert not problems, problems
    return {"maps_requested": maps_requested, "notes": sorted(notes), "banner_paths": paths}


@pytest.mark.browser
def test_the_dashboard_draws_without_errors_in_a_browser(transactional_db, live_server, browser, settings):
    """Without the maps loaded: no request for them, bars instead, each with the note saying how
    to load them."""
    seen = browse_dashboard(live_server, browser, settings, shots="no-maps")
    assert not seen["maps_requested"] and seen["notes"] == ["banners", "leagues", "provinces"]


@pytest.mark.browser
@pytest.mark.skipif(not SHARED_REGIONS.is_dir(), reason=f"{SHARED_REGIONS} is absent (shared data)")
def test_the_maps_are_drawn_once_loaded(transactional_db, live_server, browser, settings):
    from zhibao.core.maps import region_maps_load

    region_maps_load(SHARED_REGIONS)
    seen = browse_dashboard(live_server, browser, settings, shots="maps")
    assert seen["maps_requested"] and not seen["notes"]
    assert seen["banner_paths"] > 100  # the 103 banners' boundaries

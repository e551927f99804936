"""/api/v1/navigation/…: every endpoint as the project's team (analyst, who leads it), as another
analyst (analyst2: reads every project, changes none), as the leader (reads) and as a stranger
(bob: sees nothing — the same 404 as for a project that does not exist); bad input answered with
the one error shape; idempotent creation; the run → figures flow; the OpenAPI schema."""

import io

import pytest
from django.core.management import call_command
from django.utils import translation
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from zhibao.conftest import login
from zhibao.core.choices import JobStatus
from zhibao.core.services.jobs import job_execute
from zhibao.navigation.choices import ProjectState, RunState
from zhibao.navigation.models import BreakdownNode, NavigationProject, NavigationReport, Snapshot

from .conftest import make_project

pytestmark = pytest.mark.django_db
API = "/api/v1/navigation/projects"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return str(translation.gettext(msgid))


def url(project, tail: str = "") -> str:
    return f"{API}/{project.case.number}{tail}"


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) >= {"code", "message", "fields"} and body["message"], body
    if code:
        assert body["code"] == code, body
    return body


def assert_team_only(response) -> None:
    body = assert_error(response, 403, "forbidden")
    assert body["message"] == zh("Only the project's team may change it.")


def workbook(rows, header=("一级分支", "二级分支", "三级分支", "说明", "检索式")):
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "技术分解表.xlsx"
    return buffer


# --- projects ----------------------------------------------------------------------------------

def test_anonymous_gets_401(project):
    assert api().get(API).status_code == 401
    assert api().get(url(project)).status_code == 401


def test_the_list_shows_what_each_may_see_and_filters(project, analyst, analyst2, leader, bob):
    other, _ = make_project(analyst2, title="草种业专利导航", tree=(), industry="牧草种业", purpose="rd")
    for user, expected in ((analyst, {project.case.number, other.case.number}),
                           (analyst2, {project.case.number, other.case.number}),
                           (leader, {project.case.number, other.case.number}), (bob, set())):
        body = api(user).get(API).json()
        assert {p["number"] for p in body["results"]} == expected, user
    client = api(analyst)
    assert [p["number"] for p in client.get(API, {"purpose": "rd"}).json()["results"]] == [other.case.number]
    assert [p["number"] for p in client.get(API, {"q": "永磁"}).json()["results"]] == [project.case.number]
    assert [p["number"] for p in client.get(API, {"q": "牧草"}).json()["results"]] == [other.case.number]
    assert client.get(API, {"state": "completed"}).json()["count"] == 0
    row = client.get(API, {"state": "active", "q": "稀土永磁"}).json()["results"][0]
    assert row["state"] == "active" and row["state_label"] and row["region"]["code"] == "150000"
    assert row["lead"]["username"] == "analyst" and row["purpose"] == "industry_planning"
    assert_error(client.get(API, {"state": "nonsense"}), 400, "invalid")


def test_the_list_costs_the_same_queries_for_any_number_of_projects(analyst, analyst2, django_assert_max_num_queries):
    for i in range(5):
        make_project(analyst, title=f"专利导航{i}", tree=())
    with django_assert_max_num_queries(3):  # the page's count and rows (plus a role lookup)
        assert api(analyst2).get(API).json()["count"] == 5


def test_create_with_an_idempotency_key(analyst, analyst2):
    body = {"title": "电化学储能专利导航", "industry": "电化学储能", "purpose": "industry_planning",
            "scope_query": "AD>=2010", "team": [analyst2.pk], "gap_lq": "0.6", "min_node_patents": 5}
    first = api(analyst).post(API, body, format="json", HTTP_IDEMPOTENCY_KEY="nav-1")
    assert first.status_code == 201, first.json()
    data = first.json()
    assert data["number"].startswith("NAV-") and data["state"] == "active" and data["may_edit"] is True
    assert data["lead"]["username"] == "analyst" and {u["username"] for u in data["team"]} == {"analyst", "analyst2"}
    assert data["gap_lq"] == "0.60" and data["min_node_patents"] == 5 and data["scope_query"] == "AD>=2010"
    again = api(analyst).post(API, body, format="json", HTTP_IDEMPOTENCY_KEY="nav-1")
    assert again.status_code == 200 and again.json()["number"] == data["number"]
    by_field = api(analyst).post(API, {**body, "idempotency_key": "nav-1"}, format="json")
    assert by_field.status_code == 200 and by_field.json()["number"] == data["number"]
    assert NavigationProject.objects.count() == 1
    assert api(analyst).post(API, body, format="json", HTTP_IDEMPOTENCY_KEY="nav-2").status_code == 201


def test_create_refusals(analyst, bob):
    assert_error(api(bob).post(API, {"title": "x", "industry": "y"}, format="json"), 403, "forbidden")
    body = assert_error(api(analyst).post(API, {"industry": "稀土"}, format="json"), 400, "invalid")
    assert "title" in body["fields"]
    body = assert_error(api(analyst).post(API, {"title": "导航", "industry": "稀土", "scope_query": "AD>>"},
                                          format="json"), 400, "bad_query")
    assert "scope_query" in body["fields"]
    body = assert_error(api(analyst).post(API, {"title": "导航", "industry": "稀土", "team": [bob.pk]},
                                          format="json"), 400, "not_analyst")
    assert "team" in body["fields"]
    body = assert_error(api(analyst).post(API, {"title": "导航", "industry": "稀土", "gap_lq": 2, "strength_lq": 1},
                                          format="json"), 400, "bad_threshold")
    assert "strength_lq" in body["fields"]
    assert_error(api(analyst).post(API, {"title": "导航", "industry": "稀土", "region": "999999"}, format="json"),
                 400, "bad_region")
    assert not NavigationProject.objects.exists()


def test_retrieve_for_readers_and_404_for_strangers_and_bad_numbers(project, analyst, analyst2, leader, bob):
    data = api(analyst).get(url(project)).json()
    assert data["number"] == project.case.number and data["node_count"] == 6 and data["latest_run"] is None
    assert data["may_edit"] is True and {t["name"] for t in data["transitions"]} == {"cancel"}
    for reader in (analyst2, leader):
        data = api(reader).get(url(project)).json()
        assert data["may_edit"] is False and data["transitions"] == []
    assert_error(api(bob).get(url(project)), 404)
    year = project.case.number.split("-")[1]
    for number in (f"NAV-{year}-999999", "NAV-2026-1", "abc", "NAV-2026-0000011", "12", "NAV-9999999999-000001"):
        assert_error(api(analyst).get(f"{API}/{number}"), 404)


def test_partial_update_by_the_team_only(project, analyst, analyst2, leader, bob):
    response = api(analyst).patch(url(project), {"title": "稀土永磁产业专利导航（2026）", "team": [analyst2.pk]},
                                  format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "稀土永磁产业专利导航（2026）" and response.json()["industry"] == "稀土永磁"
    project.refresh_from_db()
    assert set(project.team.values_list("username", flat=True)) == {"analyst", "analyst2"}
    assert api(analyst2).patch(url(project), {"description": "二号也能改了"}, format="json").status_code == 200
    assert api(analyst).patch(url(project), {"team": []}, format="json").status_code == 200
    assert_team_only(api(analyst2).patch(url(project), {"title": "改名"}, format="json"))
    assert_team_only(api(leader).patch(url(project), {"title": "改名"}, format="json"))
    assert_error(api(bob).patch(url(project), {"title": "改名"}, format="json"), 404)
    body = assert_error(api(analyst).patch(url(project), {"title": ""}, format="json"), 400, "invalid")
    assert "title" in body["fields"]
    assert_error(api(analyst).put(url(project), {"title": "x", "industry": "y"}, format="json"), 405)


def test_transitions_listed_and_taken(project, analyst, analyst2, leader, bob):
    assert [t["name"] for t in api(analyst).get(url(project, "/transitions")).json()] == ["cancel"]
    assert api(analyst2).get(url(project, "/transitions")).json() == []
    assert_error(api(bob).get(url(project, "/transitions")), 404)
    assert_error(api(analyst).post(url(project, "/transitions/cancel"), {}, format="json"), 400, "comment_required")
    assert_error(api(analyst2).post(url(project, "/transitions/cancel"), {"comment": "不做了"}, format="json"),
                 403, "forbidden")
    assert_error(api(bob).post(url(project, "/transitions/cancel"), {"comment": "不做了"}, format="json"), 404)
    assert_error(api(leader).post(url(project, "/transitions/cancel"), {"comment": "不做了"}, format="json"),
                 403, "forbidden")
    assert_error(api(analyst).post(url(project, "/transitions/complete"), {}, format="json"),
                 409, "transition_not_allowed")  # no report yet
    assert_error(api(analyst).post(url(project, "/transitions/fly"), {}, format="json"), 404, "unknown_transition")
    response = api(analyst).post(url(project, "/transitions/cancel"), {"comment": "课题取消"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == ProjectState.CANCELLED
    assert response.json()["may_edit"] is False
    # a project no longer in progress refuses changes with the service's 409
    assert_error(api(analyst).patch(url(project), {"title": "改名"}, format="json"), 409, "not_editable")


def test_complete_reopen_and_archive(project, analyst, nodes):
    snapshot = Snapshot.objects.create(project=project, number=1, taken_by=analyst, state=RunState.READY)
    NavigationReport.objects.create(project=project, snapshot=snapshot, version=1, created_by=analyst,
                                    state=RunState.READY)
    assert {t["name"] for t in api(analyst).get(url(project, "/transitions")).json()} == {"complete", "cancel"}
    assert api(analyst).post(url(project, "/transitions/complete"), {}, format="json").json()["state"] == "completed"
    assert {t["name"] for t in api(analyst).get(url(project, "/transitions")).json()} == {"reopen", "archive"}
    assert_error(api(analyst).post(url(project, "/nodes"), {"name": "新分支"}, format="json"), 409, "not_editable")
    assert api(analyst).post(url(project, "/transitions/reopen"), {"comment": "第二版"},
                             format="json").json()["state"] == "active"
    assert api(analyst).post(url(project, "/nodes"), {"name": "新分支"}, format="json").status_code == 201
    api(analyst).post(url(project, "/transitions/complete"), {}, format="json")
    response = api(analyst).post(url(project, "/transitions/archive"), {}, format="json")
    assert response.status_code == 200 and response.json()["state"] == ProjectState.ARCHIVED
    assert response.json()["transitions"] == []


def test_conclusions(project, analyst, analyst2, leader, bob):
    data = api(analyst).get(url(project, "/conclusions")).json()
    assert [s["key"] for s in data["sections"]][:2] == ["summary", "industry"]
    assert all(s["text"] == "" and s["title"] for s in data["sections"])
    response = api(analyst).put(url(project, "/conclusions"),
                                {"sections": {"summary": "包头稀土永磁产业专利布局集中于烧结钕铁硼。", "region": "晶界扩散是短板。"}},
                                format="json")
    assert response.status_code == 200, response.json()
    texts = {s["key"]: s["text"] for s in response.json()["sections"]}
    assert texts["summary"].startswith("包头") and texts["region"] == "晶界扩散是短板。" and texts["industry"] == ""
    api(analyst).put(url(project, "/conclusions"), {"sections": {"industry": "产业链完整。"}}, format="json")
    texts = {s["key"]: s["text"] for s in api(analyst2).get(url(project, "/conclusions")).json()["sections"]}
    assert texts["summary"].startswith("包头") and texts["industry"] == "产业链完整。"
    assert api(leader).get(url(project, "/conclusions")).status_code == 200
    body = assert_error(api(analyst).put(url(project, "/conclusions"), {"sections": {"poem": "诗"}}, format="json"),
                        400, "unknown_section")
    assert "poem" in body["message"]
    assert_error(api(analyst).put(url(project, "/conclusions"), {"sections": "summary"}, format="json"), 400)
    assert_team_only(api(analyst2).put(url(project, "/conclusions"), {"sections": {"summary": "x"}}, format="json"))
    assert_error(api(bob).get(url(project, "/conclusions")), 404)
    assert_error(api(bob).put(url(project, "/conclusions"), {"sections": {"summary": "x"}}, format="json"), 404)


# --- the tree ----------------------------------------------------------------------------------

def test_the_tree_is_flat_with_keys_depth_and_parents(project, nodes, analyst, analyst2, leader, bob):
    rows = api(analyst).get(url(project, "/nodes")).json()
    assert [(r["key"], r["depth"], r["name"]) for r in rows] == [
        ("1", 1, "稀土永磁材料"), ("1.1", 2, "烧结钕铁硼"), ("1.1.1", 3, "晶界扩散"), ("1.2", 2, "粘结钕铁硼"),
        ("2", 1, "稀土永磁应用"), ("2.1", 2, "永磁电机")]
    by_key = {r["key"]: r for r in rows}
    assert by_key["1.1.1"]["parent"] == nodes["1.1"].pk and by_key["1.1.1"]["parent_key"] == "1.1"
    assert by_key["1"]["parent"] is None and by_key["1.2"]["position"] == 1 and by_key["2"]["query"] == ""
    assert by_key["1.1"]["id"] == nodes["1.1"].pk
    assert api(analyst2).get(url(project, "/nodes")).json() == rows
    assert api(leader).get(url(project, f"/nodes/{nodes['1.2'].pk}")).json() == by_key["1.2"]
    assert_error(api(bob).get(url(project, "/nodes")), 404)
    assert_error(api(bob).get(url(project, f"/nodes/{nodes['1'].pk}")), 404)


def test_node_ids_that_are_not_the_projects_are_404(project, nodes, analyst, analyst2):
    other, other_nodes = make_project(analyst2, title="另一个导航", tree=[("1", "别人的分支", None, "TIAB=稀土")])
    foreign = other_nodes["1"].pk
    for tail in (f"/nodes/{foreign}", "/nodes/abc", "/nodes/99999999999999999999999", "/nodes/0", "/nodes/-1",
                 "/nodes/1.5"):
        assert_error(api(analyst).get(url(project, tail)), 404)
    assert_error(api(analyst).patch(url(project, f"/nodes/{foreign}"), {"name": "抢"}, format="json"), 404)
    assert_error(api(analyst).delete(url(project, f"/nodes/{foreign}")), 404)
    assert_error(api(analyst).post(url(project, "/nodes"), {"name": "挂到别人下", "parent": foreign}, format="json"),
                 400, "bad_parent")
    assert BreakdownNode.objects.filter(project=other).count() == 1


def test_add_a_branch(project, nodes, analyst, analyst2, bob):
    response = api(analyst).post(url(project, "/nodes"), {"name": "热压钕铁硼", "parent": nodes["1"].pk,
                                                          "query": "TIAB=热压", "description": "热压/热变形磁体"},
                                 format="json")
    assert response.status_code == 201, response.json()
    row = response.json()
    assert (row["key"], row["depth"], row["parent"], row["position"]) == ("1.3", 2, nodes["1"].pk, 2)
    root = api(analyst).post(url(project, "/nodes"), {"name": "回收利用"}, format="json").json()
    assert root["key"] == "3" and root["parent"] is None and root["query"] == ""
    assert_team_only(api(analyst2).post(url(project, "/nodes"), {"name": "x"}, format="json"))
    assert_error(api(bob).post(url(project, "/nodes"), {"name": "x"}, format="json"), 404)
    assert_error(api(analyst).post(url(project, "/nodes"), {"name": "  "}, format="json"), 400)
    assert BreakdownNode.objects.filter(project=project).count() == 8


def test_an_unparseable_query_is_a_400_saying_where(project, nodes, analyst):
    response = api(analyst).post(url(project, "/nodes"), {"name": "坏检索式", "query": "TIAB=(钕铁硼 AND"},
                                 format="json")
    body = assert_error(response, 400, "bad_query")
    assert body["fields"]["query"] == [body["message"]] and body["position"] == 13 and body["expected"]
    body = assert_error(api(analyst).patch(url(project, f"/nodes/{nodes['1.2'].pk}"), {"query": "XX=1"},
                                           format="json"), 400, "bad_query")
    assert body["position"] == 0 and "query" in body["fields"]
    assert BreakdownNode.objects.get(pk=nodes["1.2"].pk).query == "TIAB=粘结"


def test_rename_describe_and_requery(project, nodes, analyst, analyst2, bob):
    target = url(project, f"/nodes/{nodes['1.2'].pk}")
    response = api(analyst).patch(target, {"name": "粘结磁体", "query": "TIAB=粘结 OR TIAB=注塑"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "粘结磁体" and response.json()["description"] == "粘结钕铁硼相关专利"
    assert api(analyst).patch(target, {"description": ""}, format="json").json()["description"] == ""
    assert_team_only(api(analyst2).patch(target, {"name": "改"}, format="json"))
    assert_error(api(bob).patch(target, {"name": "改"}, format="json"), 404)
    assert_error(api(analyst).patch(target, {"name": "长" * 101}, format="json"), 400, "name_too_long")


def test_move_a_branch(project, nodes, analyst, analyst2, bob):
    move = url(project, f"/nodes/{nodes['1.2'].pk}/move")
    response = api(analyst).post(move, {"parent": nodes["2"].pk, "position": 0}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["key"], response.json()["parent"]) == ("2.1", nodes["2"].pk)
    keys = {r["name"]: r["key"] for r in api(analyst).get(url(project, "/nodes")).json()}
    assert keys["永磁电机"] == "2.2" and keys["粘结钕铁硼"] == "2.1"
    to_root = api(analyst).post(url(project, f"/nodes/{nodes['1.1'].pk}/move"), {"parent": None}, format="json")
    assert to_root.json()["key"] == "3" and to_root.json()["depth"] == 1
    keys = {r["name"]: r["key"] for r in api(analyst).get(url(project, "/nodes")).json()}
    assert keys["晶界扩散"] == "3.1"
    assert_team_only(api(analyst2).post(move, {"parent": None}, format="json"))
    assert_error(api(bob).post(move, {"parent": None}, format="json"), 404)
    assert_error(api(analyst).post(move, {}, format="json"), 400, "invalid")


def test_a_branch_cannot_go_under_its_own_child(project, nodes, analyst):
    body = assert_error(api(analyst).post(url(project, f"/nodes/{nodes['1'].pk}/move"),
                                          {"parent": nodes["1.1.1"].pk}, format="json"), 400, "cycle")
    assert body["message"]
    assert_error(api(analyst).post(url(project, f"/nodes/{nodes['1'].pk}/move"), {"parent": nodes["1"].pk},
                                   format="json"), 400, "cycle")
    assert BreakdownNode.objects.get(pk=nodes["1"].pk).parent_id is None


def test_delete_a_branch_with_its_subtree(project, nodes, analyst, analyst2, bob):
    target = url(project, f"/nodes/{nodes['1.1'].pk}")
    assert_team_only(api(analyst2).delete(target))
    assert_error(api(bob).delete(target), 404)
    response = api(analyst).delete(target)
    assert response.status_code == 200 and response.json() == {"deleted": 2}
    assert [r["key"] for r in api(analyst).get(url(project, "/nodes")).json()] == ["1", "1.1", "2", "2.1"]
    assert_error(api(analyst).delete(target), 404)


def test_query_test_counts_and_samples(project, analyst, analyst2, leader, bob):
    response = api(analyst).post(url(project, "/query-test"), {"query": "TIAB=晶界扩散"}, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["count"] == 6 and len(data["sample"]) == 5 and data["query"] == "TIAB=晶界扩散"
    hit = data["sample"][0]
    assert hit["publication_number"].startswith("CN") and "晶界扩散" in hit["title"]
    assert hit["first_applicant"] and 2010 <= hit["year"] <= 2024
    assert api(analyst2).post(url(project, "/query-test"), {"query": "TIAB=电机"}, format="json").json()["count"] == 6
    assert api(leader).post(url(project, "/query-test"), {"query": "TIAB=粘结"}, format="json").json()["count"] == 4
    assert_error(api(bob).post(url(project, "/query-test"), {"query": "TIAB=电机"}, format="json"), 404)
    body = assert_error(api(analyst).post(url(project, "/query-test"), {"query": "稀土 AND (钕铁硼"}, format="json"),
                        400, "bad_query")
    assert body["position"] == 11 and body["expected"] == '")"' and body["fields"]["query"]
    assert_error(api(analyst).post(url(project, "/query-test"), {"query": ""}, format="json"), 400, "query_required")
    assert_error(api(analyst).post(url(project, "/query-test"), {}, format="json"), 400, "invalid")


def test_query_test_within_the_projects_scope(project, analyst):
    api(analyst).patch(url(project), {"scope_query": "AD>=2018"}, format="json")
    data = api(analyst).post(url(project, "/query-test"), {"query": "TIAB=晶界扩散"}, format="json").json()
    assert data["count"] == 2 and data["query"] == "(TIAB=晶界扩散) AND (AD>=2018)"
    assert all(hit["year"] >= 2018 for hit in data["sample"])


def test_tree_export_and_import_round_trip(project, nodes, analyst, analyst2, leader, bob):
    response = api(analyst2).get(url(project, "/tree/export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert len(rows) == 7 and rows[3][2] == "晶界扩散" and rows[3][-1] == "TIAB=晶界扩散"
    assert api(leader).get(url(project, "/tree/export")).status_code == 200
    assert_error(api(bob).get(url(project, "/tree/export")), 404)

    before = [(r["key"], r["name"], r["query"]) for r in api(analyst).get(url(project, "/nodes")).json()]
    upload = io.BytesIO(content)
    upload.name = "tree.xlsx"
    response = api(analyst).post(url(project, "/tree/import"), {"file": upload}, format="multipart")
    assert response.status_code == 200, response.json()
    report = response.json()
    assert (report["created"], report["replaced"], report["rejected"]) == (6, 6, [])
    assert [(r["key"], r["name"], r["query"]) for r in report["nodes"]] == before


def test_tree_import_reports_rejected_rows(project, nodes, analyst, analyst2, bob):
    rows = [("湿法冶金", "", "", "", "TIAB=萃取"), ("", "萃取分离", "", "", "TIAB=萃取 AND (稀土"),
            ("", "", "孤儿分支", "", "TIAB=孤儿"), ("", "沉淀", "", "", "TIAB=沉淀")]
    response = api(analyst).post(url(project, "/tree/import"), {"file": workbook(rows), "replace": "false"},
                                 format="multipart")
    assert response.status_code == 200, response.json()
    report = response.json()
    assert report["created"] == 2 and report["replaced"] == 0
    assert [r["row"] for r in report["rejected"]] == [3, 4] and all(r["reason"] for r in report["rejected"])
    assert [n["key"] for n in report["nodes"]][-3:] == ["2.1", "3", "3.1"]
    replaced = api(analyst).post(url(project, "/tree/import"), {"file": workbook(rows[:1])}, format="multipart")
    assert replaced.json()["replaced"] == 8 and [n["name"] for n in replaced.json()["nodes"]] == ["湿法冶金"]
    assert_team_only(api(analyst2).post(url(project, "/tree/import"), {"file": workbook(rows)}, format="multipart"))
    assert_error(api(bob).post(url(project, "/tree/import"), {"file": workbook(rows)}, format="multipart"), 404)
    not_xlsx = io.BytesIO(b"PK\x03\x04 not really a workbook")
    not_xlsx.name = "tree.xlsx"
    assert_error(api(analyst).post(url(project, "/tree/import"), {"file": not_xlsx}, format="multipart"),
                 400, "bad_file")
    body = assert_error(api(analyst).post(url(project, "/tree/import"), {}, format="multipart"), 400, "invalid")
    assert "file" in body["fields"]


# --- runs and figures --------------------------------------------------------------------------

def start_run(project, user):
    response = api(user).post(url(project, "/runs"), format="json")
    assert response.status_code == 202, response.json()
    return response.json()


def test_a_run_is_queued_once_and_only_by_the_team(project, nodes, analyst, analyst2, bob):
    first = start_run(project, analyst)
    assert first["number"] == 1 and first["state"] == RunState.QUEUED and first["job"]["status"] == JobStatus.QUEUED
    assert first["taken_by"]["username"] == "analyst" and first["taken_at"] is None
    again = start_run(project, analyst)
    assert again["number"] == 1 and again["job"]["id"] == first["job"]["id"]
    assert Snapshot.objects.filter(project=project).count() == 1
    assert_team_only(api(analyst2).post(url(project, "/runs"), format="json"))
    assert_error(api(bob).post(url(project, "/runs"), format="json"), 404)
    assert [r["number"] for r in api(analyst2).get(url(project, "/runs")).json()["results"]] == [1]
    assert_error(api(bob).get(url(project, "/runs")), 404)
    assert_error(api(bob).get(url(project, "/runs/1")), 404)


def test_a_tree_without_queries_cannot_run(analyst, corpus):
    project, _nodes = make_project(analyst, tree=[("1", "空分支", None, "")])
    assert_error(api(analyst).post(url(project, "/runs"), format="json"), 400, "empty_tree")


def test_run_then_read_the_figures(project, nodes, analyst, analyst2, leader, bob):
    started = start_run(project, analyst)
    job_execute(started["job"]["id"])
    run = api(analyst2).get(url(project, "/runs/1"))
    assert run.status_code == 200, run.json()
    data = run.json()
    assert data["state"] == RunState.READY, data["error"]
    assert data["job"]["status"] == JobStatus.SUCCEEDED and data["taken_at"] and data["corpus_size"] == 30
    assert data["total"] == 23  # the magnet patents: every branch's union, each patent once
    assert [n["key"] for n in data["nodes"]] == ["1", "1.1", "1.1.1", "1.2", "2", "2.1"]
    assert {n["key"]: n["total"] for n in data["nodes"]} == {"1": 17, "1.1": 13, "1.1.1": 6, "1.2": 4, "2": 6,
                                                             "2.1": 6}
    figures = data["figures"]
    assert figures["overall"]["total"] == 23 and {n["key"] for n in figures["nodes"]} == set(nodes)
    assert [n["key"] for n in data["tree"]][:2] == ["1", "1.1"] and data["tree"][1]["effective_query"]
    assert api(analyst).get(url(project)).json()["latest_run"]["state"] == RunState.READY

    branch = api(leader).get(url(project, "/runs/1/nodes/1.1.1"))
    assert branch.status_code == 200, branch.json()
    branch = branch.json()
    assert branch["name"] == "晶界扩散" and branch["total"] == 6 and branch["node"] == nodes["1.1.1"].pk
    assert branch["figures"]["total"] == 6 and branch["summary"]["key"] == "1.1.1"

    page = api(analyst).get(url(project, "/runs/1/nodes/1.1/patents"), {"page_size": 5}).json()
    assert page["count"] == 13 and len(page["results"]) == 5
    assert all(p["title"] and p["publication_number"].startswith("CN") for p in page["results"])
    last = api(analyst).get(url(project, "/runs/1/nodes/1.1/patents"), {"page_size": 5, "page": 3}).json()
    assert len(last["results"]) == 3
    numbers = {p["publication_number"] for p in page["results"]} | {p["publication_number"] for p in last["results"]}
    assert len(numbers) == 8
    assert_error(api(analyst).get(url(project, "/runs/1/nodes/1.1/patents"), {"page": 9}), 404)

    for tail in ("/runs/2", "/runs/abc", "/runs/99999999999", "/runs/1/nodes/9", "/runs/1/nodes/x",
                 "/runs/1/nodes/1..2", "/runs/1/nodes/9/patents"):
        assert_error(api(analyst).get(url(project, tail)), 404)
    for tail in ("/runs/1", "/runs/1/nodes/1", "/runs/1/nodes/1/patents"):
        assert_error(api(bob).get(url(project, tail)), 404)


def test_compare_two_runs(project, nodes, analyst, analyst2, bob):
    job_execute(start_run(project, analyst)["job"]["id"])
    api(analyst).patch(url(project, f"/nodes/{nodes['1.2'].pk}"), {"query": "TIAB=粘结 AND AD>=2016"}, format="json")
    api(analyst).delete(url(project, f"/nodes/{nodes['2'].pk}"))
    api(analyst).post(url(project, "/nodes"), {"name": "储氢合金", "query": "TIAB=储氢"}, format="json")
    second = start_run(project, analyst)
    assert second["number"] == 2
    job_execute(second["job"]["id"])
    response = api(analyst2).get(url(project, "/runs/compare"), {"a": 1, "b": 2})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["a"], data["b"]) == (1, 2)
    rows = {row["name"]: row for row in data["rows"]}
    assert rows["粘结钕铁硼"]["before"] == 4 and rows["粘结钕铁硼"]["after"] == 3 and rows["粘结钕铁硼"]["removed"] == 1
    assert rows["粘结钕铁硼"]["status"] == "kept" and len(rows["粘结钕铁硼"]["removed_sample"]) == 1
    assert rows["储氢合金"]["status"] == "new" and rows["储氢合金"]["before"] is None and rows["储氢合金"]["added"] == 4
    assert rows["永磁电机"]["status"] == "gone" and rows["永磁电机"]["after"] is None
    assert rows["烧结钕铁硼"]["added"] == rows["烧结钕铁硼"]["removed"] == 0
    assert [r["number"] for r in api(analyst).get(url(project, "/runs")).json()["results"]] == [2, 1]
    assert_error(api(analyst).get(url(project, "/runs/compare"), {"a": 1}), 400, "invalid")
    assert_error(api(analyst).get(url(project, "/runs/compare"), {"a": "x", "b": 2}), 400, "invalid")
    assert_error(api(analyst).get(url(project, "/runs/compare"), {"a": 1, "b": 7}), 404)
    assert_error(api(bob).get(url(project, "/runs/compare"), {"a": 1, "b": 2}), 404)


# --- reports -----------------------------------------------------------------------------------

@pytest.fixture
def fake_report_builder(monkeypatch, tmp_path):
    """The report generator (zhibao/navigation/report) replaced by two small files: the API's
    part is the request, the job status and the download links."""
    from types import SimpleNamespace

    import zhibao.navigation.report as report_package

    def build_report(context, *, out_dir, progress=None):
        docx, pdf = out_dir / "r.docx", out_dir / "r.pdf"
        docx.write_bytes(b"PK\x03\x04 docx of " + context["project"]["title"].encode())
        pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
        return SimpleNamespace(docx_path=docx, pdf_path=pdf, chart_count=3, page_count=2)

    monkeypatch.setattr(report_package, "build_report", build_report, raising=False)


def test_reports_requested_made_and_downloaded(project, nodes, analyst, analyst2, leader, bob, fake_report_builder):
    assert_error(api(analyst).post(url(project, "/reports"), {}, format="json"), 400, "no_snapshot")
    job_execute(start_run(project, analyst)["job"]["id"])
    assert_team_only(api(analyst2).post(url(project, "/reports"), {}, format="json"))
    assert_error(api(bob).post(url(project, "/reports"), {}, format="json"), 404)
    assert_error(api(analyst).post(url(project, "/reports"), {"run": 5}, format="json"), 400, "unknown_run")
    response = api(analyst).post(url(project, "/reports"), {"run": 1}, format="json")
    assert response.status_code == 202, response.json()
    report = response.json()
    assert (report["version"], report["run"], report["state"]) == (1, 1, RunState.QUEUED)
    assert report["docx_url"] is None and report["pdf_url"] is None and report["job"]["status"] == JobStatus.QUEUED
    again = api(analyst).post(url(project, "/reports"), {}, format="json").json()
    assert again["version"] == 1 and again["job"]["id"] == report["job"]["id"]

    job_execute(report["job"]["id"])
    data = api(analyst2).get(url(project, "/reports/1")).json()
    assert data["state"] == RunState.READY, data["error"]
    assert data["job"]["status"] == JobStatus.SUCCEEDED and data["chart_count"] == 3 and data["page_count"] == 2
    assert data["docx_url"].startswith("/attachments/") and data["pdf_url"].startswith("/attachments/")
    assert [r["version"] for r in api(leader).get(url(project, "/reports")).json()["results"]] == [1]
    for user, status in ((analyst, 200), (analyst2, 200), (leader, 200), (bob, 404)):
        assert login(user).get(data["pdf_url"]).status_code == status, user
    assert_error(api(bob).get(url(project, "/reports")), 404)
    assert_error(api(bob).get(url(project, "/reports/1")), 404)
    for tail in ("/reports/2", "/reports/v1", "/reports/99999999999"):
        assert_error(api(analyst).get(url(project, tail)), 404)
    # a ready report lets the lead complete the project
    assert api(analyst).post(url(project, "/transitions/complete"), {}, format="json").json()["state"] == "completed"
    assert_error(api(analyst).post(url(project, "/reports"), {}, format="json"), 409, "not_editable")


# --- the schema --------------------------------------------------------------------------------

def test_the_openapi_schema_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for path in ("/api/v1/navigation/projects/{number}/nodes/{id}/move", "/api/v1/navigation/projects/{number}/query-test",
                 "/api/v1/navigation/projects/{number}/runs/{run}/nodes/{key}/patents",
                 "/api/v1/navigation/projects/{number}/runs/compare", "/api/v1/navigation/projects/{number}/tree/import",
                 "/api/v1/navigation/projects/{number}/reports/{version}"):
        assert path in text

"""The navigation pages as the team, another analyst (reads only) and a stranger (404) use them:
the list, a new project, the workspace with the tree editor, the live query test, the tree's
Excel export and import with rejected rows reported, moves and deletes (HTMX and plain posts),
conclusions, and the refusals in Chinese."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from zhibao.conftest import login, make_user
from zhibao.core.choices import Role
from zhibao.navigation.models import BreakdownNode, NavigationProject
from zhibao.navigation.services.projects import project_create
from zhibao.navigation.services.tree import node_add, tree_nodes


@pytest.fixture
def lead(db):
    return make_user("nav-lead", [Role.ANALYST])


@pytest.fixture
def reader(db):
    return make_user("nav-reader", [Role.ANALYST])


@pytest.fixture
def project(lead):
    project = project_create(user=lead, title="稀土永磁产业专利导航", industry="稀土永磁")[0]
    magnets = node_add(project=project, user=lead, name="永磁材料", query="TIAB=永磁")
    node_add(project=project, user=lead, parent=magnets, name="烧结钕铁硼", query="TIAB=烧结")
    node_add(project=project, user=lead, parent=magnets, name="粘结钕铁硼", query="TIAB=粘结")
    return project


def url(name, project, *args):
    return reverse(f"navigation:{name}", args=[project.case.number, *args])


def test_the_list_shows_visible_projects_and_the_new_button_to_analysts(project, lead, bob):
    page = login(lead).get(reverse("navigation:project_list"))
    assert page.status_code == 200 and project.case.number in page.content.decode()
    assert 'id="new-project"' in page.content.decode()
    page = login(bob, second_factor=False).get(reverse("navigation:project_list"))
    assert page.status_code == 200 and project.case.number not in page.content.decode()
    assert 'id="new-project"' not in page.content.decode()
    page = login(lead).get(reverse("navigation:project_list"), {"state": "completed"})
    assert project.case.number not in page.content.decode()


def test_an_analyst_opens_a_project_from_the_form(lead):
    client = login(lead)
    form = client.get(reverse("navigation:project_new"))
    assert form.status_code == 200
    key = form.context["form"]["idempotency_key"].value()
    data = {"title": "储能产业专利导航", "industry": "电化学储能", "purpose": "industry_planning", "region": "150000",
            "scope_query": "AD>=2010", "gap_lq": "0.5", "strength_lq": "1.5", "min_node_patents": "20",
            "idempotency_key": key}
    response = client.post(reverse("navigation:project_new"), data)
    project = NavigationProject.objects.get(title="储能产业专利导航")
    assert response.status_code == 302 and response["Location"].endswith(f"/navigation/{project.case.number}/")
    client.post(reverse("navigation:project_new"), data)  # a double click
    assert NavigationProject.objects.filter(title="储能产业专利导航").count() == 1
    bad = client.post(reverse("navigation:project_new"), {**data, "idempotency_key": "other", "scope_query": "AD>>"})
    assert bad.status_code == 200 and "检索式" in bad.content.decode()


def test_a_non_analyst_cannot_open_a_project(bob):
    response = login(bob, second_factor=False).get(reverse("navigation:project_new"))
    assert response.status_code == 302


def test_the_workspace_for_the_team_a_reader_and_a_stranger(project, lead, reader, bob):
    page = login(lead).get(url("project_detail", project))
    body = page.content.decode()
    assert page.status_code == 200 and "烧结钕铁硼" in body and 'id="node-new-form"' in body and 'id="run-project"' in body
    page = login(reader).get(url("project_detail", project))
    body = page.content.decode()
    assert page.status_code == 200 and "烧结钕铁硼" in body and 'id="node-new-form"' not in body
    assert login(bob, second_factor=False).get(url("project_detail", project)).status_code == 404
    assert login(lead).get(reverse("navigation:project_detail", args=["NAV-2026-999999"])).status_code == 404


def test_add_edit_move_delete_through_the_pages(project, lead, reader):
    client = login(lead)
    magnets = project.nodes.get(name="永磁材料")
    response = client.post(url("node_new", project), {"new-name": "热压钕铁硼", "new-parent": magnets.pk,
                                                      "new-query": "TIAB=热压", "new-description": ""})
    assert response.status_code == 302
    assert [n["name"] for n in tree_nodes(project)] == ["永磁材料", "烧结钕铁硼", "粘结钕铁硼", "热压钕铁硼"]
    refused = client.post(url("node_new", project), {"new-name": "坏的", "new-query": "TIAB=(坏"}, follow=True)
    assert "检索式" in refused.content.decode() and not project.nodes.filter(name="坏的").exists()

    hot = project.nodes.get(name="热压钕铁硼")
    fragment = client.post(url("node_move", project, hot.pk), {"direction": "up"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and 'id="tree-body"' in fragment.content.decode()
    assert [n["name"] for n in tree_nodes(project)][1:] == ["烧结钕铁硼", "热压钕铁硼", "粘结钕铁硼"]

    edit = client.get(url("node_edit", project, hot.pk))
    choices = [value for value, _label in edit.context["form"].fields["parent"].choices]
    assert hot.pk not in choices  # never under itself
    response = client.post(url("node_edit", project, hot.pk), {"name": "热压/热变形钕铁硼", "query": "TIAB=热压 OR TIAB=热变形",
                                                               "description": "", "parent": ""})
    assert response.status_code == 302
    hot.refresh_from_db()
    assert hot.name == "热压/热变形钕铁硼" and hot.parent is None
    refused = client.post(url("node_edit", project, hot.pk), {"name": "x", "query": "OR", "parent": ""})
    assert refused.status_code == 200 and refused.context["form"].errors

    client.post(url("node_delete", project, magnets.pk))
    assert [n["name"] for n in tree_nodes(project)] == ["热压/热变形钕铁硼"]
    # another analyst reads but does not edit
    other = login(reader)
    assert other.post(url("node_delete", project, hot.pk)).status_code == 404
    assert other.get(url("node_edit", project, hot.pk)).status_code == 404
    assert BreakdownNode.objects.filter(pk=hot.pk).exists()


def test_the_query_test_counts_and_shows_hits(project, lead, settings):
    from zhibao.patents.models import Patent
    from zhibao.patents.search import get_engine

    patents = [Patent.objects.create(publication_number=f"CN11100000{i}A", application_number=f"20201000000{i}",
                                     patent_type="invention", title=title, first_applicant="包头稀土研究院")
               for i, title in enumerate(["烧结钕铁硼永磁体", "粘结钕铁硼永磁体", "乳酸菌发酵乳"])]
    engine = get_engine()
    engine.index_patents(patents)
    engine.commit()
    fragment = login(lead).get(url("query_test", project), {"query": "TIAB=钕铁硼"})
    body = fragment.content.decode()
    assert 'data-query-count="2"' in body and "烧结钕铁硼永磁体" in body and "乳酸菌" not in body
    error = login(lead).get(url("query_test", project), {"query": "TIAB=(钕铁硼"}).content.decode()
    assert "data-query-error" in error


def test_tree_export_and_import_through_the_pages(project, lead):
    client = login(lead)
    export = client.get(url("tree_export", project))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = Workbook()
    ws = wb.active
    ws.append(["一级分支", "二级分支", "说明", "检索式"])
    ws.append(["储能", None, "", "TIAB=储能"])
    ws.append([None, "液流电池", "", "TIAB=(液流"])
    ws.append([None, "钠离子电池", "", "TIAB=钠离子"])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "tree.xlsx"
    page = client.post(url("tree_import", project), {"file": buffer, "replace": "on"}, follow=True)
    body = page.content.decode()
    assert [n["name"] for n in tree_nodes(project)] == ["储能", "钠离子电池"]
    assert "第 3 行" in body or "row 3" in body
    refused = client.post(url("tree_import", project), {"file": io.BytesIO(b"plain"), "replace": "on"}, follow=True)
    assert [n["name"] for n in tree_nodes(project)] == ["储能", "钠离子电池"]
    assert refused.status_code == 200


def test_conclusions_are_saved_by_the_team(project, lead, reader):
    client = login(lead)
    client.post(url("conclusions", project), {"summary": "包头稀土永磁产业优势明显", "recommendations": "加强晶界扩散布局"})
    project.refresh_from_db()
    assert project.conclusions["summary"] == "包头稀土永磁产业优势明显"
    assert login(reader).post(url("conclusions", project), {"summary": "改掉"}).status_code == 404
    project.refresh_from_db()
    assert project.conclusions["summary"] == "包头稀土永磁产业优势明显"


def test_running_an_empty_tree_is_refused_in_chinese(lead):
    project = project_create(user=lead, title="空项目", industry="储能")[0]
    page = login(lead).post(url("run_start", project), follow=True)
    assert "检索式" in page.content.decode() and not project.snapshots.exists()

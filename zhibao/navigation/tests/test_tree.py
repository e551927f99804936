"""技术分解表: the analysts build the tree (add, rename, move, delete), every query parses, a
branch never goes under itself, strangers and finished projects change nothing; the Excel form
round-trips and an import reports every rejected row with its reason and keeps the others."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from zhibao.conftest import make_user
from zhibao.core.choices import Role
from zhibao.core.services.cases import WorkflowError
from zhibao.navigation.services.projects import project_create
from zhibao.navigation.services.tree import (
    node_add,
    node_delete,
    node_move,
    node_update,
    tree_export_xlsx,
    tree_import_xlsx,
    tree_nodes,
)


@pytest.fixture
def lead(db):
    return make_user("nav-lead", [Role.ANALYST])


@pytest.fixture
def outsider(db):
    return make_user("nav-outsider", [Role.ANALYST])


@pytest.fixture
def project(lead):
    return project_create(user=lead, title="稀土永磁产业专利导航", industry="稀土永磁")[0]


def build(project, user):
    magnets = node_add(project=project, user=user, name="永磁材料", query="TIAB=永磁")
    sintered = node_add(project=project, user=user, parent=magnets, name="烧结钕铁硼", query="TIAB=烧结 AND TIAB=钕铁硼")
    bonded = node_add(project=project, user=user, parent=magnets, name="粘结钕铁硼", query="TIAB=粘结")
    grain = node_add(project=project, user=user, parent=sintered, name="晶界扩散", query="TIAB=晶界扩散",
                     description="重稀土晶界扩散降低镝铽用量")
    motors = node_add(project=project, user=user, name="应用", query="")
    return {"magnets": magnets, "sintered": sintered, "bonded": bonded, "grain": grain, "motors": motors}


def shape(project):
    return [(n["key"], n["name"], n["depth"], n["parent_key"], n["query"], n["description"]) for n in tree_nodes(project)]


def test_the_tree_reads_depth_first_with_keys(project, lead):
    build(project, lead)
    assert [(k, name, depth, parent) for k, name, depth, parent, _q, _d in shape(project)] == [
        ("1", "永磁材料", 1, None), ("1.1", "烧结钕铁硼", 2, "1"), ("1.1.1", "晶界扩散", 3, "1.1"),
        ("1.2", "粘结钕铁硼", 2, "1"), ("2", "应用", 1, None)]


def test_a_query_that_does_not_parse_is_refused_saying_why(project, lead):
    with pytest.raises(WorkflowError) as caught:
        node_add(project=project, user=lead, name="坏检索式", query="TIAB=(永磁")
    assert caught.value.code == "bad_query" and "query" in caught.value.fields
    assert "检索式" in caught.value.message or "query" in caught.value.message.lower()
    assert not project.nodes.exists()


def test_names_are_required_and_bounded(project, lead):
    with pytest.raises(WorkflowError) as caught:
        node_add(project=project, user=lead, name="   ")
    assert caught.value.code == "name_required"
    with pytest.raises(WorkflowError) as caught:
        node_add(project=project, user=lead, name="长" * 101)
    assert caught.value.code == "name_too_long"


def test_rename_and_requery(project, lead):
    nodes = build(project, lead)
    node_update(node=nodes["bonded"], user=lead, name="粘结磁体", query="TIAB=粘结 AND TIAB=磁体")
    nodes["bonded"].refresh_from_db()
    assert (nodes["bonded"].name, nodes["bonded"].query) == ("粘结磁体", "TIAB=粘结 AND TIAB=磁体")
    with pytest.raises(WorkflowError):
        node_update(node=nodes["bonded"], user=lead, query="AND AND")


def test_move_among_siblings_and_under_another_branch(project, lead):
    nodes = build(project, lead)
    node_move(node=nodes["bonded"], user=lead, parent=nodes["magnets"], position=0)
    assert [n[1] for n in shape(project)][:3] == ["永磁材料", "粘结钕铁硼", "烧结钕铁硼"]
    node_move(node=nodes["sintered"], user=lead, parent=nodes["motors"])
    assert [(k, name) for k, name, *_ in shape(project)] == [
        ("1", "永磁材料"), ("1.1", "粘结钕铁硼"), ("2", "应用"), ("2.1", "烧结钕铁硼"), ("2.1.1", "晶界扩散")]
    node_move(node=nodes["grain"], user=lead, parent=None)
    assert tree_nodes(project)[-1]["name"] == "晶界扩散" and tree_nodes(project)[-1]["depth"] == 1


def test_a_branch_cannot_go_under_itself_or_its_descendants(project, lead):
    nodes = build(project, lead)
    for target in (nodes["magnets"], nodes["sintered"], nodes["grain"]):
        with pytest.raises(WorkflowError) as caught:
            node_move(node=nodes["magnets"], user=lead, parent=target)
        assert caught.value.code == "cycle"
    assert tree_nodes(project)[0]["name"] == "永磁材料" and tree_nodes(project)[0]["depth"] == 1


def test_the_tree_is_at_most_six_levels_deep(project, lead):
    parent = None
    for level in range(6):
        parent = node_add(project=project, user=lead, parent=parent, name=f"第{level + 1}级")
    with pytest.raises(WorkflowError) as caught:
        node_add(project=project, user=lead, parent=parent, name="第7级")
    assert caught.value.code == "too_deep"


def test_delete_takes_the_subtree(project, lead):
    nodes = build(project, lead)
    assert node_delete(node=nodes["magnets"], user=lead) == 4
    assert [n[1] for n in shape(project)] == ["应用"]


def test_only_the_team_changes_the_tree(project, lead, outsider, bob):
    nodes = build(project, lead)
    for user in (outsider, bob):
        for call in (lambda u: node_add(project=project, user=u, name="外人"),
                     lambda u: node_update(node=nodes["bonded"], user=u, name="改名"),
                     lambda u: node_move(node=nodes["bonded"], user=u, parent=None),
                     lambda u: node_delete(node=nodes["bonded"], user=u)):
            with pytest.raises(WorkflowError) as caught:
                call(user)
            assert caught.value.status == 403
    project.team.add(outsider)
    node_add(project=project, user=outsider, name="团队成员加的")
    assert project.nodes.filter(name="团队成员加的").exists()


def test_a_finished_project_is_read_only(project, lead):
    build(project, lead)
    type(project).objects.filter(pk=project.pk).update(state="completed")
    project.refresh_from_db()
    with pytest.raises(WorkflowError) as caught:
        node_add(project=project, user=lead, name="晚了")
    assert caught.value.code == "not_editable"


def test_excel_round_trip(project, lead):
    build(project, lead)
    data = tree_export_xlsx(project)
    sheet = load_workbook(io.BytesIO(data)).active
    header = [c.value for c in sheet[1]]
    assert header == ["一级分支", "二级分支", "三级分支", "说明", "检索式"]
    assert [c.value for c in sheet[4]][:3] == [None, None, "晶界扩散"]
    other = project_create(user=lead, title="复制", industry="稀土永磁")[0]
    report = tree_import_xlsx(project=other, user=lead, fileobj=io.BytesIO(data))
    assert report.created == 5 and report.rejected == []
    assert shape(other) == shape(project)


def workbook(rows) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(["一级分支", "二级分支", "三级分支", "说明", "检索式"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def test_an_import_reports_rejected_rows_and_keeps_the_others(project, lead):
    node_add(project=project, user=lead, name="旧分支")
    report = tree_import_xlsx(project=project, user=lead, fileobj=workbook([
        ["永磁材料", None, None, "", "TIAB=永磁"],            # row 2 ok
        [None, "烧结", None, "", "TIAB=烧结"],                 # row 3 ok
        [None, None, "晶界扩散", "", "TIAB=(晶界"],            # row 4 bad query
        [None, None, None, None, None],                        # row 5 blank, skipped
        [None, "粘结", "多余", "", "TIAB=粘结"],               # row 6 two names
        ["储能", None, None, "", ""],                          # row 7 ok
        [None, None, "孤儿", "", "TIAB=孤儿"],                 # row 8 no level-2 above
        [None, "坏的", None, "", "AND"],                       # row 9 bad query
        [None, None, "坏的子分支", "", "TIAB=子"],             # row 10 its parent was rejected
    ]))
    assert report.created == 3 and report.replaced == 1
    assert [r["row"] for r in report.rejected] == [4, 6, 8, 9, 10]
    reasons = {r["row"]: r["reason"] for r in report.rejected}
    assert "2" in reasons[6] and "2" in reasons[8]
    assert [(k, name) for k, name, *_ in shape(project)] == [("1", "永磁材料"), ("1.1", "烧结"), ("2", "储能")]


def test_an_import_refuses_a_file_that_is_not_a_workbook(project, lead):
    with pytest.raises(WorkflowError) as caught:
        tree_import_xlsx(project=project, user=lead, fileobj=io.BytesIO(b"not a workbook"))
    assert caught.value.code == "bad_file"


def test_a_damaged_workbook_is_refused_not_a_server_error(project, lead):
    import zipfile

    good = workbook([["永磁材料", None, None, "", "TIAB=永磁"]]).getvalue()
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data[: len(data) // 2] if item.filename.endswith("sheet1.xml") else data)
    damaged.seek(0)
    with pytest.raises(WorkflowError) as caught:
        tree_import_xlsx(project=project, user=lead, fileobj=damaged)
    assert caught.value.code == "bad_file"


def test_an_import_deeper_than_six_levels_is_refused_row_by_row(project, lead):
    wb = Workbook()
    wb.active.append([f"{i}级分支" for i in "一二三四五六七八"] + ["说明", "检索式"])
    for i in range(8):
        wb.active.append([None] * i + [f"第{i + 1}级"] + [None] * (7 - i) + ["", f"TIAB=第{i + 1}级"])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    report = tree_import_xlsx(project=project, user=lead, fileobj=buffer)
    assert report.created == 6 and [r["row"] for r in report.rejected] == [8, 9]
    assert "6" in report.rejected[0]["reason"]
    tree_export_xlsx(project)  # the exported table has its six level columns

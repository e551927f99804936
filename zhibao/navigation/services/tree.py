"""技术分解表: editing a project's technology breakdown tree, and its Excel form.

The tree has any depth. Every change checks that the project is in progress and the user on its
team, that a node's query parses in the corpus query language (a syntax error says where), and
that a move does not put a branch under itself. The Excel form has one column per level (the
branch's name in the column of its level), then the description and the query; importing
reports every rejected row with its reason and keeps the accepted ones.
"""

import io
import itertools
import zipfile
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhibao.core.services.cases import WorkflowError

from ..models import BreakdownNode, NavigationProject
from ..rules import may_work_on

MAX_DEPTH = 6  # GB/T 39551 trees go to 3–4 levels; deeper ones are unreadable in a report
MAX_NODES = 500
MAX_IMPORT_BYTES = 5 * 1024 * 1024  # a 500-branch table is a few hundred KB
MAX_QUERY = 2000
MAX_NAME = 100
# The Excel form's level columns, as analysts head them (一级分支, 二级分支 …).
LEVEL_HEADERS = (gettext_lazy("Level-1 branch"), gettext_lazy("Level-2 branch"), gettext_lazy("Level-3 branch"),
                 gettext_lazy("Level-4 branch"), gettext_lazy("Level-5 branch"), gettext_lazy("Level-6 branch"))


def project_check_editable(*, project: NavigationProject, user) -> None:
    """The user may change the project now: on its team, and the project in progress."""
    if not may_work_on(user, project):
        raise WorkflowError("forbidden", _("Only the project's team may change it."), status=403)
    if not project.is_editable:
        raise WorkflowError("not_editable", _(
            "The project is “%(state)s”: reopen it to change the tree or conclusions.")
            % {"state": project.get_state_display()})


def query_check(query: str, *, field_name: str = "query") -> str:
    """The query, stripped, or a WorkflowError saying where it does not parse."""
    from zhibao.patents.search import QuerySyntaxError
    from zhibao.patents.search.query import parse_query

    text = (query or "").strip()
    if len(text) > MAX_QUERY:
        raise WorkflowError("query_too_long", _("A query has at most %(n)d characters.") % {"n": MAX_QUERY},
                            fields={field_name: [_("Too long.")]}, status=400)
    if text:
        try:
            parse_query(text)
        except QuerySyntaxError as exc:
            message = _("The query cannot be read: %(error)s") % {"error": exc.message}
            raise WorkflowError("bad_query", message, fields={field_name: [message]}, status=400) from exc
    return text


def _name(value: str) -> str:
    name = " ".join(str(value or "").split())
    if not name:
        raise WorkflowError("name_required", _("Give the branch a name."), fields={"name": [_("Required.")]},
                            status=400)
    if len(name) > MAX_NAME:
        raise WorkflowError("name_too_long", _("A branch name has at most %(n)d characters.") % {"n": MAX_NAME},
                            fields={"name": [_("Too long.")]}, status=400)
    return name


def _depth(node: BreakdownNode | None) -> int:
    depth = 0
    while node is not None:
        depth += 1
        node = node.parent
    return depth


def _next_position(project, parent) -> int:
    last = BreakdownNode.objects.filter(project=project, parent=parent).aggregate(m=Max("position"))["m"]
    return 0 if last is None else last + 1


@transaction.atomic
def node_add(*, project: NavigationProject, user, name: str, parent: BreakdownNode | None = None,
             description: str = "", query: str = "") -> BreakdownNode:
    """Add a branch at the end of its parent's children (or as a root)."""
    project_check_editable(project=project, user=user)
    if parent is not None and parent.project_id != project.pk:
        raise WorkflowError("bad_parent", _("The parent branch belongs to another project."), status=400)
    if _depth(parent) + 1 > MAX_DEPTH:
        raise WorkflowError("too_deep", _("The tree has at most %(n)d levels.") % {"n": MAX_DEPTH}, status=400)
    if project.nodes.count() >= MAX_NODES:
        raise WorkflowError("too_many", _("A tree has at most %(n)d branches.") % {"n": MAX_NODES}, status=400)
    node = BreakdownNode(project=project, parent=parent, name=_name(name), description=(description or "").strip(),
                         query=query_check(query), position=_next_position(project, parent))
    node.full_clean()
    node.save()
    return node


@transaction.atomic
def node_update(*, node: BreakdownNode, user, **values) -> BreakdownNode:
    """Rename a branch, or change its description or query; fields not given keep their value."""
    project_check_editable(project=node.project, user=user)
    if "name" in values:
        node.name = _name(values["name"])
    if "description" in values:
        node.description = (values["description"] or "").strip()
    if "query" in values:
        node.query = query_check(values["query"])
    node.full_clean()
    node.save()
    return node


@transaction.atomic
def node_move(*, node: BreakdownNode, user, parent: BreakdownNode | None, position: int | None = None
              ) -> BreakdownNode:
    """Move a branch (with its subtree) under another parent, or among its siblings; `position`
    is its 0-based place among the new parent's children (the end when None)."""
    project = node.project
    project_check_editable(project=project, user=user)
    if parent is not None:
        if parent.project_id != project.pk:
            raise WorkflowError("bad_parent", _("The parent branch belongs to another project."), status=400)
        ancestor = parent
        while ancestor is not None:
            if ancestor.pk == node.pk:
                raise WorkflowError("cycle", _("A branch cannot be moved under itself or its own sub-branches."),
                                    status=400)
            ancestor = ancestor.parent
    if _depth(parent) + _subtree_height(node) > MAX_DEPTH:
        raise WorkflowError("too_deep", _("The tree has at most %(n)d levels.") % {"n": MAX_DEPTH}, status=400)
    siblings = list(BreakdownNode.objects.filter(project=project, parent=parent).exclude(pk=node.pk)
                    .order_by("position", "pk"))
    at = len(siblings) if position is None else max(0, min(int(position), len(siblings)))
    siblings.insert(at, node)
    node.parent = parent
    node.save(update_fields=["parent", "updated_at"])
    for index, sibling in enumerate(siblings):
        if sibling.position != index:
            BreakdownNode.objects.filter(pk=sibling.pk).update(position=index)
    node.refresh_from_db()
    return node


def _subtree_levels(node: BreakdownNode) -> dict[int, int]:
    """{branch id: its level below `node` (node itself 1)} for the node and its sub-branches,
    from one query of the project's (id, parent) pairs."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in BreakdownNode.objects.filter(project_id=node.project_id).values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    levels, todo = {node.pk: 1}, [node.pk]
    while todo:
        current = todo.pop()
        for child in children.get(current, ()):
            levels[child] = levels[current] + 1
            todo.append(child)
    return levels


def subtree_ids(node: BreakdownNode) -> set[int]:
    """The branch and all its sub-branches (where it may not be moved under)."""
    return set(_subtree_levels(node))


def _subtree_height(node: BreakdownNode) -> int:
    return max(_subtree_levels(node).values())


@transaction.atomic
def node_delete(*, node: BreakdownNode, user) -> int:
    """Delete a branch and its sub-branches; returns how many branches went. Snapshots keep
    their frozen copy of the tree."""
    project_check_editable(project=node.project, user=user)
    count = len(_subtree_levels(node))
    node.delete()
    return count


# --- reading the tree -------------------------------------------------------------------------

def tree_nodes(project: NavigationProject) -> list[dict]:
    """The tree in reading order (depth first, siblings by position) as the analytics take it:
    {"key": "1.2", "name", "description", "parent_key", "depth", "query", "node_id"}."""
    nodes = list(BreakdownNode.objects.filter(project=project).order_by("position", "pk"))
    children: dict[int | None, list[BreakdownNode]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    out: list[dict] = []

    def walk(parent_id, parent_key, depth):
        for index, node in enumerate(children.get(parent_id, []), start=1):
            key = f"{parent_key}.{index}" if parent_key else str(index)
            out.append({"key": key, "name": node.name, "description": node.description,
                        "parent_key": parent_key or None, "depth": depth, "query": node.query, "node_id": node.pk})
            walk(node.pk, key, depth + 1)

    walk(None, "", 1)
    return out


# --- Excel ------------------------------------------------------------------------------------

def tree_levels(nodes: list[dict]) -> int:
    return max((n["depth"] for n in nodes), default=1)


def tree_export_xlsx(project: NavigationProject) -> bytes:
    """The tree as a workbook: 一级分支 … N级分支, 说明, 检索式 — one row per branch, its name in
    the column of its level (the layout analysts keep technology breakdown tables in)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from zhibao.core.spreadsheets import safe_cell

    nodes = tree_nodes(project)
    levels = max(tree_levels(nodes), 3)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Technology breakdown")[:31]
    header = [str(LEVEL_HEADERS[i]) for i in range(levels)] + [_("Description"), _("Query")]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for node in nodes:
        row = [""] * levels + [node["description"], node["query"]]
        row[node["depth"] - 1] = node["name"]
        ws.append([safe_cell(v) for v in row])
    for i in range(levels):
        ws.column_dimensions[chr(ord("A") + i)].width = 22
    ws.column_dimensions[chr(ord("A") + levels)].width = 40
    ws.column_dimensions[chr(ord("A") + levels + 1)].width = 60
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@dataclass
class TreeImportReport:
    created: int = 0
    rejected: list[dict] = field(default_factory=list)  # {"row": 5, "reason": "…"}
    replaced: int = 0

    def as_dict(self) -> dict:
        return {"created": self.created, "rejected": self.rejected, "replaced": self.replaced}


def _cell_text(value) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
        text = text[1:]  # our own export's formula guard (core.spreadsheets.safe_cell)
    return text


@transaction.atomic
def tree_import_xlsx(*, project: NavigationProject, user, fileobj, replace: bool = True) -> TreeImportReport:
    """Read a tree from a workbook laid out as tree_export_xlsx writes it. The level columns are
    those before the column headed 说明/Description (or the last two columns are description and
    query when no header says so). A row whose branch is at level n needs a branch at level n-1
    above it; rows that cannot be placed, whose name is too long or whose query does not parse
    are reported with the row number and reason, and their sub-branches with them. With
    `replace` the current tree is removed first (snapshots keep theirs)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    project_check_editable(project=project, user=user)
    # A read-only workbook parses a sheet's XML only as its rows are read, so a damaged file fails
    # there (ParseError is a SyntaxError); the rows are read up to what a tree can hold.
    try:
        wb = load_workbook(fileobj, read_only=True, data_only=True)
        try:
            rows = list(itertools.islice(wb.worksheets[0].iter_rows(values_only=True), 2 * MAX_NODES + 1))
        finally:
            wb.close()
    except (InvalidFileException, KeyError, OSError, ValueError, IndexError, SyntaxError, TypeError,
            zipfile.BadZipFile) as exc:
        raise WorkflowError("bad_file", _("The file is not an Excel workbook (.xlsx)."), status=400) from exc
    if not rows:
        raise WorkflowError("empty_file", _("The workbook is empty."), status=400)
    header = [_cell_text(v) for v in rows[0]]
    width = len(header)
    description_col = next((i for i, h in enumerate(header)
                            if h in ("说明", "描述", "Description", _("Description"))), None)
    query_col = next((i for i, h in enumerate(header) if h in ("检索式", "查询", "Query", _("Query"))), None)
    if description_col is None or query_col is None:
        if width < 3:
            raise WorkflowError("bad_layout", _(
                "Expected one column per level, then a description column and a query column."), status=400)
        description_col, query_col = width - 2, width - 1
    levels = min(description_col, query_col)
    if levels < 1:
        raise WorkflowError("bad_layout", _("The first columns must be the branch levels."), status=400)
    report = TreeImportReport()
    if replace:
        report.replaced = project.nodes.count()
        project.nodes.all().delete()
    stack: list[BreakdownNode | None] = []  # the last accepted branch at each level
    count = project.nodes.count()
    for number, raw in enumerate(rows[1:], start=2):
        cells = [_cell_text(v) for v in (list(raw) + [None] * width)[:width]]
        names = [(i, cells[i]) for i in range(levels) if cells[i]]
        if not names and not cells[description_col] and not cells[query_col]:
            continue  # a blank line
        if len(names) != 1:
            report.rejected.append({"row": number, "reason": _(
                "Put the branch's name in exactly one level column (found %(n)d).") % {"n": len(names)}})
            continue
        level, name = names[0]
        if level >= MAX_DEPTH:
            report.rejected.append({"row": number, "reason": _("The tree has at most %(n)d levels.") % {"n": MAX_DEPTH}})
            continue
        parent = None
        if level > 0:
            parent = stack[level - 1] if len(stack) >= level else None
            if parent is None:
                report.rejected.append({"row": number, "reason": _(
                    "No level-%(n)d branch above this level-%(m)d branch (or it was rejected).")
                    % {"n": level, "m": level + 1}})
                del stack[level:]
                continue
        if count >= MAX_NODES:
            report.rejected.append({"row": number, "reason": _("A tree has at most %(n)d branches.") % {"n": MAX_NODES}})
            continue
        try:
            node = BreakdownNode(project=project, parent=parent, name=_name(name),
                                 description=cells[description_col], query=query_check(cells[query_col]),
                                 position=_next_position(project, parent))
            node.full_clean()
        except WorkflowError as exc:
            report.rejected.append({"row": number, "reason": exc.message})
            del stack[level:]
            stack.extend([None] * (level + 1 - len(stack)))
            stack[level] = None
            continue
        node.save()
        count += 1
        report.created += 1
        del stack[level:]
        stack.extend([None] * (level - len(stack)))
        stack.append(node)
    return report

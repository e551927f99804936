"""The run dashboard's tables and their Excel workbook.

Every chart of the dashboard (views/dashboard.py) has its numbers in a table beside it; these
are those tables, built once from a snapshot's stored figures (docs/navigation-analytics.md) and
used twice: rendered on the page and written to the workbook, one sheet per table, through the
formula-safe writer every export uses (core.spreadsheets). Applicant names and patent titles come
from third-party databases, so a name like "=HYPERLINK(…)" arrives in Excel as text.

A table is ``{"id", "title", "columns": [(label, kind)], "rows": [[raw values]]}``; the kind
says how a value is shown and written:

- ``text``, ``label`` (short text kept on one line), ``code`` (monospace), ``int``;
- ``pct``: a share 0..1, shown "6.5%", written as a percentage number (6.5) under a "(%)" header;
- ``num``: a float with two decimals (the location quotient, HHI);
- ``patent``: a publication number linking to the patent's page;
- ``node``: a branch key linking to the branch's dashboard.
"""

import io
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhibao.core.spreadsheets import XLSX_CONTENT_TYPE, xlsx_sheet_write

__all__ = ["XLSX_CONTENT_TYPE", "dashboard_filename", "dashboard_tables", "dashboard_workbook", "display_rows"]

NUMERIC = frozenset({"int", "pct", "num"})


def _table(table_id: str, title: str, columns: list[tuple[str, str]], rows: list[list]) -> dict:
    return {"id": table_id, "title": title, "columns": columns, "rows": rows}


def _share(count, total):
    return (count / total) if total else None


def _node_label(node: dict) -> str:
    return f"{node.get('key', '')} {node.get('name', '')}".strip()


def dashboard_tables(figures: dict, *, positions: list[dict] = (), node_year: dict | None = None,
                     node_applicant: dict | None = None, gaps: list[dict] = (), strengths: list[dict] = (),
                     local_by_node: list[dict] = (), overview: list[list] = ()) -> dict[str, dict]:
    """Every table of one dashboard, by id, in page order.

    `figures` is one node_analytics dict (the project's "overall" or a branch's); `positions`
    the branches' regional figures (project_analytics "nodes") shown with it; `node_year` and
    `node_applicant` the heat maps' matrices; `local_by_node` [{"key", "name",
    "local_applicants"}]; `overview` the header's figures as [label, value, kind] rows."""
    f = figures or {}
    total = f.get("total") or 0
    applicants = f.get("applicants") or {}
    geo = f.get("geography") or {}
    legal = f.get("legal") or {}
    ipc = f.get("ipc") or {}
    lifecycle = f.get("lifecycle") or {}
    tables: dict[str, dict] = {}

    def add(table_id, title, columns, rows):
        tables[table_id] = _table(table_id, title, columns, rows)

    add("overview", _("Overview"), [(_("Figure"), "text"), (pgettext("figure", "Value"), "text")],
        [[label, value] for label, value, *_kind in overview])
    add("trend", _("Application trend by year"),
        [(_("Year"), "text"), (_("Applications"), "int"), (_("Grants"), "int"), (_("Number of applicants"), "int")],
        [[str(t.get("year", "")), t.get("applications", 0), t.get("grants", 0), t.get("applicants", 0)]
         for t in f.get("trend") or ()])
    add("lifecycle", _("Technology life cycle"),
        [(_("Year"), "text"), (_("Applications"), "int"), (_("Number of applicants"), "int")],
        [[str(p.get("year", "")), p.get("applications", 0), p.get("applicants", 0)]
         for p in lifecycle.get("points") or ()])
    type_rows = [[t.get("label") or t.get("key", ""), t.get("count", 0), _share(t.get("count", 0), total)]
                 for t in f.get("types") or ()]
    add("types", _("Patent types"), [(_("Patent type"), "text"), (_("Patents"), "int"), (_("Share"), "pct")],
        type_rows)
    add("applicants", _("Top applicants"),
        [(_("Rank"), "int"), (_("Applicant"), "text"), (_("Applicant type"), "label"), (_("Patents"), "int"),
         (_("Share"), "pct")],
        [[i, a.get("name", ""), a.get("type_label") or a.get("type", ""), a.get("count", 0),
          _share(a.get("count", 0), total)] for i, a in enumerate(applicants.get("top") or (), start=1)])
    add("applicant_types", _("Applicant types"), [(_("Applicant type"), "text"), (_("Count"), "int")],
        [[t.get("label") or t.get("key", ""), t.get("count", 0)] for t in applicants.get("types") or ()])
    add("concentration", _("Applicant concentration"),
        [(_("Distinct applicants"), "int"), ("CR4", "pct"), ("CR8", "pct"), ("HHI", "num")],
        [[applicants.get("total", 0), applicants.get("cr4"), applicants.get("cr8"), applicants.get("hhi")]])
    add("new_entrants", _("New entrants per year"), [(_("Year"), "text"), (_("New applicants"), "int")],
        [[str(e.get("year", "")), e.get("count", 0)] for e in applicants.get("new_entrants") or ()])
    network = applicants.get("network") or {}
    add("network", _("Co-applicant network"),
        [(_("Applicant"), "text"), (_("Co-applicant"), "text"), (_("Joint patents"), "int")],
        [[link.get("source", ""), link.get("target", ""), link.get("count", 0)]
         for link in sorted(network.get("links") or (), key=lambda x: -(x.get("count") or 0))])
    add("ipc_subclasses", _("IPC subclasses"),
        [(_("IPC subclass"), "code"), (pgettext("IPC", "Title"), "text"), (_("Patents"), "int")],
        [[s.get("code", ""), s.get("title", ""), s.get("count", 0)] for s in ipc.get("subclasses") or ()])
    add("ipc_groups", _("IPC groups"), [(_("IPC group"), "code"), (pgettext("IPC", "Title"), "text"), (_("Patents"), "int")],
        [[s.get("code", ""), s.get("title", ""), s.get("count", 0)] for s in ipc.get("groups") or ()])
    if node_year and node_year.get("rows"):
        add("node_year", _("Applications by branch and year"),
            [(_("Branch"), "node"), (_("Name"), "text"), *[(str(y), "int") for y in node_year.get("years") or ()]],
            [[r.get("key", ""), r.get("name", ""), *r.get("counts", ())] for r in node_year["rows"]])
    if node_applicant and node_applicant.get("rows"):
        add("node_applicant", _("Patents by branch and applicant"),
            [(_("Branch"), "node"), (_("Name"), "text"),
             *[(str(a), "int") for a in node_applicant.get("applicants") or ()]],
            [[r.get("key", ""), r.get("name", ""), *r.get("counts", ())] for r in node_applicant["rows"]])
    add("provinces", _("Patents by province"), [(_("Province"), "text"), (_("Patents"), "int")],
        [[p.get("name", ""), p.get("count", 0)] for p in geo.get("provinces") or ()])
    add("leagues", _("Patents by league / city"),
        [(_("Code"), "code"), (_("League / city"), "text"), (_("Patents"), "int")],
        [[p.get("code", ""), p.get("name", ""), p.get("count", 0)] for p in geo.get("leagues") or ()])
    add("banners", _("Patents by banner / county"),
        [(_("Code"), "code"), (_("Banner / county"), "text"), (_("Patents"), "int")],
        [[p.get("code", ""), p.get("name", ""), p.get("count", 0)] for p in geo.get("banners") or ()])
    position_columns = [
        (_("Branch"), "node"), (_("Name"), "text"), (_("Level"), "int"), (_("Patents"), "int"),
        (_("Region's patents"), "int"), (_("Region's share"), "pct"), (_("National share"), "pct"),
        (_("Location quotient"), "num"), (_("Reading"), "label"), (_("Reason"), "text")]

    def position_row(n):
        return [n.get("key", ""), n.get("name", ""), n.get("depth", ""), n.get("total", 0), n.get("region_count", 0),
                n.get("region_share"), n.get("national_share"), n.get("location_quotient"),
                _verdict_label(n.get("verdict")), n.get("reason", "")]

    if positions:
        add("positions", _("The region's share per branch"), position_columns, [position_row(n) for n in positions])
    add("gaps", _("Gap branches"), position_columns, [position_row(n) for n in gaps])
    add("strengths", _("Strength branches"), position_columns, [position_row(n) for n in strengths])
    if local_by_node:
        add("local_applicants", _("Local applicants per branch"),
            [(_("Branch"), "node"), (_("Name"), "text"), (_("Local applicant"), "text"), (_("Patents"), "int")],
            [[n.get("key", ""), n.get("name", ""), a.get("name", ""), a.get("count", 0)]
             for n in local_by_node for a in n.get("local_applicants") or ()])
    else:
        add("local_applicants", _("Local applicants"), [(_("Local applicant"), "text"), (_("Patents"), "int")],
            [[a.get("name", ""), a.get("count", 0)] for a in geo.get("local_applicants") or ()])
    add("legal_status", _("Legal status"), [(_("Legal status"), "text"), (_("Patents"), "int"), (_("Share"), "pct")],
        [[s.get("label") or s.get("key", ""), s.get("count", 0), _share(s.get("count", 0), total)]
         for s in legal.get("status") or ()])
    lapse = legal.get("lapse_risk") or {}
    add("operations", _("Lapse risk, transfers, licences and pledges"),
        [(_("Figure"), "text"), (_("Patents"), "int"), (_("Rule"), "text")], [
            [_("Lapse risk"), lapse.get("count", 0), lapse.get("rule", "")],
            [_("Transfers"), legal.get("transfers", 0), ""],
            [_("Licences"), legal.get("licences", 0), ""],
            [_("Pledges"), legal.get("pledges", 0), ""],
        ])
    add("key_patents", _("Key patents"), [
        (_("Publication number"), "patent"), (_("Title"), "text"), (_("First applicant"), "text"),
        (_("Application date"), "label"), (_("Patent type"), "label"), (_("Legal status"), "label"),
        (_("Citations"), "int"), (_("Family size"), "int"), (_("Transfers"), "int"), (_("Licences"), "int"),
        (_("Claims"), "int"), (_("Score"), "num")],
        [[p.get("publication_number", ""), p.get("title", ""), p.get("first_applicant", ""),
          p.get("application_date", ""), _patent_type_label(p.get("patent_type")),
          _legal_status_label(p.get("legal_status")), p.get("citations", 0), p.get("family_size", 0),
          p.get("transfers", 0), p.get("licences", 0), p.get("claims", 0), p.get("score")]
         for p in f.get("key_patents") or ()])
    return tables


def _label_of(choices, value) -> str:
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _patent_type_label(value) -> str:
    from zhibao.patents.choices import PatentType

    return _label_of(PatentType, value)


def _legal_status_label(value) -> str:
    from zhibao.patents.choices import LegalStatus

    return _label_of(LegalStatus, value)


def _verdict_label(value) -> str:
    from .choices import Verdict

    return _label_of(Verdict, value)


# --- The page: rows as display cells ------------------------------------------------------------

def display_rows(table: dict, *, patent_url: Callable[[str], str] | None = None,
                 node_url: Callable[[str], str] | None = None) -> list[list[tuple[str, str, str]]]:
    """The table's rows as (text, css class, link) cells, formatted once (the page caches them)."""
    kinds = [kind for _label, kind in table["columns"]]
    out = []
    for row in table["rows"]:
        cells = []
        for kind, value in zip(kinds, row, strict=False):
            href = ""
            if value is None or value == "":
                text = "—" if kind in NUMERIC else ""
            elif kind == "pct":
                text = f"{value * 100:.1f}%"
            elif kind == "num":
                text = f"{value:.2f}"
            else:
                text = str(value)
            if kind == "patent" and value and patent_url:
                href = patent_url(value)
            elif kind == "node" and value and node_url:
                href = node_url(value)
            css = "text-end text-nowrap" if kind in NUMERIC else "font-monospace text-nowrap" if kind in (
                "code", "patent", "node") else "text-nowrap" if kind == "label" else ""
            cells.append((text, css, href))
        out.append(cells)
    return out


# --- The workbook -------------------------------------------------------------------------------

def _sheet_value(kind: str, value):
    if value is None:
        return ""
    if kind == "pct":
        return round(value * 100, 2)
    if kind == "num" and isinstance(value, float):
        return round(value, 2)
    return value


def dashboard_workbook(tables: dict[str, dict]) -> bytes:
    """One sheet per table of the dashboard (empty tables too: the sheet then says so by its
    header alone, and every workbook of a project has the same sheets)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    used: set[str] = set()
    for table in tables.values():
        kinds = [kind for _label, kind in table["columns"]]
        header = [f"{label} (%)" if kind == "pct" else label for label, kind in table["columns"]]
        widths = [34 if kind == "text" else 14 for kind in kinds]
        rows = ([_sheet_value(k, v) for k, v in zip(kinds, row, strict=False)] for row in table["rows"])
        xlsx_sheet_write(wb, title=table["title"], header=header, rows=rows, widths=widths, used=used)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def dashboard_filename(number: str, run: int, key: str = "") -> str:
    suffix = f"-{key}" if key else ""
    return f"{number}-run{run}{suffix}-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx"

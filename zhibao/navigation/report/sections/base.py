"""What every chapter builder shares: the context read once, and a numbering chapter writer."""

import datetime as dt
from collections.abc import Sequence

from ..charts import Charts, Rendered
from ..model import Column, Figure, Heading, Para, Report, Table

# GB/T 39551 reports read counts per technology branch; a branch row in a chart is "key name".
MISSING = "（分析人员未填写）"
NO_DATA = "（无数据）"


class Ctx:
    """The report context with the lookups every chapter needs, computed once.

    Reads only what docs/navigation-analytics.md promises and tolerates what it leaves optional
    (an empty node, no network, no maps), so a half-filled snapshot still gives a report.
    """

    def __init__(self, context: dict, charts: Charts):
        self.context = context
        self.charts = charts
        self.project = context.get("project") or {}
        self.snapshot = context.get("snapshot") or {}
        self.analytics = context.get("analytics") or {}
        self.overall = self.analytics.get("overall") or {}
        self.node_results = self.analytics.get("node_results") or {}
        self.conclusions = context.get("conclusions") or {}
        self.maps = context.get("maps") or {}
        self.region_name = self.project.get("region_name") or "内蒙古自治区"
        self.region_short = _short_region(self.region_name)
        self.center_name = context.get("center_name") or f"{self.region_name}知识产权保护中心"
        thresholds = {**default_thresholds(), **(self.analytics.get("thresholds") or {})}
        self.gap_lq = float(thresholds["gap_lq"])
        self.strength_lq = float(thresholds["strength_lq"])
        self.min_node_patents = int(thresholds["min_node_patents"])

        analytic_rows = {row.get("key"): row for row in self.analytics.get("nodes") or []}
        self.nodes: list[dict] = []
        for node in context.get("nodes") or self.analytics.get("nodes") or []:
            merged = dict(analytic_rows.get(node.get("key"), {}))
            merged.update({k: v for k, v in node.items() if v is not None})
            merged.setdefault("total", (self.node_results.get(node.get("key")) or {}).get("total", 0))
            self.nodes.append(merged)
        self.roots = [n for n in self.nodes if not n.get("parent_key")]
        self.years = list(self.overall.get("years") or (self.analytics.get("node_year") or {}).get("years") or [])
        self.incomplete_from = first_incomplete_year(self.snapshot.get("taken_at"))

    def result(self, key: str) -> dict:
        return self.node_results.get(key) or {}

    def label(self, node: dict, limit: int | None = None) -> str:
        """A branch as charts name it: its key and name ("1.1 烧结钕铁硼")."""
        name = node.get("name", "")
        if limit and len(name) > limit:
            name = name[: limit - 1] + "…"
        return f"{node.get('key', '')} {name}".strip()

    def descendants(self, key: str) -> list[dict]:
        """A node and the nodes under it, in tree order."""
        out, keys = [], {key}
        for node in self.nodes:
            if node.get("key") in keys or node.get("parent_key") in keys:
                keys.add(node.get("key"))
                out.append(node)
        return out


def default_thresholds() -> dict:
    """The gap/strength rule's thresholds when the snapshot does not carry its own: the
    analytics module's constants, so the report explains the rule that made the verdicts."""
    from zhibao.navigation import analytics

    return {"gap_lq": getattr(analytics, "GAP_LQ", 0.5), "strength_lq": getattr(analytics, "STRENGTH_LQ", 1.5),
            "min_node_patents": getattr(analytics, "MIN_NODE_PATENTS", 20)}


def _short_region(name: str) -> str:
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def first_incomplete_year(taken_at) -> int | None:
    """The first application year whose filings cannot all be published at the snapshot.

    Invention applications are published 18 months after filing (专利法 第三十四条), so filings
    of year Y are all public from 1 July of Y+2 (31 December of Y plus 18 months) on.
    """
    if not taken_at:
        return None
    try:
        when = dt.date.fromisoformat(str(taken_at)[:10])
    except ValueError:
        return None
    return when.year - 1 if when >= dt.date(when.year, 7, 1) else when.year - 2


class Chapter:
    """Writes one chapter's blocks, numbering its sections, figures and tables (图3-2, 表3-2)."""

    def __init__(self, report: Report, number: int, title: str):
        self.report = report
        self.number = number
        self.sections = 0
        self.figures = 0
        self.tables = 0
        report.blocks.append(Heading(f"{number} {title}", 1))

    def section(self, title: str) -> None:
        self.sections += 1
        self.report.blocks.append(Heading(f"{self.number}.{self.sections} {title}", 2))

    def para(self, text: str, kind: str = "body") -> None:
        self.report.blocks.append(Para(text, kind))

    def note(self, text: str) -> None:
        self.report.blocks.append(Para(text, "note"))

    def figure(self, rendered: Rendered, title: str, note: str = "") -> str:
        """Add a chart; returns its number ("图3-1") for the data table's caption."""
        self.figures += 1
        number = f"图{self.number}-{self.figures}"
        self.report.blocks.append(Figure(rendered.path, f"{number} {title}", rendered.aspect, note=note))
        return number

    def table(self, title: str, columns: Sequence[Column], rows: Sequence[Sequence[str]], *, note: str = "",
              max_columns: int = 0, keep: int = 1, font_size: float = 8.5) -> None:
        """Add a table; a table wider than `max_columns` continues in further tables that repeat
        the first `keep` columns, so every part fits the portrait page in Word and PDF alike."""
        self.tables += 1
        caption = f"表{self.number}-{self.tables} {title}"
        columns, rows = list(columns), [list(r) for r in rows]
        if not max_columns or len(columns) <= max_columns:
            self.report.blocks.append(Table(caption, columns, rows, note=note, font_size=font_size))
            return
        step = max_columns - keep
        starts = list(range(keep, len(columns), step))
        for part, start in enumerate(starts):
            idx = list(range(keep)) + list(range(start, min(start + step, len(columns))))
            self.report.blocks.append(Table(
                caption if part == 0 else f"表{self.number}-{self.tables}（续）",
                [columns[i] for i in idx], [[row[i] for i in idx] for row in rows],
                note=note if part == len(starts) - 1 else "", font_size=font_size))

    def chart_table(self, figure_number: str, columns: Sequence[Column], rows: Sequence[Sequence[str]],
                    **kwargs) -> None:
        """The data behind a chart, right after it."""
        self.table(f"{figure_number}的数据", columns, rows, **kwargs)


def num(title: str, weight: float = 0.8) -> Column:
    """A right-aligned number column."""
    return Column(title, "R", weight)


def text(title: str, weight: float = 2.0) -> Column:
    return Column(title, "L", weight)

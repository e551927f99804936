"""3 专利申请趋势与技术生命周期: trend, life cycle, per-branch trends, patent types, grant rate."""

from django.utils import translation

from zhibao.patents.choices import PatentType

from ..model import Report, fmt_int, fmt_pct
from .base import NO_DATA, Chapter, Ctx, num, text


def chapter_trends(ctx: Ctx, report: Report) -> None:
    """3: the yearly trend, the life cycle with its phase and reason, per-branch trends, types, grant rate."""
    ch = Chapter(report, 3, "专利申请趋势与技术生命周期")
    overall = ctx.overall
    trend = overall.get("trend") or []
    shade = ctx.incomplete_from if ctx.years and ctx.incomplete_from in ctx.years else None

    ch.section("申请趋势")
    if trend:
        peak = max(trend, key=lambda r: r.get("applications") or 0)
        first, last = trend[0], trend[-1]
        ch.para(f"{first['year']}—{last['year']} 年共有相关专利申请 {fmt_int(overall.get('total'))} 件，"
                f"申请量最高的年份为 {peak['year']} 年（{fmt_int(peak.get('applications'))} 件）；"
                f"{last['year']} 年申请量 {fmt_int(last.get('applications'))} 件，申请人 {fmt_int(last.get('applicants'))} 个。")
        rendered = ctx.charts.trend("trend", [r["year"] for r in trend], [r.get("applications") or 0 for r in trend],
                                    [r.get("grants") or 0 for r in trend], [r.get("applicants") or 0 for r in trend],
                                    shade_from=shade)
        number = ch.figure(rendered, "专利申请量、授权量与申请人数年度趋势")
        ch.chart_table(number, [text("申请年", 0.8), num("申请量（件）"), num("授权量（件）"), num("申请人数（个）")],
                       [[str(r["year"]), fmt_int(r.get("applications")), fmt_int(r.get("grants")),
                         fmt_int(r.get("applicants"))] for r in trend],
                       note="授权量按申请年统计：近年申请多数仍在审查中，授权量自然偏低，不表示授权难度上升。")
    else:
        ch.para(NO_DATA, "missing")

    ch.section("技术生命周期")
    lifecycle = overall.get("lifecycle") or {}
    points = lifecycle.get("points") or []
    if points:
        ch.para(f"以申请人数为横轴、申请量为纵轴，按年份连线得到技术生命周期图。判断结果："
                f"{lifecycle.get('label') or '—'}。判断依据：{lifecycle.get('reason') or '—'}")
        rendered = ctx.charts.lifecycle("lifecycle", points, phase_label=lifecycle.get("label") or "—")
        number = ch.figure(rendered, f"技术生命周期（{lifecycle.get('label') or '—'}）")
        ch.chart_table(number, [text("申请年", 0.8), num("申请人数（个）"), num("申请量（件）"), num("人均申请量", 0.9)],
                       [[str(p["year"]), fmt_int(p.get("applicants")), fmt_int(p.get("applications")),
                         f"{p['applications'] / p['applicants']:.2f}" if p.get("applicants") else "—"] for p in points])
    else:
        ch.para(NO_DATA, "missing")

    ch.section("各技术分支申请趋势")
    _branch_trends(ctx, ch, shade)

    ch.section("专利类型与授权率")
    types = overall.get("types") or []
    if types:
        total = sum(t.get("count") or 0 for t in types)
        labels = [_type_label(t) for t in types]
        ch.para("专利类型构成：" + "，".join(f"{label} {fmt_int(t.get('count'))} 件（{fmt_pct(t['count'] / total if total else None)}）"
                                       for label, t in zip(labels, types, strict=True)) +
                f"。发明专利授权率为 {fmt_pct(overall.get('grant_rate'))}。")
        rendered = ctx.charts.donut("types", labels, [t.get("count") or 0 for t in types])
        number = ch.figure(rendered, "专利类型构成")
        ch.chart_table(number, [text("专利类型", 1.2), num("数量（件）"), num("占比")],
                       [[label, fmt_int(t.get("count")), fmt_pct(t["count"] / total if total else None)]
                        for label, t in zip(labels, types, strict=True)])
    nodes = [n for n in ctx.nodes if ctx.result(n["key"]).get("grant_rate") is not None]
    if nodes:
        rates = [ctx.result(n["key"])["grant_rate"] for n in nodes]
        rendered = ctx.charts.bar_h("grant-rate", [ctx.label(n, 14) for n in nodes], [r * 100 for r in rates],
                                    xlabel="发明专利授权率（%）", fmt=lambda v: f"{v:.1f}%",
                                    vlines=[(overall["grant_rate"] * 100, "项目整体")] if overall.get("grant_rate") else ())
        number = ch.figure(rendered, "各技术分支发明专利授权率")
        ch.chart_table(number, [text("编号", 0.55), text("技术分支", 2.0), num("授权率"), num("专利数量")],
                       [[n["key"], n.get("name", ""), fmt_pct(r), fmt_int(n.get("total"))]
                        for n, r in zip(nodes, rates, strict=True)],
                       note="授权率 = 已授权发明专利数 ÷ 已有审查结论的发明专利数。")


def _branch_trends(ctx: Ctx, ch: Chapter, shade: int | None) -> None:
    """One small-multiples figure per first-level branch: the branch and everything under it."""
    node_year = ctx.analytics.get("node_year") or {}
    years = node_year.get("years") or ctx.years
    counts = {row.get("key"): row.get("counts") or [] for row in node_year.get("rows") or []}
    if not years or not counts:
        ch.para(NO_DATA, "missing")
        return
    ch.para("下列各图为每个一级分支及其下级分支的年度申请量（各小图纵轴刻度不同，便于观察各自的变化）。")
    for root in ctx.roots:
        family = [n for n in ctx.descendants(root["key"]) if n.get("key") in counts]
        if not family:
            continue
        panels = [(f"{ctx.label(n, 12)}\n共 {fmt_int(n.get('total'))} 件", counts[n["key"]]) for n in family]
        rendered = ctx.charts.small_multiples(f"branch-trend-{root['key']}", years, panels, shade_from=shade)
        number = ch.figure(rendered, f"“{root.get('name')}”及其下级分支的年度申请量")
        ch.chart_table(number, [text("申请年", 0.7)] + [num(ctx.label(n, 10), 1.0) for n in family],
                       [[str(y)] + [fmt_int(counts[n["key"]][i]) if i < len(counts[n["key"]]) else "—" for n in family]
                        for i, y in enumerate(years)],
                       max_columns=7)


def _type_label(item: dict) -> str:
    if item.get("label"):
        return item["label"]
    with translation.override("zh-hans"):
        try:
            return str(PatentType(item.get("key")).label)
        except ValueError:
            return str(item.get("key") or "—")

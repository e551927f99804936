"""5 技术构成分析: IPC subclasses and groups with titles, node × year and node × applicant heat maps."""

from ..model import Report, clip, fmt_int, fmt_pct, short_name
from .base import NO_DATA, Chapter, Ctx, num, text

TOP_IPC = 12


def chapter_technology(ctx: Ctx, report: Report) -> None:
    """5: IPC subclasses and groups with their titles, branch × year and branch × applicant heat maps."""
    ch = Chapter(report, 5, "技术构成分析")
    ipc = ctx.overall.get("ipc") or {}
    total = ctx.overall.get("total") or 0

    for level, key, name in (("小类", "subclasses", "ipc-subclasses"), ("大组", "groups", "ipc-groups")):
        ch.section(f"IPC {level}分布")
        items = (ipc.get(key) or [])[:TOP_IPC]
        if not items:
            ch.para(NO_DATA, "missing")
            continue
        first = items[0]
        ch.para(f"按 IPC {level}统计（一件专利有多个分类号时在每个分类下各计一次），排名第一的是 {first['code']}"
                f"（{first.get('title') or '—'}），共 {fmt_int(first.get('count'))} 件，占项目专利的 "
                f"{fmt_pct((first.get('count') or 0) / total if total else None)}。")
        rendered = ctx.charts.bar_h(name, [f"{i['code']}  {clip(i.get('title') or '', 14)}" for i in items],
                                    [i.get("count") or 0 for i in items], xlabel="专利数量（件）")
        number = ch.figure(rendered, f"IPC {level}分布（前 {len(items)} 位）")
        ch.chart_table(number, [text("IPC", 0.8), text("含义", 3.6), num("专利数量"), num("占项目总量", 0.9)],
                       [[i["code"], i.get("title") or "—", fmt_int(i.get("count")),
                         fmt_pct((i.get("count") or 0) / total if total else None)] for i in items])

    ch.section("技术分支 × 年份热力图")
    node_year = ctx.analytics.get("node_year") or {}
    years, rows = node_year.get("years") or [], node_year.get("rows") or []
    if years and rows:
        ch.para("热力图的每一格为某技术分支在某一申请年的申请量，颜色越深申请越集中，可看出各分支的活跃时段。")
        rendered = ctx.charts.heatmap("node-year", [f"{r['key']} {clip(r.get('name', ''), 10)}" for r in rows],
                                      [str(y) for y in years], [r.get("counts") or [] for r in rows], rotate=45)
        number = ch.figure(rendered, "技术分支 × 申请年份热力图")
        ch.chart_table(number, [text("技术分支", 1.8)] + [num(str(y), 0.62) for y in years],
                       [[f"{r['key']} {r.get('name', '')}"] + [fmt_int(c) for c in r.get("counts") or []] for r in rows],
                       max_columns=11, font_size=7.5)
    else:
        ch.para(NO_DATA, "missing")

    ch.section("技术分支 × 申请人热力图")
    node_applicant = ctx.analytics.get("node_applicant") or {}
    names, rows = node_applicant.get("applicants") or [], node_applicant.get("rows") or []
    if names and rows:
        ch.para("热力图的每一格为项目主要申请人在各技术分支中的专利数量，可看出各申请人的技术布局重点。")
        rendered = ctx.charts.heatmap("node-applicant", [f"{r['key']} {clip(r.get('name', ''), 10)}" for r in rows],
                                      [short_name(n, 8) for n in names], [r.get("counts") or [] for r in rows],
                                      rotate=40, cmap="Blues")
        number = ch.figure(rendered, "技术分支 × 主要申请人热力图")
        ch.chart_table(number, [text("技术分支", 1.6)] + [num(n, 1.0) for n in names],
                       [[f"{r['key']} {r.get('name', '')}"] + [fmt_int(c) for c in r.get("counts") or []] for r in rows],
                       max_columns=7, font_size=7.5)
    else:
        ch.para(NO_DATA, "missing")

"""4 申请人分析: top applicants, applicant types, concentration, new entrants, co-applicant network."""

from ..charts import APPLICANT_TYPE_COLOURS, GREY
from ..model import Report, fmt_float, fmt_int, fmt_pct, short_name
from .base import NO_DATA, Chapter, Ctx, num, text

TOP_N = 15


def chapter_applicants(ctx: Ctx, report: Report) -> None:
    """4: top applicants with their types, applicant types, CR4/CR8/HHI explained, new entrants, network."""
    ch = Chapter(report, 4, "申请人分析")
    overall = ctx.overall
    applicants = overall.get("applicants") or {}
    total = overall.get("total") or 0

    ch.section("主要申请人")
    top = (applicants.get("top") or [])[:TOP_N]
    if top:
        leaders = "、".join(a["name"] for a in top[:3])
        ch.para(f"本项目共有申请人 {fmt_int(applicants.get('total'))} 个，专利数量居前三位的是{leaders}。")
        type_labels = {a.get("type"): a.get("type_label") or a.get("type") for a in top}
        rendered = ctx.charts.bar_h(
            "top-applicants", [short_name(a["name"], 14) for a in top], [a.get("count") or 0 for a in top],
            xlabel="专利数量（件）", colours=[APPLICANT_TYPE_COLOURS.get(a.get("type"), GREY) for a in top],
            legend={label: APPLICANT_TYPE_COLOURS.get(key, GREY) for key, label in type_labels.items()})
        number = ch.figure(rendered, f"前 {len(top)} 位申请人的专利数量")
        ch.chart_table(number, [text("排名", 0.45), text("申请人", 3.0), text("类型", 0.9), num("专利数量"),
                                num("占项目总量", 0.9)],
                       [[str(i), a["name"], a.get("type_label") or a.get("type") or "—", fmt_int(a.get("count")),
                         fmt_pct((a.get("count") or 0) / total if total else None)] for i, a in enumerate(top, 1)])
    else:
        ch.para(NO_DATA, "missing")

    ch.section("申请人类型")
    types = applicants.get("types") or []
    if types:
        type_total = sum(t.get("count") or 0 for t in types)
        rendered = ctx.charts.donut("applicant-types", [t.get("label") or t.get("key") for t in types],
                                    [t.get("count") or 0 for t in types])
        number = ch.figure(rendered, "申请人类型构成（按专利数量）")
        ch.chart_table(number, [text("申请人类型", 1.2), num("专利数量（件）"), num("占比")],
                       [[t.get("label") or t.get("key"), fmt_int(t.get("count")),
                         fmt_pct((t.get("count") or 0) / type_total if type_total else None)] for t in types],
                       note="一件专利有多个不同类型的申请人时，在每个类型下各计一次。")
    else:
        ch.para(NO_DATA, "missing")

    ch.section("市场集中度（CR4、CR8、HHI）")
    cr4, cr8, hhi = applicants.get("cr4"), applicants.get("cr8"), applicants.get("hhi")
    ch.para(f"项目整体 CR4 为 {fmt_pct(cr4)}，CR8 为 {fmt_pct(cr8)}，HHI 为 {fmt_float(hhi, 1)}。"
            f"{_concentration_reading(cr4, hhi)}")
    ch.note("CR4、CR8 为前 4、前 8 位申请人的专利数占全部申请人专利数之和的比例（合作申请的专利在每个申请人下各计一次）；HHI 为各申请人专利份额（百分数）的平方和（0～10000）。"
            "读法参照贝恩（Bain）的市场结构分类（CR4 < 30% 为竞争型，30%～50% 为低集中至中下集中寡占型，50%～75% 为中上至高集中寡占型，≥ 75% 为极高寡占型）"
            "和美国司法部《横向合并指南》（2010 年）的 HHI 分档（< 1500 为低集中，1500～2500 为中度集中，> 2500 为高度集中）。"
            "专利集中度反映技术资源的集中程度，不等同于产品市场的集中度。")
    nodes = [n for n in ctx.nodes if (ctx.result(n["key"]).get("applicants") or {}).get("cr4") is not None]
    if nodes:
        stats = [ctx.result(n["key"])["applicants"] for n in nodes]
        rendered = ctx.charts.grouped_bar_h("concentration", [ctx.label(n, 14) for n in nodes],
                                            [("CR4", [s.get("cr4", 0) * 100 for s in stats]),
                                             ("CR8", [(s.get("cr8") or 0) * 100 for s in stats])],
                                            xlabel="集中度（%）", fmt=lambda v: f"{v:.1f}%")
        number = ch.figure(rendered, "各技术分支申请人集中度")
        ch.chart_table(number, [text("编号", 0.55), text("技术分支", 1.8), num("申请人数"), num("CR4"), num("CR8"),
                                num("HHI")],
                       [[n["key"], n.get("name", ""), fmt_int(s.get("total")), fmt_pct(s.get("cr4")),
                         fmt_pct(s.get("cr8")), fmt_float(s.get("hhi"), 1)] for n, s in zip(nodes, stats, strict=True)])

    ch.section("新进入者")
    entrants = applicants.get("new_entrants") or []
    if entrants:
        recent = entrants[-5:]
        ch.para(f"新进入者指首次在本领域提出专利申请的申请人。近 {len(recent)} 年（{recent[0]['year']}—{recent[-1]['year']} 年）"
                f"共有新进入者 {fmt_int(sum(e.get('count') or 0 for e in recent))} 个。")
        rendered = ctx.charts.bar_v("new-entrants", [e["year"] for e in entrants], [e.get("count") or 0 for e in entrants],
                                    ylabel="新进入申请人数（个）", colour="#3a9e6f")
        number = ch.figure(rendered, "各年新进入申请人数")
        ch.chart_table(number, [text("年份", 0.8), num("新进入申请人数（个）", 1.4)],
                       [[str(e["year"]), fmt_int(e.get("count"))] for e in entrants])
    else:
        ch.para(NO_DATA, "missing")

    ch.section("合作申请网络")
    network = applicants.get("network") or {}
    nodes_, links = network.get("nodes") or [], network.get("links") or []
    if nodes_ and links:
        strongest = max(links, key=lambda link: link.get("count") or 0)
        ch.para(f"在主要申请人之间共识别出 {len(links)} 对合作申请关系，合作最多的是{strongest['source']}与"
                f"{strongest['target']}（{fmt_int(strongest.get('count'))} 件）。图中圆点大小表示专利数量，连线粗细和数字表示合作申请件数，"
                "灰色圆点为未与其他主要申请人合作的申请人。")
        rendered = ctx.charts.network("network", nodes_, links, label=lambda name: short_name(name, 12))
        number = ch.figure(rendered, "主要申请人合作申请网络")
        ch.chart_table(number, [text("申请人 A", 2.4), text("申请人 B", 2.4), num("合作申请（件）", 1.0)],
                       [[link["source"], link["target"], fmt_int(link.get("count"))]
                        for link in sorted(links, key=lambda link: -(link.get("count") or 0))])
    else:
        ch.para("主要申请人之间未发现合作申请。")


def _concentration_reading(cr4, hhi) -> str:
    if cr4 is None:
        return ""
    # Bain's classes of market structure by CR4.
    if cr4 < 0.3:
        structure = "属竞争型结构，创新资源较为分散，尚未形成少数主体主导的格局"
    elif cr4 < 0.5:
        structure = "属低集中至中下集中寡占型结构，头部申请人已具备一定影响力"
    elif cr4 < 0.75:
        structure = "属中上至高集中寡占型结构，少数头部申请人掌握了较大份额的专利"
    else:
        structure = "属极高寡占型结构，专利高度集中于少数申请人"
    level = ""
    if hhi is not None:
        level = "；HHI 处于低集中区间" if hhi < 1500 else "；HHI 处于中度集中区间" if hhi <= 2500 else "；HHI 处于高度集中区间"
    return f"按 CR4 判断{structure}{level}。"

"""6 区域分布与区域定位: China by province, the region by league and banner, shares, gaps, strengths."""

from ..maps import MapLayer, draw_choropleth
from ..model import Report, fmt_int, fmt_pct, short_name
from .base import NO_DATA, Chapter, Ctx, num, text

MAP_NOTE = "示意图：行政区划边界来自平台导入的地图数据，未经审图，不作为国界和行政区划的依据。"
NO_MAP = "（未载入{what}地图数据，以条形图代替地图。）"
VERDICTS = {"gap": "短板", "strength": "优势", "neutral": "一般"}
# Dense city districts magnified on the banner map (lon0, lat0, lon1, lat1): only for the
# region the shipped map covers (Inner Mongolia, 15), where the rare-earth industry sits.
INSETS = {"15": [((109.55, 40.45, 110.35, 40.95), "包头市区"), ((111.45, 40.60, 111.95, 40.98), "呼和浩特市区")]}


def chapter_region(ctx: Ctx, report: Report) -> None:
    """6: maps (or bars) by province, league and banner; shares, location quotients, gaps and
    strengths with their figures; the region's applicants per branch."""
    ch = Chapter(report, 6, "区域分布与区域定位")
    geography = ctx.overall.get("geography") or {}
    region = geography.get("region") or {}
    short = ctx.region_short

    ch.section("全国省份分布")
    provinces = geography.get("provinces") or []
    chinese = sum(p.get("count") or 0 for p in provinces)
    if provinces:
        rank = next((i for i, p in enumerate(provinces, 1) if p.get("name") == short), None)
        ch.para(f"国内专利 {fmt_int(chinese)} 件，分布于 {len(provinces)} 个省级行政区，排名前三位的是"
                f"{'、'.join(p['name'] for p in provinces[:3])}。{short}有 {fmt_int(region.get('count'))} 件，"
                f"占国内专利的 {fmt_pct(region.get('share'))}" + (f"，居第 {rank} 位。" if rank else "。"))
        values = {p["name"]: p.get("count") or 0 for p in provinces}
        if ctx.maps.get("china"):
            rendered = draw_choropleth(ctx.charts, "map-china", MapLayer(ctx.maps["china"]), values,
                                       highlight=[short], height_cm=12.0)
            number = ch.figure(rendered, "专利申请的省份分布", note=MAP_NOTE)
        else:
            ch.note(NO_MAP.format(what="全国"))
            top = provinces[:20]
            rendered = ctx.charts.bar_h("provinces", [p["name"] for p in top], [p.get("count") or 0 for p in top],
                                        xlabel="专利数量（件）",
                                        colours=["#c9453b" if p["name"] == short else "#2f6db5" for p in top])
            number = ch.figure(rendered, f"专利申请的省份分布（前 {len(top)} 位）")
        ch.chart_table(number, [text("排名", 0.45), text("省级行政区", 1.2), num("专利数量（件）"), num("占国内专利")],
                       [[str(i), p["name"], fmt_int(p.get("count")), fmt_pct((p.get("count") or 0) / chinese if chinese else None)]
                        for i, p in enumerate(provinces, 1)])
    else:
        ch.para(NO_DATA, "missing")

    ch.section(f"{short}盟市与旗县分布")
    leagues, banners = geography.get("leagues") or [], geography.get("banners") or []
    region_count = region.get("count") or sum(item.get("count") or 0 for item in leagues)
    if leagues:
        ch.para(f"{short}的 {fmt_int(region_count)} 件专利中，{leagues[0]['name']}最多（{fmt_int(leagues[0].get('count'))} 件，"
                f"占 {fmt_pct((leagues[0].get('count') or 0) / region_count if region_count else None)}）。")
        league_layer = MapLayer(ctx.maps["neimenggu"]) if ctx.maps.get("neimenggu") else None
        values = {item["name"]: item.get("count") or 0 for item in leagues}
        if league_layer is not None:
            rendered = draw_choropleth(ctx.charts, "map-leagues", league_layer, values, label_counts=True, height_cm=11.0)
            number = ch.figure(rendered, f"{short}各盟市专利分布", note=MAP_NOTE)
        else:
            ch.note(NO_MAP.format(what="盟市"))
            rendered = ctx.charts.bar_h("leagues", [i["name"] for i in leagues], [i.get("count") or 0 for i in leagues],
                                        xlabel="专利数量（件）")
            number = ch.figure(rendered, f"{short}各盟市专利分布")
        ch.chart_table(number, [text("代码", 0.6), text("盟市", 1.2), num("专利数量（件）"), num(f"占{short}")],
                       [[item.get("code", ""), item["name"], fmt_int(item.get("count")),
                         fmt_pct((item.get("count") or 0) / region_count if region_count else None)] for item in leagues])
        if banners:
            values = {item["name"]: item.get("count") or 0 for item in banners}
            if ctx.maps.get("neimenggu_counties"):
                rendered = draw_choropleth(ctx.charts, "map-banners", MapLayer(ctx.maps["neimenggu_counties"]), values,
                                           outline=league_layer, height_cm=11.0,
                                           insets=INSETS.get(str(region.get("code") or ""), ()))
                number = ch.figure(rendered, f"{short}各旗县（市、区）专利分布", note=MAP_NOTE)
            else:
                ch.note(NO_MAP.format(what="旗县"))
                top = banners[:20]
                rendered = ctx.charts.bar_h("banners", [i["name"] for i in top], [i.get("count") or 0 for i in top],
                                            xlabel="专利数量（件）")
                number = ch.figure(rendered, f"{short}各旗县（市、区）专利分布（前 {len(top)} 位）")
            # a banner's first four digits are its league's (150203 → 1502), whether leagues come
            # as 4- or 6-digit codes (1502, 150200)
            league_of = {str(item.get("code", ""))[:4]: item["name"] for item in leagues}
            ch.chart_table(number, [text("代码", 0.7), text("旗县（市、区）", 1.4), text("所属盟市", 1.2),
                                    num("专利数量（件）")],
                           [[item.get("code", ""), item["name"], league_of.get(str(item.get("code", ""))[:4], "—"),
                             fmt_int(item.get("count"))] for item in banners])
    else:
        ch.para(NO_DATA, "missing")

    _positioning(ctx, ch)
    _local_applicants(ctx, ch)


def _positioning(ctx: Ctx, ch: Chapter) -> None:
    """The region's share per node against the national share, the location quotient, the verdicts."""
    short = ctx.region_short
    ch.section("区域定位：各技术分支的区位熵")
    nodes = [n for n in ctx.nodes if n.get("location_quotient") is not None]
    if not nodes:
        ch.para(NO_DATA, "missing")
        return
    ch.para(f"将每个技术分支在{short}本项目专利中的占比（区域占比）与其在全国本项目专利中的占比（全国占比）相比，"
            f"得到区位熵 LQ。LQ 大于 1 表示{short}在该分支的布局相对全国更集中；专利数不少于 {ctx.min_node_patents} 件的分支中，"
            f"LQ < {ctx.gap_lq:g} 判为短板分支，LQ ≥ {ctx.strength_lq:g} 判为优势分支。")
    labels = [ctx.label(n, 14) for n in nodes]
    rendered = ctx.charts.grouped_bar_h("shares", labels,
                                        [(f"{short}占比", [(n.get("region_share") or 0) * 100 for n in nodes]),
                                         ("全国占比", [(n.get("national_share") or 0) * 100 for n in nodes])],
                                        xlabel="占本项目专利的比例（%）", fmt=lambda v: f"{v:.1f}%")
    number = ch.figure(rendered, f"各技术分支的{short}占比与全国占比")
    ch.chart_table(number, [text("编号", 0.55), text("技术分支", 1.7), num("专利数量", 0.8), num(f"{short}专利", 0.8),
                            num(f"{short}占比", 0.8), num("全国占比", 0.8)],
                   [[n["key"], n.get("name", ""), fmt_int(n.get("total")), fmt_int(n.get("region_count")),
                     fmt_pct(n.get("region_share")), fmt_pct(n.get("national_share"))] for n in nodes])
    rendered = ctx.charts.location_quotients("location-quotients", labels, [n.get("location_quotient") for n in nodes],
                                             [n.get("verdict") or "neutral" for n in nodes],
                                             gap=ctx.gap_lq, strength=ctx.strength_lq)
    number = ch.figure(rendered, "各技术分支的区位熵")
    ch.chart_table(number, [text("编号", 0.55), text("技术分支", 1.7), num("区位熵", 0.7), text("判断", 0.6),
                            text("依据", 3.0)],
                   [[n["key"], n.get("name", ""), f"{n['location_quotient']:.2f}", VERDICTS.get(n.get("verdict"), "一般"),
                     n.get("reason") or ""] for n in nodes])

    ch.section("短板分支与优势分支")
    columns = [text("编号", 0.5), text("技术分支", 1.3), num("专利数量", 0.72), num(f"{short}专利", 0.72),
               num(f"{short}占比", 0.72), num("全国占比", 0.72), num("区位熵", 0.62), text("依据", 3.4)]

    def rows(items):
        return [[n["key"], n.get("name", ""), fmt_int(n.get("total")), fmt_int(n.get("region_count")),
                 fmt_pct(n.get("region_share")), fmt_pct(n.get("national_share")), f"{n.get('location_quotient', 0):.2f}",
                 n.get("reason") or ""] for n in items]

    gaps = ctx.analytics.get("gaps") or [n for n in nodes if n.get("verdict") == "gap"]
    strengths = ctx.analytics.get("strengths") or [n for n in nodes if n.get("verdict") == "strength"]
    if gaps:
        ch.para(f"短板分支（{len(gaps)} 个，按区位熵由低到高）：" + "、".join(f"“{n['name']}”" for n in gaps) +
                f"。这些分支全国布局较多而{short}布局明显不足，是补链、引进和联合攻关的重点方向。")
        ch.table("短板分支及其依据", columns, rows(gaps), font_size=8)
    else:
        ch.para("按上述规则，本项目未发现短板分支。")
    if strengths:
        ch.para(f"优势分支（{len(strengths)} 个，按区位熵由高到低）：" + "、".join(f"“{n['name']}”" for n in strengths) +
                f"。这些分支{short}的布局相对全国更为集中，是巩固优势、延链强链的基础。")
        ch.table("优势分支及其依据", columns, rows(strengths), font_size=8)
    else:
        ch.para("按上述规则，本项目未发现优势分支。")


def _local_applicants(ctx: Ctx, ch: Chapter) -> None:
    short = ctx.region_short
    ch.section(f"{short}主要申请人")
    local = (ctx.overall.get("geography") or {}).get("local_applicants") or []
    if local:
        top = local[:12]
        rendered = ctx.charts.bar_h("local-applicants", [short_name(a["name"], 14) for a in top],
                                    [a.get("count") or 0 for a in top], xlabel="专利数量（件）", colours="#3a9e6f")
        number = ch.figure(rendered, f"{short}主要申请人的专利数量")
        ch.chart_table(number, [text("排名", 0.45), text("申请人", 3.2), num("专利数量（件）")],
                       [[str(i), a["name"], fmt_int(a.get("count"))] for i, a in enumerate(top, 1)])
    else:
        ch.para(NO_DATA, "missing")
    rows = []
    for node in ctx.nodes:
        names = ((ctx.result(node["key"]).get("geography") or {}).get("local_applicants") or [])[:3]
        rows.append([node["key"], node.get("name", ""), fmt_int(node.get("region_count")),
                     "；".join(f"{a['name']}（{fmt_int(a.get('count'))}）" for a in names) or "—"])
    ch.table(f"各技术分支的{short}主要申请人（前 3 位）",
             [text("编号", 0.55), text("技术分支", 1.5), num(f"{short}专利", 0.8), text("主要申请人（件）", 4.0)], rows)

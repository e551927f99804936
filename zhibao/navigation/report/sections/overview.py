"""Cover, contents, chapter 1 (project and data) and chapter 2 (the technology breakdown)."""

from ..model import Bullets, Contents, Cover, Report, fmt_int, fmt_pct
from .base import Chapter, Ctx, num, text


def cover(ctx: Ctx, report: Report) -> None:
    """The title page and the place of the table of contents."""
    project, snapshot = ctx.project, ctx.snapshot
    generated = str(ctx.context.get("generated_at") or "")
    report.blocks.append(Cover(
        title=project.get("title") or "专利导航分析报告",
        subtitle="专利导航分析报告",
        region=ctx.region_name,
        center=ctx.center_name,
        date=_chinese_date(generated) or generated,
        version=f"第 {ctx.context.get('version', 1)} 版",
        snapshot=(f"数据快照第 {snapshot.get('number', '—')} 号（{snapshot.get('taken_at', '—')}）"
                  if snapshot else ""),
    ))
    report.blocks.append(Contents())


def _chinese_date(value: str) -> str:
    parts = value[:10].split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{int(parts[0])}年{int(parts[1])}月{int(parts[2])}日"
    return ""


def chapter_project(ctx: Ctx, report: Report) -> None:
    """1 项目概况与数据说明: purpose, team, sources, snapshot, every node's query."""
    ch = Chapter(report, 1, "项目概况与数据说明")
    project, snapshot, overall = ctx.project, ctx.snapshot, ctx.overall
    ch.section("项目背景与目标")
    if project.get("description"):
        ch.para(project["description"])
    ch.para(f"本报告依据 GB/T 39551-2020《专利导航指南》组织，面向{project.get('purpose_label') or '产业规划'}，"
            f"以{ctx.region_name}为分析区域，对“{project.get('industry') or project.get('title', '')}”"
            "相关专利的申请趋势、技术构成、创新主体、区域分布与法律状态进行分析。")
    team = "、".join(project.get("team") or []) or "—"
    optional = [[label, str(project[key])] for key, label in (("number", "项目编号"), ("client", "委托单位"))
                if project.get(key)]
    ch.table("项目基本信息", [text("项目", 1.0), text("内容", 3.2)], optional + [
        ["项目名称", project.get("title", "—")],
        ["所属产业", project.get("industry", "—")],
        ["导航类型（目的）", project.get("purpose_label", "—")],
        ["分析区域", ctx.region_name],
        ["项目团队", team],
        ["承担单位", ctx.center_name],
        ["报告版本", f"第 {ctx.context.get('version', 1)} 版，生成于 {ctx.context.get('generated_at', '—')}"],
    ])

    ch.section("数据来源与数据快照")
    sources = snapshot.get("data_sources") or []
    if sources:
        ch.para("本报告使用的数据来源如下：")
        report.blocks.append(Bullets(list(sources)))
    years = ctx.years
    region = (overall.get("geography") or {}).get("region") or {}
    ch.table("数据快照概况", [text("项目", 1.4), text("数值", 2.8)], [
        ["数据快照编号", f"第 {snapshot.get('number', '—')} 号"],
        ["快照时间", str(snapshot.get("taken_at", "—"))],
        ["检索语料规模", f"{fmt_int(snapshot.get('corpus_size'))} 件"],
        ["本项目专利总量（去重）", f"{fmt_int(overall.get('total'))} 件"],
        ["申请年份范围", f"{years[0]}—{years[-1]} 年" if years else "—"],
        *([["检索范围限定", str(snapshot["scope_query"])]] if snapshot.get("scope_query") else []),
        ["技术分支数量", f"{len(ctx.nodes)} 个（其中一级分支 {len(ctx.roots)} 个）"],
        [f"{ctx.region_short}相关专利", f"{fmt_int(region.get('count'))} 件，占国内专利的 {fmt_pct(region.get('share'))}"],
    ])
    ch.note("同一件专利只计一次。上级分支的专利是其自身检索式与全部下级检索式命中结果的并集，"
            "因此上级分支的数量小于或等于各下级分支数量之和。")
    if ctx.incomplete_from is not None and years and years[-1] >= ctx.incomplete_from:
        ch.note(f"发明专利申请自申请日起 18 个月公开（专利法第三十四条），快照时 {ctx.incomplete_from} 年及以后的申请"
                "尚未全部公开，相关年份数据不完整，图中以灰色底纹标出。")

    ch.section("检索式")
    rows = []
    for node in ctx.nodes:
        rows.append([node.get("key", ""), _indent(node), node.get("query") or "（分组节点：合并下级检索式）",
                     fmt_int(node.get("total"))])
    ch.table("各技术分支的检索式", [text("编号", 0.5), text("技术分支", 1.5), text("检索式", 4.0), num("专利数量", 0.8)],
             rows, note="检索式使用平台检索语法（与国家知识产权局及商业数据库的检索式写法一致）。")
    with_children = {n.get("parent_key") for n in ctx.nodes}
    parents = [n for n in ctx.nodes if n.get("key") in with_children and n.get("effective_query")]
    if parents:
        ch.table("上级分支的有效检索式（自身检索式与下级检索式之并）",
                 [text("编号", 0.5), text("技术分支", 1.3), text("有效检索式", 5.0)],
                 [[n.get("key", ""), n.get("name", ""), n.get("effective_query", "")] for n in parents])

    ch.section("分析指标说明")
    lapse_rule = ((overall.get("legal") or {}).get("lapse_risk") or {}).get("rule") or "—"
    ch.table("本报告使用的分析指标", [text("指标", 1.0), text("含义与计算方法", 4.2)], [
        ["申请量", "按申请日所在年份统计的专利申请件数（同族或重复公开只计一次）。"],
        ["技术生命周期", "以各年申请人数为横轴、申请量为纵轴连线，依近年两者的变化判断萌芽期、成长期、成熟期或衰退期。"],
        ["授权率", "已授权发明专利数 ÷ 已有审查结论（授权、驳回、撤回等）的发明专利数。"],
        ["CR4 / CR8", "排名前 4 / 前 8 位申请人的专利数之和占全部专利数的比例，反映创新资源的集中程度。"],
        ["HHI", "赫芬达尔—赫希曼指数：各申请人专利份额（百分数）的平方和，取值 0～10000，越大越集中。"],
        ["区位熵（LQ）", f"某分支在{ctx.region_short}本项目专利中的占比 ÷ 该分支在全国本项目专利中的占比；"
                        f"专利数不少于 {ctx.min_node_patents} 件的分支，LQ < {ctx.gap_lq:g} 为短板，"
                        f"LQ ≥ {ctx.strength_lq:g} 为优势。"],
        ["失效风险", f"{lapse_rule}。"],
        ["重点专利得分", "综合被引次数、同族规模、转让与许可次数、权利要求数量的加权得分，得分越高越值得关注。"],
    ])


def _indent(node: dict) -> str:
    # Ideographic spaces indent in Word and PDF alike, whatever the table cell's font.
    depth = int(node.get("depth") or 1)
    return "\u3000" * (depth - 1) + node.get("name", "")


def chapter_breakdown(ctx: Ctx, report: Report) -> None:
    """2 产业与技术分解: the tree as an indented table, then the counts as a chart with its data."""
    ch = Chapter(report, 2, "产业与技术分解")
    ch.section("技术分解表")
    depth_counts: dict[int, int] = {}
    for node in ctx.nodes:
        depth_counts[int(node.get("depth") or 1)] = depth_counts.get(int(node.get("depth") or 1), 0) + 1
    levels = "、".join(f"{_LEVEL_NAMES.get(d, f'{d}级')}分支 {c} 个" for d, c in sorted(depth_counts.items()))
    ch.para(f"按产业链与技术构成，将“{ctx.project.get('industry') or ctx.project.get('title', '')}”分解为 "
            f"{len(ctx.nodes)} 个技术分支（{levels}）。各分支的含义与专利数量见下表。")
    ch.table("技术分解表", [text("编号", 0.55), text("技术分支", 1.6), text("说明", 3.2), num("专利数量", 0.8),
                          num(f"其中{ctx.region_short}", 0.8)],
             [[n.get("key", ""), _indent(n), n.get("description") or "", fmt_int(n.get("total")),
               fmt_int(n.get("region_count"))] for n in ctx.nodes])

    ch.section("各技术分支专利数量")
    nodes = list(ctx.nodes)
    if not nodes:
        ch.para("（本项目尚无技术分支。）", "missing")
        return
    biggest = max(nodes, key=lambda n: n.get("total") or 0)
    ch.para(f"专利数量最多的技术分支是“{biggest.get('name')}”（{fmt_int(biggest.get('total'))} 件）。")
    rendered = ctx.charts.bar_h("node-totals", [ctx.label(n, 14) for n in nodes], [n.get("total") or 0 for n in nodes],
                                xlabel="专利数量（件）",
                                colours=[_depth_colour(n) for n in nodes],
                                legend={_LEVEL_NAMES.get(d, f"{d}级") + "分支": _DEPTH_COLOURS[(d - 1) % 3]
                                        for d in sorted(depth_counts)})
    number = ch.figure(rendered, "各技术分支专利数量")
    total = ctx.overall.get("total") or 0
    ch.chart_table(number, [text("编号", 0.55), text("技术分支", 2.0), num("专利数量"), num("占项目总量", 0.9)],
                   [[n.get("key", ""), _indent(n), fmt_int(n.get("total")),
                     fmt_pct((n.get("total") or 0) / total if total else None)] for n in nodes])


_LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级", 5: "五级"}
_DEPTH_COLOURS = ["#173f7a", "#2f6db5", "#8fb8e0"]


def _depth_colour(node: dict) -> str:
    return _DEPTH_COLOURS[(int(node.get("depth") or 1) - 1) % 3]

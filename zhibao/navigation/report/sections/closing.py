"""7 法律状态与运营, 8 重点专利, 9 结论与建议."""

from django.utils import translation

from zhibao.patents.choices import LegalStatus, PatentType

from ..model import Report, fmt_float, fmt_int, fmt_pct
from .base import MISSING, NO_DATA, Chapter, Ctx, num, text

KEY_PATENTS = 20
CONCLUSIONS = [("summary", "总体结论"), ("industry", "产业发展"), ("technology", "技术创新"),
               ("applicants", "创新主体"), ("region", "区域定位"), ("recommendations", "发展建议")]


def chapter_legal(ctx: Ctx, report: Report) -> None:
    """7: legal status overall and per branch, lapse risk, transfers, licences and pledges."""
    ch = Chapter(report, 7, "法律状态与运营")
    legal = ctx.overall.get("legal") or {}

    ch.section("法律状态")
    status = legal.get("status") or []
    if status:
        total = sum(s.get("count") or 0 for s in status)
        labels = [s.get("label") or _choice(LegalStatus, s.get("key")) for s in status]
        granted = sum(s.get("count") or 0 for s in status if s.get("key") == "granted")
        ch.para(f"{fmt_int(total)} 件专利中，有效专利 {fmt_int(granted)} 件（{fmt_pct(granted / total if total else None)}）。")
        rendered = ctx.charts.donut("legal-status", labels, [s.get("count") or 0 for s in status])
        number = ch.figure(rendered, "法律状态构成")
        ch.chart_table(number, [text("法律状态", 1.4), num("数量（件）"), num("占比")],
                       [[label, fmt_int(s.get("count")), fmt_pct((s.get("count") or 0) / total if total else None)]
                        for label, s in zip(labels, status, strict=True)])
    else:
        ch.para(NO_DATA, "missing")

    nodes = [n for n in ctx.nodes if (ctx.result(n["key"]).get("legal") or {}).get("status")]
    if nodes:
        keys: list[str] = []
        label_of: dict[str, str] = {}
        for node in nodes:
            for s in ctx.result(node["key"])["legal"]["status"]:
                if s.get("key") not in keys:
                    keys.append(s.get("key"))
                    label_of[s.get("key")] = s.get("label") or _choice(LegalStatus, s.get("key"))
        matrix = [[next((s.get("count") or 0 for s in ctx.result(n["key"])["legal"]["status"] if s.get("key") == k), 0)
                   for k in keys] for n in nodes]
        rendered = ctx.charts.stacked_share_h("legal-by-node", [ctx.label(n, 14) for n in nodes],
                                              [label_of[k] for k in keys], matrix, xlabel="占该分支专利的比例")
        number = ch.figure(rendered, "各技术分支的法律状态构成")
        ch.chart_table(number, [text("技术分支", 1.6)] + [num(label_of[k], 0.8) for k in keys],
                       [[ctx.label(n)] + [fmt_int(v) for v in row] for n, row in zip(nodes, matrix, strict=True)],
                       max_columns=8, font_size=8)

    ch.section("失效风险")
    lapse = legal.get("lapse_risk") or {}
    ch.para(f"失效风险专利指{lapse.get('rule') or '—'}，项目整体共 {fmt_int(lapse.get('count'))} 件。"
            "这些专利保护期将满，相关技术即将进入公有领域，可作为低成本引进和二次开发的线索，也提示权利人及早布局后续改进专利。")
    risk_nodes = [n for n in ctx.nodes if ((ctx.result(n["key"]).get("legal") or {}).get("lapse_risk") or {}).get("count")
                  is not None]
    if risk_nodes:
        counts = [ctx.result(n["key"])["legal"]["lapse_risk"]["count"] for n in risk_nodes]
        rendered = ctx.charts.bar_h("lapse-risk", [ctx.label(n, 14) for n in risk_nodes], counts,
                                    xlabel="失效风险专利（件）", colours="#d3a12e")
        number = ch.figure(rendered, "各技术分支的失效风险专利数量")
        ch.chart_table(number, [text("编号", 0.55), text("技术分支", 2.0), num("失效风险专利（件）", 1.2)],
                       [[n["key"], n.get("name", ""), fmt_int(c)] for n, c in zip(risk_nodes, counts, strict=True)])

    ch.section("转让、许可与质押")
    ch.para(f"项目整体发生专利转让 {fmt_int(legal.get('transfers'))} 次、许可 {fmt_int(legal.get('licences'))} 次、"
            f"质押 {fmt_int(legal.get('pledges'))} 次。转让、许可与质押反映专利的运用和流动情况。")
    op_nodes = [n for n in ctx.nodes if ctx.result(n["key"]).get("legal")]
    if op_nodes:
        legals = [ctx.result(n["key"])["legal"] for n in op_nodes]
        rendered = ctx.charts.grouped_bar_h("operations", [ctx.label(n, 14) for n in op_nodes],
                                            [("转让", [x.get("transfers") or 0 for x in legals]),
                                             ("许可", [x.get("licences") or 0 for x in legals]),
                                             ("质押", [x.get("pledges") or 0 for x in legals])],
                                            xlabel="次数")
        number = ch.figure(rendered, "各技术分支的转让、许可与质押次数")
        ch.chart_table(number, [text("编号", 0.55), text("技术分支", 1.8), num("转让"), num("许可"), num("质押"),
                                num("运营率", 0.8)],
                       [[n["key"], n.get("name", ""), fmt_int(x.get("transfers")), fmt_int(x.get("licences")),
                         fmt_int(x.get("pledges")),
                         fmt_pct(((x.get("transfers") or 0) + (x.get("licences") or 0) + (x.get("pledges") or 0))
                                 / n["total"] if n.get("total") else None)]
                        for n, x in zip(op_nodes, legals, strict=True)],
                       note="运营率 =（转让 + 许可 + 质押次数）÷ 该分支专利数量，一件专利多次运营时分别计数。")


def chapter_key_patents(ctx: Ctx, report: Report) -> None:
    """8: the project's highest-scoring patents, then the top five of each first-level branch."""
    ch = Chapter(report, 8, "重点专利")
    patents = (ctx.overall.get("key_patents") or [])[:KEY_PATENTS]
    ch.section("项目重点专利")
    if not patents:
        ch.para(NO_DATA, "missing")
    else:
        ch.para("重点专利按被引次数、同族规模、转让与许可次数和权利要求数量综合评分，得分越高越值得研读、跟踪或引进。"
                f"下表列出项目整体得分最高的 {len(patents)} 件。")
        ch.table("项目重点专利", _patent_columns(), [_patent_row(i, p) for i, p in enumerate(patents, 1)], font_size=7.5)
    ch.section("各一级分支的重点专利")
    for root in ctx.roots:
        items = (ctx.result(root["key"]).get("key_patents") or [])[:5]
        if items:
            ch.table(f"“{root.get('name')}”的重点专利（前 {len(items)} 件）", _patent_columns(),
                     [_patent_row(i, p) for i, p in enumerate(items, 1)], font_size=7.5)


def _patent_columns():
    # Widths in millimetres of the PDF's 170 mm text width: a publication number and a date
    # must fit on one line at 7.5 pt, the title and the applicant take what is left.
    return [text("序号", 6), text("公开号", 22.5), text("名称", 33.5), text("第一申请人", 29), text("申请日", 17),
            text("类型", 9), text("法律状态", 10), num("被引", 8), num("同族", 8), num("转让/许可", 10),
            num("权项", 8), num("得分", 9)]


def _patent_row(i: int, p: dict) -> list[str]:
    return [str(i), p.get("publication_number", ""), p.get("title", ""), p.get("first_applicant", ""),
            p.get("application_date", ""), _choice(PatentType, p.get("patent_type")),
            _choice(LegalStatus, p.get("legal_status")), fmt_int(p.get("citations")), fmt_int(p.get("family_size")),
            f"{fmt_int(p.get('transfers'))}/{fmt_int(p.get('licences'))}", fmt_int(p.get("claims")),
            fmt_float(p.get("score"), 1)]


def chapter_conclusions(ctx: Ctx, report: Report) -> None:
    """9 结论与建议: the analyst's texts, verbatim; an empty one says so rather than being made up."""
    ch = Chapter(report, 9, "结论与建议")
    ch.note("本章内容由项目分析人员撰写，报告生成时原样收录。")
    for key, title in CONCLUSIONS:
        ch.section(title)
        body = (ctx.conclusions.get(key) or "").strip()
        if not body:
            ch.para(MISSING, "missing")
            continue
        for paragraph in body.splitlines():
            if paragraph.strip():
                ch.para(paragraph.strip())


def _choice(choices, key) -> str:
    """A stored key (granted, invention …) in the report's language, from the platform's choices."""
    if not key:
        return "—"
    with translation.override("zh-hans"):
        try:
            return str(choices(key).label)
        except ValueError:
            return str(key)

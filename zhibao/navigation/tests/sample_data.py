"""A realistic navigation report context: a rare-earth permanent magnet project (稀土永磁).

`sample_context()` returns the dict `build_report` consumes (see docs/navigation-analytics.md):
12 nodes in 3 levels, application years 2005–2024, and the figures the analytics would compute.
The numbers are invented but hang together, so a reader of the sample report sees nothing absurd:

* every node's yearly counts add up to its total; a parent holds at least each child (its
  effective query is the OR of its children's, minus the overlap the engine deduplicates);
* provinces add up to a node's Chinese patents, leagues to the region's count, banners to leagues;
* region share, national share and location quotient follow the contract's rule, and the
  verdicts they give are planted: 晶界扩散, 粘结钕铁硼 and 新能源汽车驱动电机 are gaps, the
  processing branches and wind generators are strengths (Baotou makes magnet alloys; the region
  builds wind farms, not cars).

Applicant names are real companies and institutes of the industry; their counts are not.
Everything is deterministic (seeded by the node key), so tests can assert on it.
"""

import math
import random
import zlib

YEARS = list(range(2005, 2025))

# The 18-month publication delay: applications of the last months before a snapshot are still
# unpublished. The sample's snapshot (2026-12) is late enough for 2024 to be complete but for a
# few applications that wait for grant (utility models), hence the slight dip.
PUBLICATION_LAG = {2024: 0.96}

# key, name, parent, query, description, own-series (peak, midpoint year, scale) or None,
# domain (which applicants and IPC codes dominate), planted location quotient of its own hits.
NODES = [
    ("1", "稀土永磁材料", None, "(TIAB=稀土 AND TIAB=永磁) OR IPC=H01F1/053",
     "以稀土元素为主要成分的永磁材料及其成分设计", (90, 2012, 3.0), "material", 0.9),
    ("1.1", "烧结钕铁硼", "1", "TIAB=烧结 AND TIAB=(钕铁硼 OR NdFeB)",
     "烧结钕铁硼磁体的成分、组织与性能", (260, 2013, 3.0), "material", 1.2),
    ("1.1.1", "晶界扩散", "1.1", "TIAB=晶界扩散 AND TIAB=(钕铁硼 OR 稀土永磁)",
     "以镝、铽等重稀土经晶界扩散提高矫顽力", (430, 2018, 2.2), "material", 0.3),
    ("1.1.2", "重稀土减量", "1.1", "TIAB=(低重稀土 OR 无重稀土 OR 减镝 OR 高丰度) AND TIAB=钕铁硼",
     "少用或不用镝、铽，以铈、镧等高丰度稀土替代", (300, 2016, 2.5), "material", 0.85),
    ("1.2", "粘结钕铁硼", "1", "TIAB=粘结 AND TIAB=(钕铁硼 OR 磁粉)",
     "快淬磁粉与粘结磁体", (170, 2012, 3.0), "material", 0.4),
    ("2", "制备工艺与装备", None, "", "分组节点：由下级检索式合并", None, "process", 1.0),
    ("2.1", "速凝甩带与氢破制粉", "2", "TIAB=(速凝 OR 甩带 OR 氢破 OR 气流磨) AND TIAB=(钕铁硼 OR 稀土永磁)",
     "合金熔炼、速凝薄片、氢破碎与气流磨制粉", (190, 2013, 3.0), "process", 2.6),
    ("2.2", "成型与烧结", "2", "TIAB=(取向成型 OR 等静压 OR 烧结炉 OR 回火) AND TIAB=钕铁硼",
     "磁场取向成型、等静压、真空烧结与回火热处理", (260, 2014, 3.0), "process", 1.9),
    ("2.3", "表面防护涂层", "2", "TIAB=(电镀 OR 涂层 OR 防腐 OR 镀膜) AND TIAB=钕铁硼",
     "电镀、电泳、真空镀铝等表面防护", (200, 2015, 3.0), "process", 0.9),
    ("3", "永磁应用", None, "", "分组节点：由下级检索式合并", None, "ev", 1.0),
    ("3.1", "新能源汽车驱动电机", "3", "TIAB=(驱动电机 OR 电动汽车 OR 新能源汽车) AND TIAB=永磁",
     "车用永磁同步驱动电机的转子与磁钢结构", (520, 2019, 2.0), "ev", 0.25),
    ("3.2", "风力发电机", "3", "TIAB=(风力发电机 OR 风电) AND TIAB=永磁",
     "直驱、半直驱永磁风力发电机", (230, 2013, 2.5), "wind", 2.4),
]

# Overlap between siblings: a parent's effective query hits this share of its children's sum.
DEDUP = 0.93
OVERALL_DEDUP = 0.95

# name, type, weights by domain (share of a node's patents), local (Inner Mongolia) or not
APPLICANTS = [
    ("北京中科三环高科技股份有限公司", "enterprise", {"material": .068, "process": .060, "ev": .010}, False),
    ("宁波韵升股份有限公司", "enterprise", {"material": .052, "process": .048, "ev": .012}, False),
    ("烟台正海磁性材料股份有限公司", "enterprise", {"material": .044, "process": .040, "ev": .022}, False),
    ("江西金力永磁科技股份有限公司", "enterprise", {"material": .040, "process": .034, "ev": .016, "wind": .012}, False),
    ("中国科学院宁波材料技术与工程研究所", "institute", {"material": .036, "process": .020, "ev": .010}, False),
    ("日立金属株式会社", "enterprise", {"material": .030, "process": .026, "ev": .012}, False),
    ("厦门钨业股份有限公司", "enterprise", {"material": .030, "process": .020, "ev": .004}, False),
    ("安泰科技股份有限公司", "enterprise", {"material": .024, "process": .030, "ev": .004}, False),
    ("浙江大学", "university", {"material": .024, "process": .010, "ev": .020, "wind": .014}, False),
    ("钢铁研究总院", "institute", {"material": .020, "process": .016}, False),
    ("北京工业大学", "university", {"material": .020, "process": .014}, False),
    ("信越化学工业株式会社", "enterprise", {"material": .020, "process": .014}, False),
    ("有研稀土新材料股份有限公司", "enterprise", {"material": .018, "process": .020}, False),
    ("TDK株式会社", "enterprise", {"material": .017, "process": .012, "ev": .004}, False),
    ("比亚迪股份有限公司", "enterprise", {"ev": .052, "material": .002}, False),
    ("精进电动科技股份有限公司", "enterprise", {"ev": .026}, False),
    ("上海电驱动股份有限公司", "enterprise", {"ev": .021}, False),
    ("中车株洲电力机车研究所有限公司", "enterprise", {"ev": .016, "wind": .018}, False),
    ("新疆金风科技股份有限公司", "enterprise", {"wind": .046}, False),
    ("湘潭电机股份有限公司", "enterprise", {"wind": .032, "ev": .006}, False),
    ("东方电气集团东方电机有限公司", "enterprise", {"wind": .030}, False),
    ("明阳智慧能源集团股份公司", "enterprise", {"wind": .026}, False),
    ("中国北方稀土(集团)高科技股份有限公司", "enterprise", {"material": .012, "process": .030, "wind": .004}, True),
    ("包头天和磁材科技股份有限公司", "enterprise", {"material": .010, "process": .026, "ev": .003}, True),
    ("包头稀土研究院", "institute", {"material": .012, "process": .021, "ev": .002, "wind": .003}, True),
    ("内蒙古科技大学", "university", {"material": .006, "process": .011, "ev": .003, "wind": .005}, True),
    ("包头韵升强磁材料有限公司", "enterprise", {"material": .004, "process": .013}, True),
    ("包头金山磁材有限公司", "enterprise", {"material": .003, "process": .010}, True),
    ("内蒙古工业大学", "university", {"wind": .014, "ev": .003, "process": .002}, True),
    ("内蒙古第一机械集团股份有限公司", "enterprise", {"ev": .004}, True),
    ("内蒙古电力(集团)有限责任公司", "enterprise", {"wind": .008}, True),
]

APPLICANT_TYPES = {"enterprise": "企业", "university": "大专院校", "institute": "科研院所", "individual": "个人"}

# Co-applicant pairs that plausibly file together (institute/university with an enterprise).
PARTNERS = [
    ("包头稀土研究院", "中国北方稀土(集团)高科技股份有限公司", 14),
    ("中国科学院宁波材料技术与工程研究所", "宁波韵升股份有限公司", 9),
    ("钢铁研究总院", "安泰科技股份有限公司", 11),
    ("北京工业大学", "北京中科三环高科技股份有限公司", 6),
    ("内蒙古科技大学", "包头天和磁材科技股份有限公司", 5),
    ("浙江大学", "宁波韵升股份有限公司", 4),
    ("有研稀土新材料股份有限公司", "北京工业大学", 3),
    ("浙江大学", "精进电动科技股份有限公司", 3),
    ("中车株洲电力机车研究所有限公司", "湘潭电机股份有限公司", 4),
    ("内蒙古工业大学", "内蒙古电力(集团)有限责任公司", 4),
    ("中国科学院宁波材料技术与工程研究所", "江西金力永磁科技股份有限公司", 3),
    ("包头稀土研究院", "包头天和磁材科技股份有限公司", 3),
]

PROVINCE_WEIGHTS = {
    "浙江": 17, "北京": 11, "江苏": 9, "广东": 7, "江西": 6, "上海": 5, "山东": 5, "山西": 4,
    "福建": 4, "安徽": 4, "天津": 3, "湖南": 3, "四川": 3, "湖北": 3, "辽宁": 2, "河北": 2,
    "陕西": 2, "河南": 2, "重庆": 1.2, "甘肃": 1, "吉林": 0.8, "黑龙江": 0.8, "广西": 0.8,
    "云南": 0.7, "新疆": 0.6, "贵州": 0.4, "宁夏": 0.4, "台湾": 0.6, "青海": 0.2, "海南": 0.2,
    "香港": 0.2, "澳门": 0.05,
}

# league code, name, weight; then banners of that league (code, name, weight)
LEAGUES = [
    ("1502", "包头市", 66, [("150203", "昆都仑区", 34), ("150207", "九原区", 26), ("150204", "青山区", 20),
                            ("150202", "东河区", 8), ("150205", "石拐区", 5), ("150206", "白云鄂博矿区", 4),
                            ("150221", "土默特右旗", 3)]),
    ("1501", "呼和浩特市", 16, [("150105", "赛罕区", 50), ("150102", "新城区", 20), ("150103", "回民区", 10),
                                ("150104", "玉泉区", 10), ("150121", "土默特左旗", 10)]),
    ("1504", "赤峰市", 5, [("150402", "红山区", 60), ("150404", "松山区", 40)]),
    ("1506", "鄂尔多斯市", 4, [("150602", "东胜区", 50), ("150603", "康巴什区", 30), ("150622", "准格尔旗", 20)]),
    ("1505", "通辽市", 3, [("150502", "科尔沁区", 70), ("150581", "霍林郭勒市", 30)]),
    ("1509", "乌兰察布市", 2.5, [("150902", "集宁区", 70), ("150981", "丰镇市", 30)]),
    ("1508", "巴彦淖尔市", 1.5, [("150802", "临河区", 100)]),
    ("1503", "乌海市", 1, [("150302", "海勃湾区", 100)]),
    ("1507", "呼伦贝尔市", 0.6, [("150702", "海拉尔区", 100)]),
    ("1525", "锡林郭勒盟", 0.4, [("152502", "锡林浩特市", 100)]),
]

IPC = {
    "material": [("H01F", "磁体；电感；变压器；磁性材料的选择", 0.62), ("C22C", "合金", 0.30),
                 ("B22F", "金属粉末的加工；由金属粉末制造制品；金属粉末的制造", 0.24),
                 ("C21D", "改变黑色金属的物理结构；热处理用的一般设备", 0.06), ("C22F", "改变有色金属或有色合金的物理结构", 0.05)],
    "process": [("H01F", "磁体；电感；变压器；磁性材料的选择", 0.55), ("B22F", "金属粉末的加工；由金属粉末制造制品；金属粉末的制造", 0.38),
                ("C23C", "对金属材料的镀覆；表面扩散法、化学转化或置换法的金属材料表面处理", 0.16),
                ("C22C", "合金", 0.14), ("C25D", "覆层的电解或电泳生产工艺方法；电铸", 0.07)],
    "ev": [("H02K", "电机", 0.86), ("H01F", "磁体；电感；变压器；磁性材料的选择", 0.12), ("B60L", "电动车辆动力装置", 0.09)],
    "wind": [("H02K", "电机", 0.72), ("F03D", "风力发动机", 0.38), ("H01F", "磁体；电感；变压器；磁性材料的选择", 0.06)],
}
IPC_GROUPS = {
    "material": [("H01F 1/057", "含稀土金属和Ⅲa族元素的硬磁合金，如Nd2Fe14B", 0.48), ("H01F 41/02", "制造磁芯、线圈或磁体的设备或方法", 0.26),
                 ("C22C 38/00", "铁基合金，例如合金钢", 0.20), ("B22F 3/16", "依次的或重复的压实与烧结", 0.10),
                 ("H01F 1/08", "压制的、烧结的或黏结在一起的磁性颗粒", 0.09), ("C22C 33/02", "用粉末冶金法制造铁基合金", 0.06)],
    "process": [("H01F 41/02", "制造磁芯、线圈或磁体的设备或方法", 0.40), ("B22F 9/04", "从固体材料开始制造金属粉末，如破碎、研磨", 0.22),
                ("B22F 3/10", "仅烧结", 0.14), ("H01F 1/057", "含稀土金属和Ⅲa族元素的硬磁合金，如Nd2Fe14B", 0.30),
                ("C23C 14/00", "通过覆层形成材料的真空蒸发、溅射或离子注入进行镀覆", 0.07), ("B22D 11/06", "注入带移动壁的铸型，如用辊子（速凝铸片）", 0.06)],
    "ev": [("H02K 1/27", "有永久磁体的转子铁芯", 0.52), ("H02K 15/03", "制造具有永久磁体的电机的方法或设备", 0.14),
           ("H02K 21/14", "磁体在电枢内旋转的永磁同步电机", 0.12), ("H01F 7/02", "永久磁体", 0.06)],
    "wind": [("H02K 7/18", "发电机与机械驱动机结构上相连的", 0.34), ("H02K 1/27", "有永久磁体的转子铁芯", 0.30),
             ("F03D 9/00", "特殊用途的风力发动机；风力发动机与受它驱动的装置的组合", 0.22), ("H02K 21/14", "磁体在电枢内旋转的永磁同步电机", 0.08)],
}

TITLES = {
    "material": ["一种晶界扩散制备高矫顽力钕铁硼磁体的方法", "一种低重稀土高性能烧结钕铁硼永磁材料及其制备方法",
                 "一种含铈钕铁硼磁体及其制备方法", "一种重稀土晶界扩散源及其涂覆方法", "一种高丰度稀土永磁材料及其制备方法",
                 "一种各向异性粘结钕铁硼磁体的制备方法", "一种快淬钕铁硼磁粉及其制备方法", "一种高温度稳定性烧结钕铁硼磁体"],
    "process": ["一种钕铁硼速凝薄片的制备装置", "一种钕铁硼氢破碎制粉工艺及设备", "一种低氧气流磨制粉系统",
                "一种钕铁硼磁场取向成型压机", "一种钕铁硼真空烧结炉及烧结方法", "一种钕铁硼磁体表面电镀镍铜镍防护层的方法",
                "一种钕铁硼磁体表面真空镀铝膜的方法", "一种钕铁硼毛坯多线切割装置"],
    "ev": ["一种新能源汽车用内置式永磁同步电机转子", "一种驱动电机用分段斜极永磁转子", "一种低涡流损耗的永磁电机磁钢结构",
           "一种车用永磁同步电机转子冷却结构", "一种少重稀土驱动电机磁钢及其制备方法"],
    "wind": ["一种直驱永磁风力发电机", "一种半直驱永磁风力发电机转子结构", "一种风力发电机永磁体模块化安装结构",
             "一种兆瓦级永磁风力发电机磁钢防护结构", "一种永磁风力发电机退磁在线监测方法"],
}

PHASES = {"emerging": "萌芽期", "growth": "成长期", "maturity": "成熟期", "decline": "衰退期"}


def _rng(key: str) -> random.Random:
    return random.Random(zlib.crc32(key.encode()))


def _logistic(peak: float, mid: float, scale: float) -> list[float]:
    return [peak / (1 + math.exp(-(year - mid) / scale)) * PUBLICATION_LAG.get(year, 1.0) for year in YEARS]


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights` so the parts add up exactly (largest remainder)."""
    weight_sum = sum(weights) or 1.0
    raw = [total * w / weight_sum for w in weights]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _effective_query(key: str, by_key: dict, children: dict) -> str:
    parts = []
    if by_key[key]["query"]:
        parts.append(f"({by_key[key]['query']})")
    for child in children.get(key, []):
        sub = _effective_query(child, by_key, children)
        if sub:
            parts.append(f"({sub})" if " OR " in sub and not sub.startswith("(") else sub)
    return " OR ".join(parts)


def _lifecycle(trend: list[dict]) -> dict:
    """Phase read from 2020–2024 (the last five complete years), as the analytics' rule would."""
    by_year = {row["year"]: row for row in trend}
    a0, a1 = by_year[2020]["applications"], by_year[2024]["applications"]
    p0, p1 = by_year[2020]["applicants"], by_year[2024]["applicants"]
    app_growth = (a1 / a0) ** 0.25 - 1 if a0 else 0.0
    applicant_growth = (p1 / p0) ** 0.25 - 1 if p0 else 0.0
    if app_growth > 0.08 and applicant_growth > 0.05:
        phase = "growth"
        reason = (f"2020—2024 年申请量年均增长 {app_growth:.1%}，申请人数年均增长 {applicant_growth:.1%}，"
                  "两者同步上升，新进入者持续增加，技术处于成长期。")
    elif app_growth > -0.03:
        phase = "maturity"
        reason = (f"2020—2024 年申请量年均变化 {app_growth:+.1%}，申请人数年均变化 {applicant_growth:+.1%}，"
                  "申请量高位趋稳，申请人数不再明显增加，技术趋于成熟。")
    else:
        phase = "decline"
        reason = f"2020—2024 年申请量年均下降 {-app_growth:.1%}，申请人数同步减少，技术进入衰退期。"
    points = [{"year": r["year"], "applications": r["applications"], "applicants": r["applicants"]} for r in trend]
    return {"phase": phase, "label": PHASES[phase], "reason": reason, "points": points}


def _node_analytics(key: str, series: list[int], mix: dict[str, float], region_count: int,
                    chinese: int) -> dict:
    """One node's figures in the shape of analytics.node_analytics()."""
    rng = _rng(key)
    total = sum(series)
    trend = []
    for year, apps in zip(YEARS, series, strict=True):
        # Fewer new applicants per application as the field matures; grants lag the filing by ~3 years.
        ratio = 0.72 - 0.3 * (year - YEARS[0]) / (YEARS[-1] - YEARS[0])
        grant_share = 0.62 * min(1.0, max(0.0, (2024 - year) / 4))
        trend.append({"year": year, "applications": apps, "applicants": max(1 if apps else 0, round(apps * ratio)),
                      "grants": round(apps * 0.8 * grant_share)})
    domain_ev = mix.get("ev", 0) + mix.get("wind", 0)
    invention_share = 0.82 - 0.14 * domain_ev
    types_counts = _allocate(total, [invention_share, 0.99 - invention_share, 0.01])
    types = [{"key": k, "label": label, "count": c} for (k, label), c in
             zip([("invention", "发明"), ("utility_model", "实用新型"), ("design", "外观设计")], types_counts, strict=True)]

    # Applicant counts: the domain-weighted share of this node, jittered; local ones bounded by the region.
    counts = {}
    local_weights = {}
    for name, _kind, weights, local in APPLICANTS:
        share = sum(mix.get(d, 0) * w for d, w in weights.items())
        if share <= 0:
            continue
        if local:
            local_weights[name] = share
        else:
            counts[name] = round(total * share * rng.uniform(0.85, 1.15))
    local_counts = dict(zip(local_weights, _allocate(round(region_count * 0.62), list(local_weights.values())),
                            strict=True))
    counts.update(local_counts)
    kinds = {name: kind for name, kind, _w, _l in APPLICANTS}
    ranked = sorted(((n, c) for n, c in counts.items() if c > 0), key=lambda item: (-item[1], item[0]))
    top = [{"name": n, "type": kinds[n], "type_label": APPLICANT_TYPES[kinds[n]], "count": c} for n, c in ranked[:20]]
    distinct = max(len(ranked), round(total * 0.27))
    cr4 = sum(c for _n, c in ranked[:4]) / total if total else 0.0
    cr8 = sum(c for _n, c in ranked[:8]) / total if total else 0.0
    tail_n = max(1, distinct - len(ranked))
    tail_patents = max(0, total - sum(c for _n, c in ranked))
    hhi = sum((100 * c / total) ** 2 for _n, c in ranked) + tail_n * (100 * tail_patents / tail_n / total) ** 2
    type_counts = _allocate(total, [0.60 + 0.1 * domain_ev, 0.21 - 0.05 * domain_ev, 0.12 - 0.03 * domain_ev, 0.07])
    applicant_types = [{"key": k, "label": APPLICANT_TYPES[k], "count": c}
                       for k, c in zip(APPLICANT_TYPES, type_counts, strict=True)]
    new_entrants = [{"year": row["year"], "count": round(row["applicants"] * (0.75 - 0.4 * i / len(trend)))}
                    for i, row in enumerate(trend)]
    in_top = {item["name"]: item["count"] for item in top[:15]}
    links = [{"source": a, "target": b, "count": max(1, round(n * total / 6000 + rng.uniform(0, 1)))}
             for a, b, n in PARTNERS if a in in_top and b in in_top]
    linked = {name for link in links for name in (link["source"], link["target"])}
    network = {"nodes": [{"name": n, "count": c} for n, c in in_top.items() if n in linked or c >= top[4]["count"]],
               "links": links}

    domains = sorted(mix, key=mix.get, reverse=True)
    subclass_shares: dict[str, list] = {}
    group_shares: dict[str, list] = {}
    for d in domains:
        for code, title, share in IPC[d]:
            subclass_shares.setdefault(code, [title, 0.0])[1] += share * mix[d]
        for code, title, share in IPC_GROUPS[d]:
            group_shares.setdefault(code, [title, 0.0])[1] += share * mix[d]
    subclasses = sorted(({"code": c, "title": t, "count": round(total * s * rng.uniform(0.95, 1.05))}
                         for c, (t, s) in subclass_shares.items()), key=lambda r: -r["count"])
    groups = sorted(({"code": c, "title": t, "count": round(total * s * rng.uniform(0.95, 1.05))}
                     for c, (t, s) in group_shares.items()), key=lambda r: -r["count"])

    others = {p: w * rng.uniform(0.85, 1.15) for p, w in PROVINCE_WEIGHTS.items()}
    provinces = dict(zip(others, _allocate(chinese - region_count, list(others.values())), strict=True))
    provinces["内蒙古"] = region_count
    province_rows = sorted(({"name": n, "count": c} for n, c in provinces.items() if c), key=lambda r: -r["count"])
    league_counts = _allocate(region_count, [w for _c, _n, w, _b in LEAGUES])
    leagues, banners = [], []
    for (code, name, _w, subs), count in zip(LEAGUES, league_counts, strict=True):
        if not count:
            continue
        leagues.append({"code": code, "name": name, "count": count})
        for (bcode, bname, _bw), bcount in zip(subs, _allocate(count, [b[2] for b in subs]), strict=True):
            if bcount:
                banners.append({"code": bcode, "name": bname, "count": bcount})
    banners.sort(key=lambda r: -r["count"])
    local_applicants = sorted(({"name": n, "count": c} for n, c in local_counts.items() if c),
                              key=lambda r: -r["count"])

    # Younger branches (a later midpoint) have more pending and fewer lapsed patents.
    young = sum(share * (mix.get(d, 0)) for d, share in (("ev", 1.0), ("material", 0.3)))
    status_counts = _allocate(total, [w * rng.uniform(0.9, 1.1) for w in
                                      (0.43, 0.16 + 0.1 * young, 0.27 - 0.1 * young, 0.02, 0.005, 0.065, 0.05)])
    status_keys = [("granted", "有效"), ("pending", "审中"), ("lapsed", "失效（未缴年费）"), ("expired", "失效（期限届满）"),
                   ("invalidated", "全部无效"), ("withdrawn", "视为撤回"), ("rejected", "驳回")]
    status = [{"key": k, "label": label, "count": c} for (k, label), c in zip(status_keys, status_counts, strict=True)]
    legal = {"status": status,
             "lapse_risk": {"count": round(status_counts[0] * 0.09), "rule": "有效专利中剩余保护期不足 3 年的"},
             "transfers": round(total * 0.031), "licences": round(total * 0.008), "pledges": round(total * 0.003)}

    key_patents = []
    titles = TITLES[domains[0]]
    for i in range(10):
        year = rng.choice(YEARS[3:-3])
        kind = "invention" if i < 8 else "utility_model"
        number = f"CN{rng.randint(101000000, 118900000)}{'B' if kind == 'invention' else 'U'}"
        citations, family = rng.randint(4, 40), rng.randint(1, 12)
        transfers, licences, claims = rng.randint(0, 3), rng.randint(0, 2), rng.randint(6, 20)
        applicant = top[min(i, len(top) - 1)]["name"] if top else ""
        key_patents.append({
            "publication_number": number, "title": titles[i % len(titles)], "first_applicant": applicant,
            "application_date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "patent_type": kind, "legal_status": "granted" if i < 8 else "lapsed", "citations": citations,
            "family_size": family, "transfers": transfers, "licences": licences, "claims": claims,
            "score": round(citations + 2 * family + 3 * (transfers + licences) + 0.5 * claims, 1)})
    key_patents.sort(key=lambda p: -p["score"])
    return {
        "total": total, "years": YEARS, "trend": trend, "lifecycle": _lifecycle(trend), "types": types,
        # granted inventions / inventions with a decision; Chinese NdFeB inventions run at roughly 55–70 %
        "grant_rate": round(rng.uniform(0.55, 0.68), 4),
        "applicants": {"top": top, "total": distinct, "cr4": round(cr4, 4), "cr8": round(cr8, 4), "hhi": round(hhi, 1),
                       "types": applicant_types, "new_entrants": new_entrants, "network": network},
        "ipc": {"subclasses": subclasses, "groups": groups},
        "geography": {"provinces": province_rows, "leagues": leagues, "banners": banners,
                      "region": {"code": "15", "name": "内蒙古自治区", "count": region_count,
                                 "share": round(region_count / chinese, 4) if chinese else 0.0},
                      "local_applicants": local_applicants},
        "legal": legal,
        "key_patents": key_patents,
    }


def sample_context(maps: dict | None = None) -> dict:
    """The context for build_report: project, snapshot, nodes, analytics, conclusions, maps.

    `maps` is {"china": geojson, "neimenggu": geojson, "neimenggu_counties": geojson} or None
    (the report then draws bar charts instead of maps and says so).
    """
    by_key = {key: {"key": key, "name": name, "parent_key": parent, "query": query, "description": desc,
                    "own": own, "domain": domain, "lq": lq} for key, name, parent, query, desc, own, domain, lq in NODES}
    children: dict[str, list[str]] = {}
    for key, node in by_key.items():
        if node["parent_key"]:
            children.setdefault(node["parent_key"], []).append(key)
    for key, node in by_key.items():
        node["depth"] = key.count(".") + 1

    series: dict[str, list[int]] = {}
    mixes: dict[str, dict[str, float]] = {}

    def build(key: str) -> list[int]:
        node = by_key[key]
        own = _logistic(*node["own"]) if node["own"] else [0.0] * len(YEARS)
        kids = [build(child) for child in children.get(key, [])]
        values = [o + DEDUP * sum(k[i] for k in kids) for i, o in enumerate(own)]
        series[key] = [round(v) for v in values]
        mix: dict[str, float] = {}
        own_total = sum(own)
        if own_total:
            mix[node["domain"]] = own_total
        for child in children.get(key, []):
            for d, share in mixes[child].items():
                mix[d] = mix.get(d, 0) + share * sum(series[child]) * DEDUP
        weight = sum(mix.values()) or 1.0
        mixes[key] = {d: v / weight for d, v in mix.items()}
        return values

    roots = [key for key, node in by_key.items() if node["parent_key"] is None]
    root_values = [build(key) for key in roots]
    overall_series = [round(OVERALL_DEDUP * sum(r[i] for r in root_values)) for i in range(len(YEARS))]
    overall_mix: dict[str, float] = {}
    for key in roots:
        for d, share in mixes[key].items():
            overall_mix[d] = overall_mix.get(d, 0) + share * sum(series[key])
    overall_mix = {d: v / sum(overall_mix.values()) for d, v in overall_mix.items()}

    totals = {key: sum(values) for key, values in series.items()}
    chinese = {key: round(total * 0.93) for key, total in totals.items()}
    overall_total = sum(overall_series)
    overall_chinese = round(overall_total * 0.93)
    region_guess = round(overall_chinese * 0.045)

    region: dict[str, int] = {}

    def region_of(key: str) -> int:
        node = by_key[key]
        kids = sum(region_of(child) for child in children.get(key, []))
        own_total = sum(_logistic(*node["own"])) * 0.93 if node["own"] else 0.0
        own = node["lq"] * own_total / overall_chinese * region_guess
        region[key] = round(own + DEDUP * kids)
        return region[key]

    for key in roots:
        region_of(key)
    overall_region = round(OVERALL_DEDUP * sum(region[key] for key in roots))

    node_results = {key: _node_analytics(key, series[key], mixes[key], region[key], chinese[key]) for key in by_key}
    overall = _node_analytics("overall", overall_series, overall_mix, overall_region, overall_chinese)

    node_rows = []
    for key, node in by_key.items():
        region_share = region[key] / overall_region
        national_share = chinese[key] / overall_chinese
        lq = region_share / national_share if national_share else None
        verdict, reason = "neutral", f"区位熵 {lq:.2f}，介于 0.5 与 1.5 之间"
        if totals[key] >= 20 and lq is not None and lq < 0.5:
            verdict = "gap"
            reason = (f"区位熵 {lq:.2f} < 0.5：该分支占内蒙古本项目专利的 {region_share:.1%}，"
                      f"而占全国的 {national_share:.1%}")
        elif totals[key] >= 20 and lq is not None and lq >= 1.5:
            verdict = "strength"
            reason = (f"区位熵 {lq:.2f} ≥ 1.5：该分支占内蒙古本项目专利的 {region_share:.1%}，"
                      f"高于全国的 {national_share:.1%}")
        node_rows.append({"key": key, "name": node["name"], "depth": node["depth"], "parent_key": node["parent_key"],
                          "query": node["query"], "effective_query": _effective_query(key, by_key, children),
                          "total": totals[key], "region_count": region[key], "region_share": round(region_share, 4),
                          "national_share": round(national_share, 4), "location_quotient": round(lq, 3),
                          "verdict": verdict, "reason": reason})

    top_names = [item["name"] for item in overall["applicants"]["top"][:12]]
    analytics = {
        "overall": overall,
        "nodes": node_rows,
        "node_year": {"years": YEARS, "rows": [{"key": k, "name": by_key[k]["name"], "counts": series[k]}
                                                for k in by_key]},
        "node_applicant": {"applicants": top_names, "rows": [
            {"key": k, "name": by_key[k]["name"],
             "counts": [next((a["count"] for a in node_results[k]["applicants"]["top"] if a["name"] == n), 0)
                        for n in top_names]} for k in by_key]},
        "gaps": sorted((r for r in node_rows if r["verdict"] == "gap"), key=lambda r: r["location_quotient"]),
        "strengths": sorted((r for r in node_rows if r["verdict"] == "strength"), key=lambda r: -r["location_quotient"]),
        "node_results": node_results,
        "publication_numbers": {k: [p["publication_number"] for p in node_results[k]["key_patents"]] for k in by_key},
        "took_ms": 850.0,
    }
    nodes = [{key_: row[key_] for key_ in ("key", "name", "depth", "parent_key", "query", "effective_query", "total")}
             | {"description": by_key[row["key"]]["description"]} for row in node_rows]
    return {
        "project": {
            "title": "高性能钕铁硼稀土永磁材料产业专利导航",
            "industry": "稀土新材料（稀土永磁）",
            "purpose_label": "产业规划",
            "team": ["王海燕", "李志刚", "乌日娜", "张宏伟"],
            "region_name": "内蒙古自治区",
            "description": ("围绕内蒙古稀土新材料产业链，梳理高性能钕铁硼永磁材料从成分设计、制备工艺到电机应用的专利布局，"
                            "识别自治区的优势与短板技术分支，为产业规划和招商引才提供依据。（示例数据，数字为虚构，仅用于测试。）"),
        },
        "snapshot": {"number": 3, "taken_at": "2026-12-07 10:30", "corpus_size": 1_000_000,
                     "data_sources": ["中国专利全文数据（平台专利库，截至 2026-11-30）",
                                      "法律状态与转让、许可、质押事件（平台专利库）", "IPC 分类表 2026.01 中文版"]},
        "nodes": nodes,
        "analytics": analytics,
        "conclusions": {
            "summary": ("全国高性能钕铁硼相关专利申请持续增长，技术总体处于成长期；内蒙古在合金制备与制粉、成型烧结等"
                        "工艺环节具有明显优势，但在晶界扩散、粘结磁体和车用驱动电机等高附加值环节布局不足。"),
            "industry": "",
            "technology": "晶界扩散与重稀土减量是近五年增长最快的方向，决定高端磁体的成本和矫顽力。",
            "applicants": "",
            "region": "包头市集中了全区约三分之二的相关专利，龙头企业与包头稀土研究院合作紧密。",
            "recommendations": ("一是支持龙头企业联合高校院所攻关晶界扩散技术；二是引进车用驱动电机磁钢配套企业，"
                                "补齐应用端短板；三是推动工艺装备专利的许可与转化。"),
        },
        "maps": maps or {"china": None, "neimenggu": None, "neimenggu_counties": None},
        "generated_at": "2026-12-07 10:31",
        "version": 2,
    }

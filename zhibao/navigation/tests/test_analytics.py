"""Navigation analytics on the real engine: the pure rules (union of node queries, CR4/CR8/HHI,
the life-cycle phase, the location quotient) on known inputs, and node_analytics /
project_analytics on small crafted corpora in the database and a search index of each test's own."""

import datetime as dt
import json

import pytest

from zhibao.navigation import analytics as nav
from zhibao.navigation.analytics import (
    concentration,
    effective_queries,
    lifecycle_phase,
    location_quotient,
    node_analytics,
    node_verdict,
    project_analytics,
)
from zhibao.patents.models import IpcCode, Patent
from zhibao.patents.search import QuerySyntaxError
from zhibao.patents.search.tantivy_backend import key_score

TODAY = dt.date(2025, 6, 30)


def make_patent(number: str, *, applicants: list[str], kind: str = "invention", status: str = "granted",
                filed: dt.date, granted: dt.date | None = None, ipc: tuple[str, ...] = ("H01F1/057",),
                province: str = "内蒙古", league: str = "", banner: str = "", applicant_type: str = "enterprise",
                title: str = "", **counts) -> Patent:
    return Patent(
        publication_number=number, application_number=f"{filed.year}1{number[-7:]}", patent_type=kind,
        title=title or f"一种稀土永磁材料 {number}", abstract="稀土永磁体的制备。",
        applicants=[{"name": name} for name in applicants], first_applicant=applicants[0],
        applicant_type=applicant_type, province=province, league_code=league, banner_code=banner,
        ipc_main=ipc[0], ipc_codes=list(ipc), application_date=filed, publication_date=filed + dt.timedelta(days=200),
        grant_date=granted, legal_status=status, **counts,
    )


def index(patents: list[Patent]) -> None:
    from zhibao.patents.search import get_engine

    Patent.objects.bulk_create(patents)
    engine = get_engine()
    engine.index_patents(patents)
    engine.commit()


INSTITUTE, UNIVERSITY = "包头稀土研究院", "内蒙古大学"
SANHUAN, YUNSHENG = "北京中科三环高技术股份有限公司", "宁波韵升股份有限公司"


@pytest.fixture
def magnets(db):
    """Seven rare-earth magnet patents with every figure node_analytics reads (see the test)."""
    IpcCode.objects.create(code="H01F", level="subclass", title="磁体；电感；变压器；磁性材料的选择", sort_key="H01F")
    IpcCode.objects.create(code="H01F1/00", level="main_group", title="按所用磁性材料区分的磁体或磁性物体",
                           sort_key="H01F0001/00")
    patents = [
        make_patent("CN100000001B", applicants=[INSTITUTE], applicant_type="institute", filed=dt.date(2015, 3, 2),
                    granted=dt.date(2017, 5, 1), ipc=("H01F1/057", "C22C38/00"), province="内蒙古自治区",
                    league="150200", banner="150203", citation_count=10, family_size=3, transfer_count=1,
                    claims_count=10),
        make_patent("CN100000002B", applicants=[INSTITUTE, UNIVERSITY], applicant_type="institute",
                    filed=dt.date(2016, 1, 10), granted=dt.date(2018, 3, 1), league="150200", banner="150203",
                    citation_count=2, family_size=1, licence_count=1, claims_count=8),
        make_patent("CN100000003A", applicants=[SANHUAN], status="rejected", filed=dt.date(2016, 6, 1),
                    ipc=("H01F41/02",), province="北京", family_size=1, claims_count=6),
        make_patent("CN100000004A", applicants=[INSTITUTE], applicant_type="institute", status="pending",
                    filed=dt.date(2017, 2, 1), ipc=("H01F1/053",), league="150200", banner="150205", family_size=1,
                    claims_count=12),
        make_patent("CN200000005U", applicants=[UNIVERSITY], applicant_type="university", kind="utility_model",
                    filed=dt.date(2017, 8, 1), granted=dt.date(2018, 1, 1), ipc=("H01F7/02",), league="150100",
                    banner="150102", pledge_count=1, claims_count=5),
        make_patent("CN100000006B", applicants=[YUNSHENG], filed=dt.date(2005, 5, 5), granted=dt.date(2008, 1, 1),
                    ipc=("H01F1/057",), province="浙江", citation_count=1),
        make_patent("CN100000007A", applicants=[SANHUAN, YUNSHENG], status="withdrawn", filed=dt.date(2018, 4, 4),
                    ipc=("H01F1/057",), province="北京"),
    ]
    index(patents)
    return patents


# --- Pure rules --------------------------------------------------------------------------------


def tree(*rows):
    return [{"key": key, "name": key, "parent_key": parent, "depth": key.count(".") + 1, "query": query}
            for key, parent, query in rows]


def test_effective_queries_or_the_descendants_and_drop_empty_and_repeated_parts():
    nodes = tree(("1", None, ""), ("1.1", "1", "IPC=H01F"), ("1.1.1", "1.1", "TIAB=钕铁硼"), ("1.1.2", "1.1", ""),
                 ("1.2", "1", "IPC=H01F"), ("2", None, ""), ("2.1", "2", ""))
    assert effective_queries(nodes) == {
        "1": "(IPC=H01F) OR (TIAB=钕铁硼)",  # 1.2 repeats 1.1's query: once
        "1.1": "(IPC=H01F) OR (TIAB=钕铁硼)",
        "1.1.1": "TIAB=钕铁硼",
        "1.1.2": "",
        "1.2": "IPC=H01F",
        "2": "",  # no query anywhere below: no patents, not "everything"
        "2.1": "",
    }


@pytest.mark.parametrize(("counts", "expected"), [
    ([40, 30, 20, 10], (1.0, 1.0, 3000.0)),
    ([10] * 10, (0.4, 0.8, 1000.0)),
    ([50, 50], (1.0, 1.0, 5000.0)),
    ([5, 0, 3, 1, 1, 0], (1.0, 1.0, 3600.0)),
    ([60, 10, 10, 10, 5, 5], (0.9, 1.0, 3950.0)),
    ([], (0.0, 0.0, 0.0)),
])
def test_concentration_on_known_inputs(counts, expected):
    assert concentration(counts) == expected


def series(applications, applicants, start=2014):
    return [{"year": start + i, "applications": a, "applicants": n}
            for i, (a, n) in enumerate(zip(applications, applicants, strict=True))]


def test_the_life_cycle_phase_of_four_crafted_series():
    emerging = lifecycle_phase(series([1, 2, 3, 5, 8, 13], [1, 2, 2, 3, 5, 8]))
    growth = lifecycle_phase(series([20, 40, 80, 160, 320, 640], [10, 20, 40, 80, 160, 320]))
    maturity = lifecycle_phase(series([300, 320, 310, 305, 315, 300], [100, 110, 105, 95, 90, 85]))
    decline = lifecycle_phase(series([300, 250, 200, 150, 100, 50], [100, 80, 60, 40, 30, 20]))
    assert [p["phase"] for p in (emerging, growth, maturity, decline)] == ["emerging", "growth", "maturity", "decline"]
    assert [p["label"] for p in (emerging, growth, maturity, decline)] == ["萌芽期", "成长期", "成熟期", "衰退期"]
    assert "+700%" in growth["reason"] and "2017" in growth["reason"]  # (160+320+640)/(20+40+80) − 1
    assert growth["points"][0] == {"year": 2014, "applications": 20, "applicants": 10}
    # Applications rise fast but applicants do not: consolidation, i.e. maturity, not growth.
    assert lifecycle_phase(series([100, 100, 100, 200, 200, 200], [50, 50, 50, 50, 50, 50]))["phase"] == "maturity"
    assert lifecycle_phase([])["phase"] == "emerging"
    assert lifecycle_phase(series([500], [200]))["phase"] == "maturity"


def test_location_quotient_and_the_verdicts():
    assert location_quotient(25, 26, 30, 60) == pytest.approx((25 / 26) / 0.5)
    assert location_quotient(0, 0, 30, 60) == 0.0  # the region has nothing in the project
    assert location_quotient(5, 10, 0, 60) is None
    assert node_verdict(30, 0.2)[0] == "gap" and node_verdict(30, 1.5)[0] == "strength"
    assert node_verdict(30, 1.0)[0] == "neutral" and node_verdict(19, 0.1)[0] == "neutral"
    assert node_verdict(30, None)[0] == "neutral"
    assert node_verdict(5, 0.1, min_patents=5)[0] == "gap" and node_verdict(30, 0.7, gap_lq=0.8)[0] == "gap"
    verdict, reason = node_verdict(30, 0.08, region_share=1 / 26, national_share=0.5)
    assert verdict == "gap" and "3.8%" in reason and "50.0%" in reason and "0.08" in reason


def test_the_key_score_is_the_documented_weighted_sum():
    assert key_score(citations=10, family=3, transfers=1, licences=0, pledges=0, claims=10) == 31.0
    assert key_score(citations=1, family=1, transfers=1, licences=1, pledges=1, claims=1) == 11.5


# --- One node on a crafted corpus ------------------------------------------------------------


def test_node_analytics_of_a_crafted_corpus(magnets):
    result = node_analytics("IPC=H01F", today=TODAY)
    assert json.loads(json.dumps(result)) == result  # JSON as it is
    assert result["total"] == 7
    assert result["years"] == list(range(2005, 2019))
    trend = {t["year"]: (t["applications"], t["applicants"], t["grants"]) for t in result["trend"]}
    assert trend == {2005: (1, 1, 1), 2015: (1, 1, 1), 2016: (2, 3, 1), 2017: (2, 2, 1), 2018: (1, 2, 0),
                     **dict.fromkeys(range(2006, 2015), (0, 0, 0))}
    assert result["lifecycle"]["phase"] == "emerging" and result["lifecycle"]["label"] == "萌芽期"
    assert result["types"] == [{"key": "invention", "label": "发明", "count": 6},
                               {"key": "utility_model", "label": "实用新型", "count": 1}]
    # Inventions: granted 001, 002, 006; refused 003 (rejected), 007 (withdrawn); 004 pending.
    assert result["grant_rate"] == 0.6

    applicants = result["applicants"]
    assert [(a["name"], a["type"], a["count"]) for a in applicants["top"]] == [
        (INSTITUTE, "institute", 3), (UNIVERSITY, "university", 2), (SANHUAN, "enterprise", 2),
        (YUNSHENG, "enterprise", 2)]
    assert applicants["top"][0]["type_label"] == "科研院所"
    assert applicants["total"] == 4
    assert (applicants["cr4"], applicants["cr8"], applicants["hhi"]) == (1.0, 1.0, 2592.6)  # (3²+3·2²)/9² · 10⁴
    assert applicants["types"] == [{"key": "enterprise", "label": "企业", "count": 3},
                                   {"key": "institute", "label": "科研院所", "count": 3},
                                   {"key": "university", "label": "高校", "count": 1}]
    entrants = {e["year"]: e["count"] for e in applicants["new_entrants"]}
    assert entrants[2005] == 1 and entrants[2015] == 1 and entrants[2016] == 2 and sum(entrants.values()) == 4
    assert applicants["network"]["nodes"][0] == {"name": INSTITUTE, "count": 3}
    assert applicants["network"]["links"] == [{"source": INSTITUTE, "target": UNIVERSITY, "count": 1},
                                              {"source": SANHUAN, "target": YUNSHENG, "count": 1}]

    assert result["ipc"]["subclasses"] == [{"code": "H01F", "title": "磁体；电感；变压器；磁性材料的选择", "count": 7},
                                           {"code": "C22C", "title": "", "count": 1}]
    assert result["ipc"]["groups"] == [
        {"code": "H01F1/00", "title": "按所用磁性材料区分的磁体或磁性物体", "count": 5},
        {"code": "C22C38/00", "title": "", "count": 1}, {"code": "H01F41/00", "title": "", "count": 1},
        {"code": "H01F7/00", "title": "", "count": 1}]

    geography = result["geography"]
    assert geography["provinces"] == [{"name": "内蒙古", "count": 4}, {"name": "北京", "count": 2},
                                      {"name": "浙江", "count": 1}]
    assert geography["leagues"] == [{"code": "150200", "name": "包头市", "count": 3},
                                    {"code": "150100", "name": "呼和浩特市", "count": 1}]
    assert geography["banners"] == [{"code": "150203", "name": "昆都仑区", "count": 2},
                                    {"code": "150102", "name": "新城区", "count": 1},
                                    {"code": "150205", "name": "石拐区", "count": 1}]
    assert geography["region"] == {"code": "15", "name": "内蒙古自治区", "count": 4, "share": 0.5714}
    assert geography["local_applicants"] == [{"name": INSTITUTE, "count": 3}, {"name": UNIVERSITY, "count": 2}]

    legal = result["legal"]
    assert [(s["key"], s["count"]) for s in legal["status"]] == [("granted", 4), ("pending", 1), ("rejected", 1),
                                                                 ("withdrawn", 1)]
    # In force with under 3 years left: the 2005 invention (20 years) and the 2017 utility model (10).
    assert legal["lapse_risk"]["count"] == 2 and "3" in legal["lapse_risk"]["rule"]
    assert (legal["transfers"], legal["licences"], legal["pledges"]) == (1, 1, 1)

    keys = result["key_patents"]
    assert [(k["publication_number"], k["score"]) for k in keys] == [
        ("CN100000001B", 31.0), ("CN100000002B", 12.0), ("CN100000004A", 7.0), ("CN200000005U", 4.5),
        ("CN100000003A", 4.0), ("CN100000006B", 2.0), ("CN100000007A", 0.0)]
    assert keys[0] == {"publication_number": "CN100000001B", "title": "一种稀土永磁材料 CN100000001B",
                       "first_applicant": INSTITUTE, "application_date": "2015-03-02", "patent_type": "invention",
                       "legal_status": "granted", "citations": 10, "family_size": 3, "transfers": 1,
                       "licences": 0, "pledges": 0, "claims": 10, "score": 31.0}


def test_node_analytics_of_nothing(magnets):
    empty = node_analytics("IPC=A01B", today=TODAY)
    assert empty["total"] == 0 and empty["trend"] == [] and empty["key_patents"] == []
    assert empty["geography"]["region"]["name"] == "内蒙古自治区"
    assert node_analytics("", today=TODAY)["total"] == 0  # no query is no patents
    assert node_analytics("IPC=H01F", region_code="11", today=TODAY)["geography"]["region"] == {
        "code": "11", "name": "北京市", "count": 2, "share": 0.2857}
    with pytest.raises(QuerySyntaxError):
        node_analytics("TI=(稀土", today=TODAY)


# --- A project ---------------------------------------------------------------------------------


def test_a_patent_matched_by_two_children_counts_once_in_the_parent(magnets):
    nodes = tree(("1", None, ""), ("1.1", "1", "IPC=H01F1/057"), ("1.2", "1", "IPC=C22C"))
    result = project_analytics(nodes, today=TODAY, min_patents=1)
    entries = {e["key"]: e for e in result["nodes"]}
    assert (entries["1.1"]["total"], entries["1.2"]["total"], entries["1"]["total"]) == (4, 1, 4)
    assert entries["1"]["effective_query"] == "(IPC=H01F1/057) OR (IPC=C22C)"
    assert result["publication_numbers"] == {
        "1": ["CN100000001B", "CN100000002B", "CN100000006B", "CN100000007A"],
        "1.1": ["CN100000001B", "CN100000002B", "CN100000006B", "CN100000007A"],
        "1.2": ["CN100000001B"],
    }
    assert result["overall"]["total"] == 4
    assert result["node_results"]["1"]["applicants"]["top"][0] == {
        "name": INSTITUTE, "type": "institute", "type_label": "科研院所", "count": 2}
    # The project scope is ANDed to every node: only the 2016 and later filings remain.
    scoped = project_analytics(nodes, project_scope="AD>=2016", today=TODAY)
    assert scoped["publication_numbers"]["1"] == ["CN100000002B", "CN100000007A"]
    assert scoped["publication_numbers"]["1.2"] == []
    with pytest.raises(QuerySyntaxError, match="1.2"):
        project_analytics(tree(("1", None, "IPC=H01F"), ("1.2", "1", "TI=(稀土")), today=TODAY)


@pytest.fixture
def planted(db):
    """A corpus with a planted weak branch: the region holds 25 of the 30 patents of branch A
    (IPC H01F) but only 1 of the 30 of branch B (IPC C22B)."""
    patents = []
    for i in range(60):
        branch_a = i < 30
        local = i < 25 or i == 30
        patents.append(make_patent(
            f"CN{300000000 + i}A", applicants=[f"{'内蒙古' if local else '江苏'}{'磁材' if branch_a else '冶金'}公司{i % 7}"],
            filed=dt.date(2010 + i % 12, 1 + i % 12, 1), ipc=("H01F1/057",) if branch_a else ("C22B59/00",),
            province="内蒙古" if local else "江苏", league="150200" if local else ""))
    index(patents)


def test_gap_and_strength_nodes_on_a_planted_weak_branch(planted):
    nodes = tree(("1", None, ""), ("1.1", "1", "IPC=H01F"), ("1.2", "1", "IPC=C22B"), ("1.3", "1", "IPC=A01B"))
    result = project_analytics(nodes, today=TODAY)
    entries = {e["key"]: e for e in result["nodes"]}
    a, b = entries["1.1"], entries["1.2"]
    assert (a["total"], a["region_count"], b["total"], b["region_count"]) == (30, 25, 30, 1)
    assert a["region_share"] == round(25 / 26, 4) and a["national_share"] == 0.5
    assert a["location_quotient"] == round((25 / 26) / 0.5, 4) and a["verdict"] == "strength"
    assert b["location_quotient"] == round((1 / 26) / 0.5, 4) and b["verdict"] == "gap"
    assert "0.08" in b["reason"]
    assert entries["1"]["verdict"] == "neutral" and entries["1"]["location_quotient"] == 1.0
    assert entries["1.3"]["total"] == 0 and entries["1.3"]["verdict"] == "neutral"
    assert [g["key"] for g in result["gaps"]] == ["1.2"] and [s["key"] for s in result["strengths"]] == ["1.1"]

    years = result["node_year"]["years"]
    assert years == list(range(2010, 2022))
    rows = {r["key"]: r["counts"] for r in result["node_year"]["rows"]}
    assert sum(rows["1"]) == 60 and sum(rows["1.1"]) == 30 and rows["1.3"] == [0] * 12
    matrix = result["node_applicant"]
    assert len(matrix["applicants"]) == 20 and len(matrix["rows"]) == 4
    first = matrix["applicants"][0]
    assert {r["key"]: r["counts"][0] for r in matrix["rows"]}["1"] == sum(
        1 for p in Patent.objects.all() if p.first_applicant == first)
    assert result["took_ms"] > 0
    # A project may move the thresholds.
    stricter = project_analytics(nodes, today=TODAY, strength_lq=2.0, gap_lq=0.05)
    assert stricter["gaps"] == [] and stricter["strengths"] == []
    assert nav.MIN_NODE_PATENTS == 20
    assert result["thresholds"] == {"gap_lq": 0.5, "strength_lq": 1.5, "min_node_patents": 20}
    assert stricter["thresholds"]["strength_lq"] == 2.0

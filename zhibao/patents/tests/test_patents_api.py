"""/api/v1/patents: search, one patent, analytics and similar patents, for signed-in users only."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from .test_search_pages import corpus  # noqa: F401  (the fixture)


@pytest.fixture
def api(alice):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")
    return client


def test_search_returns_hits_with_highlights_facets_and_total(api, corpus):  # noqa: F811
    response = api.get("/api/v1/patents", {"q": "稀土", "sort": "-application_date"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 4 and body["num_pages"] == 1 and body["page"] == 1
    assert [h["publication_number"] for h in body["results"]][0] == "CN111000004A"
    hit = body["results"][0]
    assert "<mark>稀土</mark>" in hit["title_html"]
    assert hit["patent_type_label"] and hit["application_date"] == "2022-02-02"
    assert hit["url"] == "/api/v1/patents/CN111000004A"
    assert {b["key"]: b["count"] for b in body["facets"]["type"]} == {"invention": 3, "utility_model": 1}
    assert set(body["facets"]) == {"year", "ipc_subclass", "applicant", "province", "type", "legal_status"}
    assert body["took_ms"] >= 0


def test_search_filters_are_repeatable_and_anded(api, corpus):  # noqa: F811
    body = api.get("/api/v1/patents?q=稀土&year=2019&year=2020&type=invention").json()
    assert sorted(h["publication_number"] for h in body["results"]) == ["CN111000001A", "CN111000002B"]
    body = api.get("/api/v1/patents", {"province": "江苏省"}).json()
    assert [h["publication_number"] for h in body["results"]] == ["CN111000006A"]


def test_search_pages(api, corpus):  # noqa: F811
    body = api.get("/api/v1/patents", {"q": "稀土", "page_size": 3, "page": 2, "sort": "application_date"}).json()
    assert body["num_pages"] == 2 and len(body["results"]) == 1
    assert api.get("/api/v1/patents", {"page": 600, "page_size": 100}).status_code == 400


def test_syntax_error_is_400_with_the_error_shape_and_the_position(api, corpus):  # noqa: F811
    response = api.get("/api/v1/patents", {"q": "TI=稀土 AND (PA=包头"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "query_syntax"
    assert body["message"] and body["fields"]["q"] == [body["message"]]
    assert isinstance(body["position"], int) and 0 <= body["position"] <= len("TI=稀土 AND (PA=包头")


def test_invalid_parameters_are_400_in_the_one_shape(api, db):
    for params in ({"sort": "sideways"}, {"page_size": 0}, {"year": "abc"}, {"page": "x"}):
        response = api.get("/api/v1/patents", params)
        assert response.status_code == 400, params
        assert set(response.json()) == {"code", "message", "fields"}


def test_detail_normalises_the_number_and_returns_the_full_record(api, corpus):  # noqa: F811
    response = api.get("/api/v1/patents/cn111000001a")
    assert response.status_code == 200
    body = response.json()
    assert body["publication_number"] == "CN111000001A"
    assert [a["name"] for a in body["applicants"]] == ["包头稀土研究院", "内蒙古科技大学"]
    assert body["applicants"][1]["type_label"]
    assert body["inventors"] == ["张三", "李四"] and body["agents"] == ["王五"]
    assert [e["event"] for e in body["legal_events"]] == ["申请", "实质审查的生效"]
    assert body["ipc"][0] == {"code": "H01F1/057", "title": "", "main": True}
    assert (body["citation_count"], body["family_size"], body["transfer_count"]) == (3, 2, 1)
    assert body["legal_status"] == "pending" and body["legal_status_label"]


def test_detail_404s_in_json(api, corpus):  # noqa: F811
    for url in ("/api/v1/patents/CN999999999A", "/api/v1/patents/123", "/api/v1/patents/CN111000001A/x"):
        response = api.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"


def test_similar(api, corpus):  # noqa: F811
    body = api.get("/api/v1/patents/CN111000001A/similar", {"limit": 3}).json()
    assert body["publication_number"] == "CN111000001A"
    numbers = [h["publication_number"] for h in body["results"]]
    assert numbers and "CN111000001A" not in numbers and len(numbers) <= 3
    assert api.get("/api/v1/patents/CN111000001A/similar", {"limit": 0}).status_code == 400
    assert api.get("/api/v1/patents/CN999999999A/similar").status_code == 404


def test_analytics_all_one_dimension_and_a_matrix(api, corpus):  # noqa: F811
    body = api.get("/api/v1/patents/analytics", {"q": "稀土"}).json()
    assert body["total"] == 4 and body["by"] == "all"
    assert [b["key"] for b in body["buckets"]["year"]] == ["2019", "2020", "2021", "2022"]
    assert {"applicant", "ipc_subclass", "province", "type", "legal_status", "league"} <= set(body["buckets"])
    matrix = body["matrices"]["year_x_ipc_subclass"]
    assert [r["key"] for r in matrix["rows"]] == ["2019", "2020", "2021", "2022"]
    assert sum(map(sum, matrix["cells"])) >= 4

    body = api.get("/api/v1/patents/analytics", {"q": "稀土", "by": "type"}).json()
    assert body["buckets"] == {"type": [{"key": "invention", "label": body["buckets"]["type"][0]["label"], "count": 3},
                                        {"key": "utility_model", "label": body["buckets"]["type"][1]["label"],
                                         "count": 1}]}
    assert body["matrices"] == {}

    body = api.get("/api/v1/patents/analytics", {"q": "稀土", "x": "applicant", "y": "ipc_subclass"}).json()
    assert list(body["matrices"]) == ["applicant_x_ipc_subclass"]
    assert api.get("/api/v1/patents/analytics", {"x": "year"}).status_code == 400
    response = api.get("/api/v1/patents/analytics", {"q": "AD>="})
    assert response.status_code == 400 and response.json()["code"] == "query_syntax"


@pytest.mark.parametrize("url", ["/api/v1/patents", "/api/v1/patents/CN111000001A", "/api/v1/patents/analytics",
                                 "/api/v1/patents/CN111000001A/similar"])
def test_anonymous_gets_401(db, url):
    response = APIClient().get(url)
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_session_login_works_too(alice, corpus):  # noqa: F811
    from zhibao.conftest import login

    assert login(alice).get("/api/v1/patents", {"q": "电池"}).json()["total"] == 2


def _nullable_to_json_schema(node):
    """OpenAPI 3.0's `nullable: true` as JSON Schema (a null type), recursively."""
    if isinstance(node, list):
        return [_nullable_to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _nullable_to_json_schema(v) for k, v in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


def test_answers_match_the_published_schema(api, corpus):  # noqa: F811
    """The OpenAPI schema the fuzzer trusts describes what the endpoints really answer, for real records."""
    from jsonschema import Draft202012Validator

    document = _nullable_to_json_schema(api.get("/api/schema/", {"format": "json"}).json())
    calls = [
        ("/api/v1/patents", {"q": "稀土"}, 200), ("/api/v1/patents", {"q": "TI=("}, 400),
        ("/api/v1/patents/CN111000001A", {}, 200), ("/api/v1/patents/CN111000001A/similar", {}, 200),
        ("/api/v1/patents/analytics", {"q": "稀土"}, 200), ("/api/v1/patents/analytics", {"by": "year"}, 200),
        ("/api/v1/patents/analytics", {"x": "applicant", "y": "ipc_subclass"}, 200),
    ]
    paths = {"/api/v1/patents": "/api/v1/patents", "/api/v1/patents/analytics": "/api/v1/patents/analytics",
             "/api/v1/patents/CN111000001A": "/api/v1/patents/{publication_number}",
             "/api/v1/patents/CN111000001A/similar": "/api/v1/patents/{publication_number}/similar"}
    for url, params, status in calls:
        response = api.get(url, params)
        assert response.status_code == status, (url, params)
        operation = document["paths"][paths[url]]["get"]
        schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
        errors = list(Draft202012Validator({**document, **schema}).iter_errors(response.json()))
        assert not errors, (url, params, [e.message for e in errors[:3]])

"""/api/v1/revitalization/inventories: create (upload or applicant name, idempotent, refused
files), list and retrieve, the lines, the bulk decisions, the transitions and the progress — as
the institution (owner), its member, the operator and strangers."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhibao.conftest import login
from zhibao.core.models import Case
from zhibao.revitalization.choices import InventoryState as S
from zhibao.revitalization.models import Inventory, PoolPatent

from .test_inventory import LINES, by_application, upload, xlsx_upload  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
API = "/api/v1/revitalization/inventories"


@pytest.fixture
def inventory(people, uni_org, corpus, by_application):  # noqa: F811 (the imported fixture)
    return upload(people["uni"], uni_org)


def test_anonymous_gets_401(client):
    assert client.get(API).status_code == 401


def test_create_by_upload_and_replay_with_the_idempotency_key(people, uni_org, corpus, by_application):  # noqa: F811
    client = login(people["uni"])
    first = client.post(API, {"organization": uni_org.pk, "file": xlsx_upload(LINES)}, HTTP_IDEMPOTENCY_KEY="a-1")
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["state"] == S.OPEN and body["counts"]["lines"] == 9 and body["counts"]["matched"] == 3
    assert {t["name"] for t in body["transitions"]} == {"submit", "withdraw"}
    again = client.post(API, {"organization": uni_org.pk, "file": xlsx_upload(LINES)}, HTTP_IDEMPOTENCY_KEY="a-1")
    assert again.status_code == 200 and again.json()["number"] == body["number"]
    assert Inventory.objects.count() == 1


def test_create_from_the_corpus_by_applicant_name(people, uni_org, corpus):
    response = login(people["uni_member"]).post(API, {"organization": uni_org.pk}, content_type="application/json")
    assert response.status_code == 201 and response.json()["counts"]["matched"] == 6
    response = login(people["uni"]).post(API, {"organization": uni_org.pk, "applicant_name": "无此大学"},
                                         content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "no_patents"


@pytest.mark.parametrize(("file", "code"), [
    (lambda: SimpleUploadedFile("清单.xlsx", b"not a workbook at all"), None),
    (lambda: xlsx_upload([("CN111000001B",)], header=["名称"]), "missing_header"),
])
def test_a_bad_file_gives_a_clear_error_and_creates_nothing(file, code, people, uni_org, corpus):
    response = login(people["uni"]).post(API, {"organization": uni_org.pk, "file": file()})
    assert response.status_code == 400
    body = response.json()
    assert body["message"] and "file" in body["fields"]
    if code:
        assert body["code"] == code
    assert not Inventory.objects.exists() and not Case.objects.filter(service="RVI").exists()


def test_a_stranger_cannot_create_for_the_institution(people, uni_org, bob_org, corpus):
    response = login(people["bob"]).post(API, {"organization": uni_org.pk}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "unknown_organization"
    response = login(people["bob"]).post(API, {"organization": bob_org.pk}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "not_institution"
    assert not Inventory.objects.exists()


def test_list_and_retrieve_as_owner_operator_and_strangers(people, inventory):
    number = inventory.case.number
    for who, sees in (("uni", True), ("uni_member", True), ("operator", True), ("leader", True), ("bob", False),
                      ("alice", False)):
        client = login(people[who])
        listed = [i["number"] for i in client.get(API).json()["results"]]
        assert (number in listed) == sees, who
        detail = client.get(f"{API}/{number}")
        assert detail.status_code == (200 if sees else 404), who
        items = client.get(f"{API}/{number}/items")
        assert items.status_code == (200 if sees else 404), who
    body = login(people["operator"]).get(f"{API}/{number}").json()
    assert body["transitions"] == [] and body["counts"]["unmatched"] == 6


def test_the_lines_with_filters(people, inventory):
    client = login(people["uni"])
    number = inventory.case.number
    unmatched = client.get(f"{API}/{number}/items", {"match": "unmatched"}).json()
    assert [i["line"] for i in unmatched["results"]] == [5, 6, 7, 8, 9, 11]
    assert all(i["unmatched_reason"] and i["patent"] is None for i in unmatched["results"])
    matched = client.get(f"{API}/{number}/items", {"match": "matched", "page_size": 2}).json()
    assert matched["count"] == 3 and matched["results"][0]["patent"]["publication_number"] == "CN111000001B"
    bad = client.get(f"{API}/{number}/items", {"match": "sideways"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"


def test_bulk_decisions_transitions_and_completion(people, inventory):
    uni, operator, bob = login(people["uni"]), login(people["operator"]), login(people["bob"])
    number = inventory.case.number
    items = {i["line"]: i["id"] for i in uni.get(f"{API}/{number}/items", {"match": "matched"}).json()["results"]}
    refused = uni.post(f"{API}/{number}/decisions", {"decisions": [{"id": items[2], "decision": "not_pooled"}]},
                       content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "reason_required"
    assert bob.post(f"{API}/{number}/decisions", {"all": {"decision": "pooled"}},
                    content_type="application/json").status_code == 404
    undecided = uni.post(f"{API}/{number}/transitions/submit", {}, content_type="application/json")
    assert undecided.status_code == 400 and undecided.json()["code"] == "undecided"
    done = uni.post(f"{API}/{number}/decisions", {"decisions": [
        {"id": items[2], "decision": "not_pooled", "reason": "other", "reason_text": "保密"}]},
        content_type="application/json")
    assert done.status_code == 200 and done.json()["updated"] == 1
    rest = uni.post(f"{API}/{number}/decisions", {"all": {"decision": "pooled"}}, content_type="application/json")
    assert rest.json()["updated"] == 2 and rest.json()["counts"]["institution"]["pending"] == 0
    neither = uni.post(f"{API}/{number}/decisions", {}, content_type="application/json")
    assert neither.status_code == 400
    submitted = uni.post(f"{API}/{number}/transitions/submit", {"comment": "请审核"}, content_type="application/json")
    assert submitted.status_code == 200 and submitted.json()["state"] == S.SUBMITTED
    assert bob.post(f"{API}/{number}/transitions/accept", {}, content_type="application/json").status_code == 404
    forbidden = uni.post(f"{API}/{number}/transitions/accept", {}, content_type="application/json")
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"
    accepted = operator.post(f"{API}/{number}/transitions/accept", {}, content_type="application/json")
    assert accepted.status_code == 200 and {t["name"] for t in accepted.json()["transitions"]} == {
        "return_to_institution", "complete"}
    operator.post(f"{API}/{number}/decisions", {"decisions": [{"id": items[2], "decision": "pooled"}]},
                  content_type="application/json")
    no_reason = operator.post(f"{API}/{number}/transitions/return_to_institution", {}, content_type="application/json")
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "comment_required"
    unknown = operator.post(f"{API}/{number}/transitions/fly", {}, content_type="application/json")
    assert unknown.status_code == 404
    completed = operator.post(f"{API}/{number}/transitions/complete", {}, content_type="application/json")
    assert completed.status_code == 200 and completed.json()["state"] == S.COMPLETED
    assert PoolPatent.objects.count() == 3
    # The kernel's endpoint moves the same case (the same request shape).
    assert operator.post(f"/api/v1/cases/{number}/transitions/accept", {},
                         content_type="application/json").json()["code"] == "transition_not_allowed"


def test_progress(people, inventory, uni_org):
    body = login(people["operator"]).get(f"{API}/progress").json()
    assert body["all"] and body["institutions"][0]["id"] == uni_org.pk and body["institutions"][0]["matched"] == 3
    assert body["totals"]["pooled"] == 0 and body["totals"]["rate"] == 0.0
    own = login(people["uni"]).get(f"{API}/progress").json()
    assert not own["all"] and [r["id"] for r in own["institutions"]] == [uni_org.pk]
    assert login(people["bob"]).get(f"{API}/progress").json()["institutions"] == []
    league = uni_org.league_id or "150100"
    assert login(people["leader"]).get(f"{API}/progress", {"league": league}).status_code == 200
    bad = login(people["leader"]).get(f"{API}/progress", {"league": "999999"})
    assert bad.status_code == 400 and bad.json()["code"] == "unknown_league"

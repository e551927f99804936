"""The API as its users meet it: owners and strangers, one error shape, the uniform
transition endpoint, idempotent submission, tokens."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from zhibao.accounts.demo import make_uscc
from zhibao.core.models import Case

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_services_lists_the_registry():
    data = api().get("/api/v1/services").json()
    org = next(s for s in data if s["code"] == "ORG")
    assert org["entry_url"] == "/accounts/organizations/"
    assert [s["value"] for s in org["states"]] == [
        "submitted", "in_review", "returned", "verified", "rejected", "withdrawn"]
    assert org["time_limits"] == {"submitted": 2, "in_review": 5, "returned": 10}


def test_me_masks_the_phone(alice, alice_org):
    data = api(alice).get("/api/v1/me").json()
    assert data["username"] == "alice" and data["mobile"] == "138****1234"
    assert data["organizations"][0]["name"] == alice_org.name and data["roles"] == []


def test_token_login_by_mobile_number(alice):
    from zhibao.conftest import PASSWORD

    response = api().post("/api/v1/auth/token", {"username": "13812341234", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + response.json()["token"])
    assert client.get("/api/v1/me").json()["username"] == "alice"


def test_organization_create_validates_uscc_with_structured_error(alice):
    bad = api(alice).post("/api/v1/organizations", {"kind": "enterprise", "name": "坏代码公司", "uscc": "91150203MA0000000X"},
                          format="json")
    assert bad.status_code == 400
    body = bad.json()
    assert body["code"] == "invalid" and "uscc" in body["fields"] and body["message"]
    good = api(alice).post("/api/v1/organizations", {
        "kind": "enterprise", "name": "好代码公司", "uscc": make_uscc("150203", 123),
        "address": "内蒙古自治区包头市昆都仑区钢铁大街88号", "industry": "C3985",
    }, format="json")
    assert good.status_code == 201, good.json()
    assert good.json()["league"] == "包头市" and good.json()["banner"] == "昆都仑区"
    assert good.json()["province"] == "内蒙古自治区"


def test_submit_verification_is_idempotent_with_a_key(alice, alice_org):
    url = f"/api/v1/organizations/{alice_org.pk}/verification"
    first = api(alice).post(url, HTTP_IDEMPOTENCY_KEY="abc-123")
    again = api(alice).post(url, HTTP_IDEMPOTENCY_KEY="abc-123")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["number"] == again.json()["number"]
    assert Case.objects.count() == 1
    third = api(alice).post(url, HTTP_IDEMPOTENCY_KEY="other")
    assert third.status_code == 409 and third.json()["code"] == "duplicate"


def test_bob_cannot_see_alices_case(alice_case, bob):
    url = f"/api/v1/cases/{alice_case.number}"
    assert api(bob).get(url).status_code == 404
    assert api(bob).get(url + "/events").status_code == 404
    assert api(bob).post(url + "/transitions/withdraw", {}, format="json").status_code == 404
    assert alice_case.number not in [c["number"] for c in api(bob).get("/api/v1/cases?scope=all").json()["results"]]


def test_owner_sees_case_events_and_her_transitions(alice_case, alice):
    data = api(alice).get(f"/api/v1/cases/{alice_case.number}").json()
    assert data["status"] == "submitted"
    assert [t["name"] for t in data["transitions"]] == ["withdraw"]
    events = api(alice).get(f"/api/v1/cases/{alice_case.number}/events").json()
    assert [e["transition"] for e in events] == ["submit"]
    mine = api(alice).get("/api/v1/cases?service=ORG").json()
    assert mine["count"] == 1 and mine["results"][0]["number"] == alice_case.number


def test_staff_moves_a_case_through_the_uniform_endpoint(alice_case, clerk, alice):
    worklist = api(clerk).get("/api/v1/cases").json()
    assert [c["number"] for c in worklist["results"]] == [alice_case.number]
    detail = api(clerk).get(f"/api/v1/cases/{alice_case.number}").json()
    assert [t["name"] for t in detail["transitions"]] == ["accept"]
    r = api(clerk).post(f"/api/v1/cases/{alice_case.number}/transitions/accept", {"comment": "受理"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "in_review"
    assert {t["name"] for t in r.json()["transitions"]} == {"verify", "reject", "return_for_correction"}
    # A reason is required to reject: structured error naming the field.
    r = api(clerk).post(f"/api/v1/cases/{alice_case.number}/transitions/reject", {}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "comment_required" and "comment" in r.json()["fields"]
    # Not possible from this state: 409 with a message.
    r = api(clerk).post(f"/api/v1/cases/{alice_case.number}/transitions/accept", {}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "transition_not_allowed" and r.json()["message"]
    # The applicant may not decide her own case.
    r = api(alice).post(f"/api/v1/cases/{alice_case.number}/transitions/verify", {}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = api(clerk).post(f"/api/v1/cases/{alice_case.number}/transitions/verify", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "verified" and r.json()["closed_at"]
    notes = api(alice).get("/api/v1/notifications").json()
    assert notes["count"] == 2
    assert api(alice).post("/api/v1/notifications/read", {}, format="json").json()["updated"] == 2


def test_unknown_transition_is_404_with_code(alice_case, clerk):
    r = api(clerk).post(f"/api/v1/cases/{alice_case.number}/transitions/explode", {}, format="json")
    assert r.status_code == 404 and r.json()["code"] == "unknown_transition"


def test_staff_see_only_the_services_they_work_in(alice_case, expert, leader, examiner, clerk):
    assert api(expert).get(f"/api/v1/cases/{alice_case.number}").status_code == 404  # unassigned expert
    assert api(expert).get("/api/v1/cases?scope=all").json()["count"] == 0
    assert api(examiner).get(f"/api/v1/cases/{alice_case.number}").status_code == 404  # not an ORG role
    assert api(clerk).get(f"/api/v1/cases/{alice_case.number}").status_code == 200
    assert api(leader).get(f"/api/v1/cases/{alice_case.number}").status_code == 200


def test_organizations_owner_and_stranger(alice, alice_org, bob, clerk):
    url = f"/api/v1/organizations/{alice_org.pk}"
    assert api(alice).get(url).status_code == 200
    assert api(bob).get(url).status_code == 404
    assert api(bob).patch(url, {"name": "篡改"}, format="json").status_code == 404
    assert api(clerk).get(url).status_code == 200
    assert api(clerk).patch(url, {"name": "篡改"}, format="json").status_code == 403
    r = api(alice).patch(url, {"name": "包头稀土新材料股份有限公司"}, format="json")
    assert r.status_code == 200 and r.json()["name"] == "包头稀土新材料股份有限公司"


def test_pagination_shape(alice_case, alice):
    data = api(alice).get("/api/v1/cases?page_size=1").json()
    assert set(data) == {"count", "next", "previous", "results"}


def test_token_header_401_for_bad_token():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nope")
    r = client.get("/api/v1/me")
    assert r.status_code == 401 and r.json()["code"] == "authentication_failed"
    assert Token.objects.count() == 0


def test_the_three_admins_neither_see_nor_decide_applicants_cases(alice_case, sysadmin, secadmin, auditadmin):
    for admin in (sysadmin, secadmin, auditadmin):
        client = api(admin)
        assert client.get(f"/api/v1/cases/{alice_case.number}").status_code == 404, admin
        assert client.get("/api/v1/cases?scope=all").json()["count"] == 0, admin
        r = client.post(f"/api/v1/cases/{alice_case.number}/transitions/accept", {}, format="json")
        assert r.status_code == 404, admin
    alice_case.refresh_from_db()
    assert alice_case.status == "submitted"


def test_me_lists_staff_roles(clerk):
    assert api(clerk).get("/api/v1/me").json()["roles"] == ["clerk"]

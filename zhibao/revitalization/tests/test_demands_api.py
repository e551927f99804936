# ruff: noqa: F811  (the shared fixtures are imported from the sibling test modules)
"""/api/v1/revitalization/demands, /matches, /pool-demands as alice (the enterprise), bob (the
stranger), the university (the holder), the operator and the leader."""

import datetime as dt

import pytest
from django.utils import timezone

from zhibao.conftest import login
from zhibao.revitalization.choices import Answer, DemandState, MatchState
from zhibao.revitalization.models import Demand
from zhibao.revitalization.services import matching

from .test_demands import industries, moved, published, submitted, var_dir  # noqa: F401  (fixtures)
from .test_matching_service import DEMAND_TEXT, DEMAND_TITLE, pool, potato  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
API = "/api/v1/revitalization"


def body(org, **overrides) -> dict:
    data = {"organization": org.pk, "title": "低重稀土永磁体技术", "description": "降低重稀土用量并保持矫顽力。",
            "industry": "C3812", "key_industry": "rare_earth", "league": "150200", "budget_min": "50",
            "budget_max": "200", "modes": ["licence"], "contact_name": "王经理", "contact_phone": "13800001234",
            "deadline": (timezone.localdate() + dt.timedelta(days=60)).isoformat()}
    data.update(overrides)
    return data


def post(client, url, data=None, **extra):
    return client.post(url, data or {}, content_type="application/json", **extra)


def test_anonymous_gets_401(client):
    for url in (f"{API}/demands", f"{API}/matches", f"{API}/matches/quality"):
        assert client.get(url).status_code == 401


def test_create_once_with_an_idempotency_key(alice, alice_org, industries):
    client = login(alice)
    first = post(client, f"{API}/demands", body(alice_org), HTTP_IDEMPOTENCY_KEY="abc")
    again = post(client, f"{API}/demands", body(alice_org), HTTP_IDEMPOTENCY_KEY="abc")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["number"] == again.json()["number"] and Demand.objects.count() == 1
    data = first.json()
    assert data["state"] == DemandState.SUBMITTED and data["industry"]["code"] == "3812"
    assert data["contact"] == {"name": "王经理", "phone": "13800001234"}


def test_refusals_are_structured(alice, alice_org, uni, uni_org, industries):
    client = login(alice)
    response = post(client, f"{API}/demands", body(alice_org, budget_min="300", budget_max="10", modes=[],
                                                   deadline="2020-01-01"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    error = response.json()
    assert response.status_code == 400 and set(error["fields"]) == {"budget_max", "modes", "deadline"}
    assert error["code"] in {"budget_range", "no_mode", "bad_deadline"} and error["message"]
    response = post(client, f"{API}/demands", body(alice_org, modes=["barter"]))
    assert response.status_code == 400 and response.json()["code"] == "unknown_mode"
    response = post(client, f"{API}/demands", body(alice_org, deadline="tomorrow"))
    assert response.status_code == 400 and response.json()["code"] == "invalid" and "deadline" in response.json()["fields"]
    response = post(login(uni), f"{API}/demands", body(uni_org))
    assert response.status_code == 400 and response.json()["code"] == "not_enterprise"
    response = post(client, f"{API}/demands", body(uni_org))
    assert response.status_code == 400 and response.json()["code"] == "unknown_organization"
    assert Demand.objects.count() == 0


def test_visibility_of_demands(alice, alice_org, bob, operator, leader, industries):
    demand = submitted(alice, alice_org, industries)
    url = f"{API}/demands/{demand.case.number}"
    assert login(bob).get(url).status_code == 404
    assert login(bob).get(f"{API}/demands").json()["count"] == 0
    for who in (alice, operator, leader):
        assert login(who).get(url).status_code == 200
    assert {t["name"] for t in login(operator).get(url).json()["transitions"]} == {
        "publish", "return_for_correction", "reject"}
    assert login(alice).get(url).json()["transitions"] == []
    published(demand, operator)
    seen = login(bob).get(url).json()
    assert seen["contact"] is None and seen["transitions"] == []
    listed = login(bob).get(f"{API}/demands", {"scope": "published", "key_industry": "rare_earth",
                                              "league": "150200", "mode": "licence"}).json()
    assert [d["number"] for d in listed["results"]] == [demand.case.number]
    assert login(bob).get(f"{API}/demands", {"scope": "mine"}).json()["count"] == 0
    assert login(bob).get(f"{API}/demands", {"mode": "joint"}).json()["count"] == 0


def test_transitions_and_update_while_returned(alice, alice_org, bob, operator, industries):
    demand = submitted(alice, alice_org, industries)
    url = f"{API}/demands/{demand.case.number}"
    response = post(login(alice), f"{url}/transitions/publish")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert post(login(bob), f"{url}/transitions/publish").status_code == 404
    response = post(login(operator), f"{url}/transitions/return_for_correction")
    assert response.status_code == 400 and response.json()["code"] == "comment_required"
    response = login(alice).patch(url, {"title": "x"}, content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "not_editable"
    post(login(operator), f"{url}/transitions/return_for_correction", {"comment": "请补充技术指标。"})
    assert login(bob).patch(url, {"title": "x"}, content_type="application/json").status_code == 404
    response = login(operator).patch(url, {"title": "x"}, content_type="application/json")
    assert response.status_code == 403
    response = login(alice).patch(url, {"budget_min": "900"}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "budget_range"
    response = login(alice).patch(url, {"title": "改后的需求", "resubmit": True}, content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == DemandState.SUBMITTED
    assert response.json()["title"] == "改后的需求"
    response = post(login(operator), f"{url}/transitions/publish")
    assert response.status_code == 200 and response.json()["state"] == DemandState.PUBLISHED
    response = post(login(alice), f"{url}/transitions/close", {"comment": "已解决"})
    assert response.status_code == 200 and response.json()["state"] == DemandState.CLOSED


def test_matches_push_answer_and_quality(potato, alice, bob, uni, operator, leader):
    url = f"{API}/demands/{potato.case.number}/matches"
    every = login(operator).get(url).json()
    assert len(every) == potato.matches.count() and every[0]["rank"] == 1
    assert every[0]["patent"]["publication_number"] == "CN111000099B"
    assert login(alice).get(url).json() == []  # nothing pushed yet
    first = every[0]["id"]
    match_url = f"{API}/matches/{first}"
    assert login(bob).get(match_url).status_code == 404
    assert login(alice).get(match_url).status_code == 404  # not pushed: the center's working material
    assert post(login(alice), f"{match_url}/push").status_code == 404
    response = post(login(leader), f"{match_url}/push")
    assert response.status_code == 403
    response = post(login(operator), f"{match_url}/push")
    assert response.status_code == 200 and response.json()["state"] == MatchState.PUSHED
    assert [m["id"] for m in login(alice).get(url).json()] == [first]
    assert login(uni).get(match_url).json()["side"] == "holder"
    assert login(bob).get(match_url).status_code == 404
    assert post(login(bob), f"{match_url}/answer", {"answer": "interested"}).status_code == 404
    response = post(login(operator), f"{match_url}/answer", {"answer": "interested"})
    assert response.status_code == 403
    response = post(login(alice), f"{match_url}/answer", {"answer": "perhaps"})
    assert response.status_code == 400 and "answer" in response.json()["fields"]
    response = post(login(alice), f"{match_url}/answer", {"answer": "interested", "feedback": "请尽快联系"})
    assert response.status_code == 200 and response.json()["demand_answer"] == Answer.INTERESTED
    assert response.json()["holder_answer"] == Answer.PENDING
    response = post(login(uni), f"{match_url}/answer", {"answer": "interested"})
    assert response.json()["holder_answer"] == Answer.INTERESTED and response.json()["demand_answer"] == "interested"
    second = every[1]["id"]
    assert post(login(operator), f"{API}/matches/{second}/dismiss").json()["state"] == MatchState.DISMISSED
    response = post(login(alice), f"{API}/matches/{second}/answer", {"answer": "interested"})
    assert response.status_code == 404
    quality = login(operator).get(f"{API}/matches/quality").json()
    assert quality["pushed"] == 1 and quality["answered"] == 1 and quality["precision"] == 1.0
    assert quality["operators"][0]["operator_id"] == operator.pk
    assert login(alice).get(f"{API}/matches/quality").status_code == 404
    assert login(leader).get(f"{API}/matches/quality").status_code == 200


def test_rematch_is_the_operators(potato, alice, operator):
    url = f"{API}/demands/{potato.case.number}/rematch"
    assert post(login(alice), url).status_code == 403
    response = post(login(operator), url)
    assert response.status_code == 200 and response.json()[0]["patent"]["publication_number"] == "CN111000099B"


def test_pool_demands_for_the_holder_and_the_center(potato, pool, uni, operator, bob, alice):
    planted = pool["CN111000099B"]
    url = f"{API}/pool-demands/{planted.pk}"
    for who in (uni, operator):
        data = login(who).get(url).json()
        assert data["demands"][0]["demand"]["number"] == potato.case.number
        assert "马铃薯" in data["demands"][0]["shared_terms"]
        assert data["enterprises"][0]["organization"]["name"] == potato.organization.name
    for stranger in (bob, alice):
        assert login(stranger).get(url).status_code == 404
    assert login(operator).get(f"{API}/pool-demands/999999").status_code == 404


def test_matching_index_is_built_once_for_the_api(potato, operator, settings):
    assert matching.pool_index_path().is_file()
    assert str(matching.pool_index_path()).startswith(str(settings.VAR_DIR))

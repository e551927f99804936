"""/api/v1/revitalization/pool…: the pool, one patent with its explanation, the holder's update,
evaluations, contacts and replies, the grading settings — as the owner and as a stranger."""

from decimal import Decimal

import pytest
from django.test import Client

from zhibao.conftest import login
from zhibao.core.models import Job
from zhibao.core.services.jobs import job_execute
from zhibao.revitalization.choices import OperationKind
from zhibao.revitalization.grading import FACTORS
from zhibao.revitalization.models import (
    ContactRequest,
    GradingConfig,
    MarketEvaluation,
    Operation,
    PoolPatent,
)
from zhibao.revitalization.services.pool import REGRADE_JOB, pool_add, pool_patent_withdraw

API = "/api/v1/revitalization"
UNI_PATENTS = ("CN111000001B", "CN111000002B", "CN211000003U", "CN111000004A", "CN111000005B", "CN111000006B")


@pytest.fixture
def pool(corpus, uni_org, operator):
    return {pn: pool_add(patent=corpus[pn], holder=uni_org, actor=operator)[0] for pn in UNI_PATENTS}


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["publication_number"] for row in response.json()["results"]}


def test_the_list_filters_and_searches_within_the_pool(pool, bob, bob_org):
    client = login(bob)
    assert numbers(client.get(f"{API}/pool")) == set(UNI_PATENTS)
    assert numbers(client.get(f"{API}/pool", {"q": "稀土"})) == {"CN111000001B", "CN111000002B", "CN211000003U",
                                                                "CN111000004A"}
    assert numbers(client.get(f"{API}/pool", {"q": "苜蓿 OR 磷酸铁锂"})) == set()  # corpus, not pool
    assert numbers(client.get(f"{API}/pool", {"key_industry": "dairy"})) == {"CN111000005B", "CN111000006B"}
    assert numbers(client.get(f"{API}/pool", {"patent_type": "utility_model"})) == {"CN211000003U"}
    rows = client.get(f"{API}/pool", {"sort": "score"}).json()["results"]
    assert [Decimal(r["score"]) for r in rows] == sorted((Decimal(r["score"]) for r in rows), reverse=True)
    bad = client.get(f"{API}/pool", {"q": "TI=(稀土"})
    assert bad.status_code == 400 and "q" in bad.json()["fields"]
    assert client.get(f"{API}/pool", {"grade": "Z"}).status_code == 400
    assert Operation.objects.filter(kind=OperationKind.SEARCH, user=bob).count() == 4  # q, q, industry, type


def test_retrieve_explains_the_score_and_hides_the_contact_from_strangers(pool, bob, uni_member, operator):
    pp = pool["CN111000001B"]
    PoolPatent.objects.filter(pk=pp.pk).update(contact_name="王", contact_phone="0471-6575000")
    data = login(bob).get(f"{API}/pool/{pp.pk}").json()
    assert [p["factor"] for p in data["score_parts"]] == list(FACTORS)
    assert sum(Decimal(p["points"]) for p in data["score_parts"]) == Decimal(data["score"])
    assert data["contact"] is None and data["holder_side"] is False and data["regrading"] is False
    assert Operation.objects.filter(kind=OperationKind.VIEW, user=bob, pool_patent=pp).count() == 1
    for user in (uni_member, operator):
        assert login(user).get(f"{API}/pool/{pp.pk}").json()["contact"] == {"name": "王", "phone": "0471-6575000"}


def test_the_holder_patches_its_listing_a_stranger_is_refused(pool, uni_member, bob):
    pp = pool["CN111000001B"]
    response = login(uni_member).patch(f"{API}/pool/{pp.pk}", {"modes": ["licence"], "asking_price": "88.80"},
                                       content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["modes"] == ["licence"] and response.json()["asking_price"] == "88.80"
    response = login(bob).patch(f"{API}/pool/{pp.pk}", {"description": "hacked"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    bad = login(uni_member).patch(f"{API}/pool/{pp.pk}", {"modes": ["barter"]}, content_type="application/json")
    assert bad.status_code == 400 and "modes" in str(bad.json()["fields"])
    pp.refresh_from_db()
    assert pp.description == "" and pp.modes == ["licence"]
    assert login(bob).put(f"{API}/pool/{pp.pk}", {}, content_type="application/json").status_code == 405


def test_a_withdrawn_patent_is_404_for_strangers_and_the_holder_relists_it(pool, uni_member, bob):
    pp = pool["CN111000002B"]
    holder = login(uni_member)
    assert holder.post(f"{API}/pool/{pp.pk}/withdraw").json()["status"] == "withdrawn"
    for path in (f"{API}/pool/{pp.pk}", f"{API}/pool/{pp.pk}/contacts"):
        assert login(bob).get(path).status_code == 404
    assert login(bob).post(f"{API}/pool/{pp.pk}/relist").status_code == 404
    assert holder.post(f"{API}/pool/{pp.pk}/withdraw").status_code == 409
    assert holder.post(f"{API}/pool/{pp.pk}/relist").json()["status"] == "listed"
    assert login(bob).post(f"{API}/pool/{pp.pk}/withdraw").status_code == 403


def test_evaluate_creates_then_updates_and_the_holder_may_not_rate(pool, alice, alice_org, uni_member, uni_org, bob,
                                                                  bob_org):
    pp = pool["CN111000002B"]
    client = login(alice)
    first = client.post(f"{API}/pool/{pp.pk}/evaluate", {"organization": alice_org.pk, "rating": 5, "comment": "好"},
                        content_type="application/json")
    assert first.status_code == 201, first.content
    market = next(p for p in first.json()["score_parts"] if p["factor"] == "market")
    assert market["value"] == 1.0 and first.json()["rating_mean"] == 5
    again = client.post(f"{API}/pool/{pp.pk}/evaluate", {"organization": alice_org.pk, "rating": 3},
                        content_type="application/json")
    assert again.status_code == 200 and MarketEvaluation.objects.count() == 1
    own = login(uni_member).post(f"{API}/pool/{pp.pk}/evaluate", {"organization": uni_org.pk, "rating": 5},
                                 content_type="application/json")
    assert own.status_code == 403 and own.json()["code"] == "own_patent"
    other = login(bob).post(f"{API}/pool/{pp.pk}/evaluate", {"organization": alice_org.pk, "rating": 1},
                            content_type="application/json")
    assert other.status_code == 400 and other.json()["code"] == "unknown_organization"
    bad = client.post(f"{API}/pool/{pp.pk}/evaluate", {"organization": alice_org.pk, "rating": 9},
                      content_type="application/json")
    assert bad.status_code == 400 and "rating" in bad.json()["fields"]
    assert MarketEvaluation.objects.get().rating == 3


def test_contact_and_reply_through_the_api(pool, alice, alice_org, uni_member, bob):
    pp = pool["CN111000005B"]
    client = login(alice)
    sent = client.post(f"{API}/pool/{pp.pk}/contacts", {"message": "可否许可？", "organization": alice_org.pk},
                       content_type="application/json")
    assert sent.status_code == 201, sent.content
    replay = client.post(f"{API}/pool/{pp.pk}/contacts", {"message": "可否许可？", "organization": alice_org.pk},
                         content_type="application/json")
    assert replay.status_code == 200 and replay.json()["id"] == sent.json()["id"]
    contact_id = sent.json()["id"]
    assert login(bob).get(f"{API}/pool/{pp.pk}/contacts").json() == []
    assert login(bob).get(f"{API}/pool-contacts").json()["results"] == []
    assert [c["id"] for c in login(uni_member).get(f"{API}/pool-contacts").json()["results"]] == [contact_id]
    assert login(bob).post(f"{API}/pool-contacts/{contact_id}/reply", {"reply": "x"},
                           content_type="application/json").status_code == 404
    assert login(alice).post(f"{API}/pool-contacts/{contact_id}/reply", {"reply": "x"},
                             content_type="application/json").status_code == 403
    answered = login(uni_member).post(f"{API}/pool-contacts/{contact_id}/reply", {"reply": "可以"},
                                      content_type="application/json")
    assert answered.status_code == 200 and answered.json()["reply"] == "可以"
    assert client.get(f"{API}/pool/{pp.pk}/contacts").json()[0]["reply"] == "可以"
    own = login(uni_member).post(f"{API}/pool/{pp.pk}/contacts", {"message": "hi"}, content_type="application/json")
    assert own.status_code == 403
    assert ContactRequest.objects.count() == 1


def test_grading_settings_read_by_everyone_changed_by_operators(pool, bob, operator):
    data = login(bob).get(f"{API}/grading/settings").json()
    assert data["version"] == 1 and sum(f["points"] for f in data["factors"]) == pytest.approx(100)
    body = {"weights": {**data["weights"], "market": 50}, "thresholds": {"A": 85, "B": 70, "C": 50},
            "evaluation_min_count": 2}
    refused = login(bob).put(f"{API}/grading/settings", body, content_type="application/json")
    assert refused.status_code == 403 and GradingConfig.current().version == 1
    response = login(operator).put(f"{API}/grading/settings", body, content_type="application/json")
    assert response.status_code == 200, response.content
    changed = response.json()
    assert changed["version"] == 2 and changed["stale"] == 6 and changed["job"]["status"] == "queued"
    job_execute(str(Job.objects.get(name=REGRADE_JOB).pk))
    assert login(bob).get(f"{API}/grading/settings").json()["stale"] == 0
    assert set(PoolPatent.objects.values_list("graded_version", flat=True)) == {2}
    bad = login(operator).put(f"{API}/grading/settings", {**body, "thresholds": {"A": 10, "B": 70, "C": 50}},
                              content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_settings"
    assert GradingConfig.current().version == 2


def test_a_regrading_patent_says_so(pool, operator, bob):
    login(operator).put(f"{API}/grading/settings", {"weights": {"claims": 1}, "thresholds": {"A": 80, "B": 65, "C": 50},
                                                    "evaluation_min_count": 1}, content_type="application/json")
    assert login(bob).get(f"{API}/pool/{pool['CN111000001B'].pk}").json()["regrading"] is True


def test_anonymous_requests_are_refused(pool):
    client = Client()
    for path in (f"{API}/pool", f"{API}/pool/{pool['CN111000001B'].pk}", f"{API}/grading/settings",
                 f"{API}/pool-contacts"):
        assert client.get(path).status_code in (401, 403)


def test_an_unknown_or_withdrawn_id_is_the_same_404(pool, bob, uni):
    pool_patent_withdraw(pool_patent=pool["CN111000006B"], user=uni)
    missing = login(bob).get(f"{API}/pool/999999")
    hidden = login(bob).get(f"{API}/pool/{pool['CN111000006B'].pk}")
    assert missing.status_code == hidden.status_code == 404 and missing.json()["code"] == hidden.json()["code"]

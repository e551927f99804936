"""A deal started from a pushed match (供需对接 → 交易): the enterprise interested in a
recommendation opens the deal from the match card, and the deal stays linked to the match;
a match of another patent, another enterprise or not pushed is refused. Also what the journey
in the browser found: date inputs filled in ISO (the browser ignores 2026/12/07), no inline
event handler (the CSP blocks them), the holder's link to its patent's demands."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from zhibao.conftest import login
from zhibao.core.services.cases import WorkflowError
from zhibao.pre_exam.tests.test_statistics import browser_date_inputs
from zhibao.revitalization.choices import Answer, DealState
from zhibao.revitalization.models import Deal
from zhibao.revitalization.services import matching
from zhibao.revitalization.services.deals import deal_start

from .test_demands import industries, var_dir  # noqa: F401 (fixtures)
from .test_matching_service import DEMAND_TITLE, pool, potato  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pushed(potato, operator):  # noqa: F811
    """The potato demand's best match, pushed to both sides."""
    first = potato.matches.order_by("rank").first()
    return matching.match_push(match=first, actor=operator)


def intent_url(match) -> str:
    return reverse("revitalization:pool_intent", args=[match.pool_patent_id]) + f"?match={match.pk}"


def test_the_interested_enterprise_opens_a_deal_from_the_match_card(pushed, alice, alice_org, uni):
    demand_page = reverse("revitalization:demand_detail", args=[pushed.demand_id])
    client = login(alice)
    assert f'id="intent-{pushed.pk}"' not in client.get(demand_page).content.decode()  # not interested yet
    matching.match_answer(match=pushed, user=alice, answer=Answer.INTERESTED)
    with translation.override("zh-hans"):
        html = client.get(demand_page).content.decode()
    assert f'href="{intent_url(pushed)}"' in html and "您已表示感兴趣" in html
    with translation.override("zh-hans"):
        form = client.get(intent_url(pushed)).content.decode()
    assert DEMAND_TITLE in form and "本次交易将关联该推荐" in form
    assert f'name="match" value="{pushed.pk}"' in form
    assert re.search(rf'<option value="{alice_org.pk}" selected>', form)
    response = client.post(intent_url(pushed), {"organization": alice_org.pk, "kind": "licence", "note": "",
                                                 "match": pushed.pk, "idempotency_key": "k-1"})
    deal = Deal.objects.get()
    assert response.status_code == 302 and deal.match == pushed and deal.buyer == alice_org
    # the card now leads to the deal, for the enterprise and for the holder
    assert f'data-deal="{deal.case.number}"' in client.get(demand_page).content.decode()
    holder_page = login(uni).get(reverse("revitalization:pool_patent_demands", args=[pushed.pool_patent_id]))
    assert f'data-deal="{deal.case.number}"' in holder_page.content.decode()
    deal_page = client.get(reverse("revitalization:deal_detail", args=[deal.case.number])).content.decode()
    assert 'id="deal-match"' in deal_page and pushed.demand.case.number in deal_page
    api = client.get(f"/api/v1/revitalization/deals/{deal.case.number}").json()
    assert api["match"] == pushed.pk


def test_a_stranger_or_the_holder_cannot_use_the_match(pushed, bob, uni):
    for user in (bob, uni):  # bob sees no pushed match of alice; the holder is not the enterprise side
        assert login(user).get(intent_url(pushed)).status_code == 404
    assert login(bob).get(reverse("revitalization:pool_intent", args=[pushed.pool_patent_id])
                          + "?match=99999999999999999999999").status_code == 404


def test_the_service_refuses_a_match_of_another_patent_or_enterprise(pushed, pool, alice, alice_org, bob,  # noqa: F811
                                                                    bob_org, operator):
    other = next(pp for pp in pool.values() if pp.pk != pushed.pool_patent_id and pp.holder_id != alice_org.pk)
    with pytest.raises(WorkflowError) as err:
        deal_start(pool_patent=other, buyer=alice_org, user=alice, kind="licence", match=pushed)
    assert err.value.code == "bad_match"
    from zhibao.accounts.services import organization_join

    organization_join(user=alice, join_code=bob_org.join_code)  # alice also belongs to bob's enterprise
    with pytest.raises(WorkflowError) as err:  # the patent is the university's: bob's may buy it, not from this match
        deal_start(pool_patent=pushed.pool_patent, buyer=bob_org, user=alice, kind="licence", match=pushed)
    assert err.value.code == "match_enterprise" and "organization" in err.value.fields
    suggested = pushed.demand.matches.exclude(pk=pushed.pk).first()
    with pytest.raises(WorkflowError) as err:
        deal_start(pool_patent=suggested.pool_patent, buyer=alice_org, user=alice, kind="licence", match=suggested)
    assert err.value.code == "bad_match"  # only a pushed match
    assert not Deal.objects.exists()


def test_the_api_starts_a_deal_from_a_match(pushed, alice, alice_org, bob, bob_org):
    body = {"pool_patent": pushed.pool_patent_id, "organization": alice_org.pk, "kind": "licence",
            "match": pushed.pk}
    created = login(alice).post("/api/v1/revitalization/deals", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["match"] == pushed.pk
    assert Deal.objects.get().match == pushed
    stranger = login(bob).post("/api/v1/revitalization/deals", {**body, "organization": bob_org.pk},
                               content_type="application/json")
    assert stranger.status_code == 404  # bob cannot see the match


def test_the_date_inputs_are_filled_in_iso_whatever_the_language(pushed, alice, alice_org, uni):
    """An <input type="date"> takes YYYY-MM-DD only: 2026/12/07 (the Chinese format) shows as
    empty and, the field being required, the browser refuses to submit the form."""
    deal, _ = deal_start(pool_patent=pushed.pool_patent, buyer=alice_org, user=alice, kind="licence", match=pushed)
    from zhibao.core.services.cases import case_transition

    case_transition(detail=deal, name="negotiate", actor=uni)
    today = timezone.localdate().isoformat()
    page = reverse("revitalization:deal_detail", args=[deal.case.number])
    with translation.override("zh-hans"):
        html = login(alice).get(page, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'name="signed_on" value="{today}"' in html and f'name="starts_on" value="{today}"' in html
    case_transition(detail=deal, name="sign", actor=alice, payload={
        "kind": "licence", "amount": "10", "signed_on": today, "starts_on": today, "ends_on": "2030-12-31"})
    with translation.override("zh-hans"):
        html = login(alice).get(page, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'name="recorded_on" value="{today}"' in html
    deal.refresh_from_db()
    assert deal.state == DealState.CONTRACTED


def test_every_date_input_of_revitalization_reads_iso():
    """The same for every form of the service (a date or date-time input the browser fills)."""
    inputs = dict(browser_date_inputs("zhibao.revitalization"))
    assert {"SignForm.signed_on", "RecordForm.recorded_on", "RoadshowForm.starts_at"} <= set(inputs)
    with translation.override("zh-hans"):
        shown = {name: widget.format_value(dt.datetime(2026, 12, 7, 9, 30)) for name, widget in inputs.items()}
    assert {name: value for name, value in shown.items() if not value.startswith("2026-12-07")} == {}


def test_no_template_of_revitalization_has_an_inline_event_handler():
    """The CSP (script-src 'self') blocks onchange="…" and the like: behaviour lives in static files."""
    folder = settings.BASE_DIR / "zhibao" / "revitalization" / "templates"
    offending = [str(p.relative_to(folder)) for p in folder.rglob("*.html")
                 if re.search(r"\son[a-z]+\s*=", p.read_text(encoding="utf-8"))]
    assert offending == []


def test_the_holder_and_the_operator_find_the_patents_demands(pushed, uni, alice, operator):
    url = reverse("revitalization:pool_patent", args=[pushed.pool_patent_id])
    link = reverse("revitalization:pool_patent_demands", args=[pushed.pool_patent_id])
    for user, shown in ((uni, True), (operator, True), (alice, False)):
        assert (f'href="{link}"' in login(user).get(url).content.decode()) is shown, user

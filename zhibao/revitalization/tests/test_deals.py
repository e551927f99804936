"""Deals (service RVT): intent → negotiation → contract → CNIPA recordal, or cancelled — every
step allowed and forbidden for every persona, the refusals, and the contract DOCX."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from zhibao.core.models import Notification
from zhibao.core.services.cases import WorkflowError, case_transition
from zhibao.revitalization.choices import DealKind, DealState
from zhibao.revitalization.models import Deal
from zhibao.revitalization.services.deals import deal_contract_docx, deal_start
from zhibao.revitalization.services.pool import pool_add

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def listed(corpus, uni_org, operator):
    return pool_add(patent=corpus["CN111000001B"], holder=uni_org, actor=operator)[0]


@pytest.fixture
def deal(listed, alice, alice_org):
    return deal_start(pool_patent=listed, buyer=alice_org, user=alice, kind=DealKind.LICENCE, note="想获得许可")[0]


SIGN = {"kind": "licence", "amount": "12.50", "signed_on": None, "starts_on": None, "ends_on": None}


def sign_payload(**extra):
    today = TODAY()
    return {**SIGN, "signed_on": today.isoformat(), "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=365 * 3)).isoformat(), **extra}


def bring_to(state, deal, people):
    steps = {DealState.NEGOTIATION: ["negotiate"], DealState.CONTRACTED: ["negotiate", "sign"],
             DealState.RECORDED: ["negotiate", "sign", "record"]}[state]
    payloads = {"sign": sign_payload(), "record": {"recordal_number": "2025990000123", "recorded_on": TODAY().isoformat()}}
    for name in steps:
        deal = case_transition(detail=deal, name=name, actor=people["operator"], payload=payloads.get(name))
    return deal


def test_an_intent_opens_a_case_with_the_holder_as_seller_and_tells_the_holder(uni_member, deal, alice, uni_org):
    assert deal.state == DealState.INTENT and deal.seller == uni_org and deal.case.service == "RVT"
    assert deal.case.applicant == alice and deal.case.organization == deal.buyer
    told = set(Notification.objects.filter(case=deal.case).values_list("recipient__username", flat=True))
    assert {"uni", "unimember"} <= told and "alice" not in told


def test_the_holder_cannot_buy_its_own_patent_and_one_open_deal_per_buyer(listed, deal, uni, uni_org, alice,
                                                                           alice_org):
    with pytest.raises(WorkflowError) as err:
        deal_start(pool_patent=listed, buyer=uni_org, user=uni, kind=DealKind.ASSIGNMENT)
    assert err.value.code == "own_patent"
    with pytest.raises(WorkflowError) as err:
        deal_start(pool_patent=listed, buyer=alice_org, user=alice, kind=DealKind.ASSIGNMENT)
    assert err.value.code == "duplicate_deal" and err.value.status == 409


def test_a_replayed_intent_creates_nothing(listed, alice, alice_org):
    first, created = deal_start(pool_patent=listed, buyer=alice_org, user=alice, kind="licence", idempotency_key="k1")
    again, created2 = deal_start(pool_patent=listed, buyer=alice_org, user=alice, kind="licence", idempotency_key="k1")
    assert created and not created2 and first.pk == again.pk and Deal.objects.count() == 1


def test_only_a_member_of_a_verified_buyer_and_an_offered_kind(listed, bob, alice_org, alice):
    with pytest.raises(WorkflowError) as err:
        deal_start(pool_patent=listed, buyer=alice_org, user=bob, kind="licence")
    assert err.value.status == 403
    with pytest.raises(WorkflowError) as err:
        deal_start(pool_patent=listed, buyer=alice_org, user=alice, kind="open_licence")
    assert err.value.code == "bad_kind"


ALLOWED = {"uni": True, "uni_member": True, "alice": True, "bob": False, "operator": True, "leader": False,
           "system": False}


@pytest.mark.parametrize("persona", list(ALLOWED))
@pytest.mark.parametrize(("name", "state"), [("negotiate", DealState.INTENT), ("cancel", DealState.INTENT),
                                             ("sign", DealState.NEGOTIATION), ("cancel", DealState.NEGOTIATION),
                                             ("record", DealState.CONTRACTED), ("cancel", DealState.CONTRACTED)])
def test_every_transition_for_every_persona(persona, name, state, deal, people):
    if state != DealState.INTENT:
        deal = bring_to(state, deal, people)
    payload = {"sign": sign_payload(), "record": {"recordal_number": "2025990000123",
                                                  "recorded_on": TODAY().isoformat()}}.get(name)
    actor = people[persona]
    if ALLOWED[persona]:
        moved = case_transition(detail=deal, name=name, actor=actor, comment="理由", payload=payload)
        assert moved.state == {"negotiate": DealState.NEGOTIATION, "sign": DealState.CONTRACTED,
                               "record": DealState.RECORDED, "cancel": DealState.CANCELLED}[name]
    else:
        with pytest.raises(WorkflowError) as err:
            case_transition(detail=deal, name=name, actor=actor, comment="理由", payload=payload)
        assert err.value.code == "forbidden"
        assert Deal.objects.get(pk=deal.pk).state == state


@pytest.mark.parametrize(("name", "state"), [("sign", DealState.INTENT), ("record", DealState.NEGOTIATION),
                                             ("negotiate", DealState.CONTRACTED), ("cancel", DealState.RECORDED)])
def test_steps_out_of_order_are_refused(name, state, deal, people):
    if state != DealState.INTENT:
        deal = bring_to(state, deal, people)
    with pytest.raises(WorkflowError) as err:
        case_transition(detail=deal, name=name, actor=people["operator"], comment="x", payload=sign_payload())
    assert err.value.code == "transition_not_allowed"


@pytest.mark.parametrize(("payload", "code", "field"), [
    ({"amount": ""}, "bad_amount", "amount"),
    ({"amount": "0"}, "bad_amount", "amount"),
    ({"amount": "-3"}, "bad_amount", "amount"),
    ({"signed_on": ""}, "incomplete", "signed_on"),
    ({"signed_on": "2099-01-01"}, "date_in_future", "signed_on"),
    ({"signed_on": "yesterday"}, "bad_date", "signed_on"),
    ({"ends_on": ""}, "incomplete", "ends_on"),
    ({"ends_on": "2000-01-01"}, "bad_term", "ends_on"),
    ({"kind": "joint"}, "bad_kind", "kind"),
])
def test_signing_refusals_store_nothing(payload, code, field, deal, people):
    deal = bring_to(DealState.NEGOTIATION, deal, people)
    with pytest.raises(WorkflowError) as err:
        case_transition(detail=deal, name="sign", actor=people["alice"], payload=sign_payload(**payload))
    assert err.value.code == code and field in err.value.fields
    again = Deal.objects.get(pk=deal.pk)
    assert again.state == DealState.NEGOTIATION and again.amount is None
    assert not again.case.attachments.exists()


def test_a_free_deal_and_an_assignment_without_a_term(deal, people):
    deal = bring_to(DealState.NEGOTIATION, deal, people)
    signed = case_transition(detail=deal, name="sign", actor=people["uni"],
                             payload={"kind": "assignment", "amount": "", "free": True,
                                      "signed_on": TODAY().isoformat()})
    assert signed.kind == DealKind.ASSIGNMENT and signed.amount == 0 and signed.ends_on is None


def test_signing_keeps_the_filled_contract_and_recording_needs_number_and_date(deal, people):
    from docx import Document

    signed = bring_to(DealState.CONTRACTED, deal, people)
    contract = signed.case.attachments.get(kind="rv_contract")
    assert contract.original_name.endswith(".docx")
    with contract.file.open("rb") as fh:
        text = "\n".join(p.text for p in Document(fh).paragraphs)
    assert "人民币 12.50 万元" in text and signed.case.number in text
    for payload, code in (({"recorded_on": TODAY().isoformat()}, "incomplete"),
                          ({"recordal_number": "X1", "recorded_on": "2099-01-01"}, "date_in_future"),
                          ({"recordal_number": "X1", "recorded_on": (TODAY() - dt.timedelta(days=30)).isoformat()},
                           "bad_date")):
        with pytest.raises(WorkflowError) as err:
            case_transition(detail=signed, name="record", actor=people["alice"], payload=payload)
        assert err.value.code == code
    recorded = case_transition(detail=signed, name="record", actor=people["alice"],
                               payload={"recordal_number": "2025990000123", "recorded_on": TODAY().isoformat()})
    assert recorded.state == DealState.RECORDED and recorded.recordal_number == "2025990000123"


def test_the_contract_docx_names_the_parties_the_patent_and_the_amount(deal, people, uni_org, alice_org):
    from docx import Document

    signed = bring_to(DealState.CONTRACTED, deal, people)
    doc = Document(io.BytesIO(deal_contract_docx(signed)))
    text = "\n".join([p.text for p in doc.paragraphs]
                     + [c.text for t in doc.tables for row in t.rows for c in row.cells])
    for words in ("专利实施许可合同", uni_org.name, uni_org.uscc, uni_org.address, alice_org.name, alice_org.uscc,
                  alice_org.address, "CN111000001B", "一种烧结钕铁硼稀土永磁材料的制备方法", "人民币 12.50 万元",
                  signed.case.number, f"{TODAY().year}年"):
        assert words in text, words


def test_cancelling_needs_a_reason_and_tells_the_holder(deal, people):
    with pytest.raises(WorkflowError) as err:
        case_transition(detail=deal, name="cancel", actor=people["alice"])
    assert err.value.code == "comment_required"
    cancelled = case_transition(detail=deal, name="cancel", actor=people["alice"], comment="预算调整")
    assert cancelled.state == DealState.CANCELLED and "预算调整" in cancelled.note and "想获得许可" in cancelled.note
    assert Notification.objects.filter(recipient=people["uni"], body__contains="预算调整").exists()

"""Open licences (service RVL, 专利法 第五十条至第五十二条): declaration rules, every step for every
persona, taking a licence in one step, withdrawal, and the public list."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from zhibao.core.models import Notification
from zhibao.core.pdf import font_path, simple_letter_pdf
from zhibao.core.services.cases import WorkflowError, case_transition
from zhibao.revitalization.choices import DealKind, DealState, FeeMethod, OpenLicenceState
from zhibao.revitalization.models import Deal, OpenLicence, OpenLicenceGrant
from zhibao.revitalization.services.deals import deal_start
from zhibao.revitalization.services.licences import licence_end, open_licence_declare, open_licence_take
from zhibao.revitalization.services.pool import pool_add

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(font_path() is None, reason="no CJK font on this machine (fonts-noto-cjk)")]
L = OpenLicenceState


def report_pdf(name="评价报告.pdf"):
    content = simple_letter_pdf(title="专利权评价报告", body="结论：全部权利要求未发现不符合授予专利权条件的缺陷。",
                                center_name="国家知识产权局", issued_on=dt.date(2024, 5, 1))
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def invention(corpus, uni_org, operator):
    return pool_add(patent=corpus["CN111000001B"], holder=uni_org, actor=operator)[0]


@pytest.fixture
def utility(corpus, uni_org, operator):
    return pool_add(patent=corpus["CN211000003U"], holder=uni_org, actor=operator)[0]


def declare(pool_patent, user, **extra):
    values = {"fee_method": FeeMethod.LUMP_SUM, "lump_sum": "8", "term_years": 3, "terms": "仅限内蒙古境内实施", **extra}
    return open_licence_declare(pool_patent=pool_patent, user=user, **values)[0]


@pytest.fixture
def declared(invention, uni):
    return declare(invention, uni)


@pytest.fixture
def published(declared, operator):
    return case_transition(detail=declared, name="publish", actor=operator)


def test_a_declaration_is_a_case_of_the_holder(declared, uni, uni_org):
    assert declared.state == L.SUBMITTED and declared.case.service == "RVL" and declared.holder == uni_org
    assert declared.case.organization == uni_org and declared.case.applicant == uni


def test_a_utility_model_needs_its_evaluation_report(utility, uni):
    with pytest.raises(WorkflowError) as err:
        declare(utility, uni)
    assert err.value.code == "evaluation_report_required" and "evaluation_report" in err.value.fields
    assert "第五十条" in err.value.message and not OpenLicence.objects.exists()
    ol = declare(utility, uni, evaluation_report=report_pdf())
    assert ol.case.attachments.filter(kind="rv_evaluation_report").count() == 1


@pytest.mark.parametrize(("extra", "code"), [
    ({"fee_method": FeeMethod.LUMP_SUM, "lump_sum": None}, "lump_sum_required"),
    ({"fee_method": FeeMethod.ROYALTY, "lump_sum": None}, "royalty_required"),
    ({"fee_method": FeeMethod.ROYALTY, "royalty_rate": "120"}, "royalty_required"),
    ({"fee_method": FeeMethod.LUMP_SUM_AND_ROYALTY, "royalty_rate": "3"}, None),
    ({"fee_method": FeeMethod.LUMP_SUM_AND_ROYALTY, "lump_sum": None, "royalty_rate": "3"}, "lump_sum_required"),
    ({"term_years": 0}, "bad_term"),
    ({"term_years": 21}, "bad_term"),
    ({"fee_method": "barter"}, "bad_fee_method"),
])
def test_the_fee_as_the_method_requires(extra, code, invention, uni):
    if code is None:
        ol = declare(invention, uni, **extra)
        assert ol.lump_sum == 8 and ol.royalty_rate == 3
        return
    with pytest.raises(WorkflowError) as err:
        declare(invention, uni, **extra)
    assert err.value.code == code and not OpenLicence.objects.exists()


def test_a_royalty_only_licence_keeps_no_lump_sum(invention, uni):
    ol = declare(invention, uni, fee_method=FeeMethod.ROYALTY, lump_sum="5", royalty_rate="2.5")
    assert ol.lump_sum is None and ol.royalty_rate == 2.5


def test_only_the_holder_declares_once_a_patent_in_force(invention, corpus, uni_org, operator, alice, uni, declared):
    with pytest.raises(WorkflowError) as err:
        declare(invention, alice)
    assert err.value.status == 403
    with pytest.raises(WorkflowError) as err:
        declare(invention, uni)
    assert err.value.code == "duplicate_declaration"
    pending = pool_add(patent=corpus["CN111000004A"], holder=uni_org, actor=operator)[0]
    with pytest.raises(WorkflowError) as err:
        declare(pending, uni)
    assert err.value.code == "not_granted"


def test_a_patent_under_a_signed_licence_cannot_be_declared(invention, uni, alice, alice_org, operator):
    deal = deal_start(pool_patent=invention, buyer=alice_org, user=alice, kind=DealKind.LICENCE)[0]
    today = timezone.localdate()
    case_transition(detail=deal, name="negotiate", actor=operator)
    case_transition(detail=deal, name="sign", actor=operator, payload={
        "kind": "licence", "amount": "20", "signed_on": today.isoformat(), "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=700)).isoformat()})
    with pytest.raises(WorkflowError) as err:
        declare(invention, uni)
    assert err.value.code == "licensed_exclusively" and deal.case.number in err.value.message


ALLOWED = {
    # (transition, state before): personas allowed
    ("publish", L.SUBMITTED): {"operator"},
    ("return_for_correction", L.SUBMITTED): {"operator"},
    ("resubmit", L.RETURNED): {"uni", "uni_member"},
    ("withdraw", L.SUBMITTED): {"uni", "uni_member"},
    ("withdraw", L.RETURNED): {"uni", "uni_member"},
    ("withdraw", L.PUBLISHED): {"uni", "uni_member"},
}


def bring_to(state, ol, people):
    if state == L.RETURNED:
        return case_transition(detail=ol, name="return_for_correction", actor=people["operator"], comment="补充条件")
    if state == L.PUBLISHED:
        return case_transition(detail=ol, name="publish", actor=people["operator"])
    return ol


@pytest.mark.parametrize("persona", ["uni", "uni_member", "alice", "bob", "operator", "leader", "system"])
@pytest.mark.parametrize(("name", "state"), list(ALLOWED))
def test_every_step_for_every_persona(persona, name, state, declared, people):
    ol = bring_to(state, declared, people)
    if persona in ALLOWED[(name, state)]:
        moved = case_transition(detail=ol, name=name, actor=people[persona], comment="理由")
        assert moved.state != state
    else:
        with pytest.raises(WorkflowError) as err:
            case_transition(detail=ol, name=name, actor=people[persona], comment="理由")
        assert err.value.code == "forbidden"
        assert OpenLicence.objects.get(pk=ol.pk).state == state


@pytest.mark.parametrize(("name", "state"), [("publish", L.PUBLISHED), ("resubmit", L.SUBMITTED),
                                             ("publish", L.WITHDRAWN), ("return_for_correction", L.RETURNED)])
def test_steps_out_of_order(name, state, declared, people):
    ol = bring_to(state, declared, people) if state != L.WITHDRAWN else case_transition(
        detail=declared, name="withdraw", actor=people["uni"])
    with pytest.raises(WorkflowError) as err:
        case_transition(detail=ol, name=name, actor=people["operator"], comment="x")
    assert err.value.code == "transition_not_allowed"


def test_taking_a_licence_in_one_step(published, alice, alice_org, uni, uni_member):
    grant = open_licence_take(open_licence=published, licensee=alice_org, user=alice)
    today = timezone.localdate()
    assert grant.granted_on == today and grant.ends_on == licence_end(today, 3) and grant.ends_on > today
    deal = Deal.objects.get(open_licence=published, buyer=alice_org)
    assert deal.kind == DealKind.OPEN_LICENCE and deal.state == DealState.CONTRACTED and deal.amount == 8
    assert deal.seller == published.holder and deal.signed_on == today and deal.case.status == DealState.CONTRACTED
    assert grant.notice.case == deal.case and grant.notice.kind == "rv_notice"
    with grant.notice.file.open("rb") as fh:
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages).replace("\x00", "")
    for words in ("专利开放许可实施通知书", alice_org.name, published.holder.name, "CN111000001B", deal.case.number,
                  "8.00 万元"):
        assert words in text, words
    told = set(Notification.objects.filter(case=deal.case).values_list("recipient__username", flat=True))
    assert {"uni", "unimember", "alice"} <= told


def test_a_licence_is_taken_once_never_by_the_holder_and_only_when_published(declared, published, alice, alice_org,
                                                                             uni, uni_org, bob, bob_org):
    with pytest.raises(WorkflowError) as err:
        open_licence_take(open_licence=published, licensee=uni_org, user=uni)
    assert err.value.code == "own_patent"
    open_licence_take(open_licence=published, licensee=alice_org, user=alice)
    with pytest.raises(WorkflowError) as err:
        open_licence_take(open_licence=published, licensee=alice_org, user=alice)
    assert err.value.code == "already_taken" and OpenLicenceGrant.objects.count() == 1
    with pytest.raises(WorkflowError) as err:
        open_licence_take(open_licence=published, licensee=alice_org, user=bob)
    assert err.value.status == 403


def test_an_unpublished_declaration_cannot_be_taken(declared, alice, alice_org):
    with pytest.raises(WorkflowError) as err:
        open_licence_take(open_licence=declared, licensee=alice_org, user=alice)
    assert err.value.code == "not_published" and not Deal.objects.exists()


def test_withdrawal_stops_new_licences_and_leaves_granted_ones_valid(published, alice, alice_org, bob, bob_org, uni):
    grant = open_licence_take(open_licence=published, licensee=alice_org, user=alice)
    withdrawn = case_transition(detail=published, name="withdraw", actor=uni, comment="转为独占许可")
    assert withdrawn.state == L.WITHDRAWN and withdrawn.withdrawn_at is not None
    with pytest.raises(WorkflowError) as err:
        open_licence_take(open_licence=withdrawn, licensee=bob_org, user=bob)
    assert err.value.code == "withdrawn"
    grant.refresh_from_db()
    deal = Deal.objects.get(open_licence=published, buyer=alice_org)
    assert grant.ends_on >= timezone.localdate() and deal.state == DealState.CONTRACTED
    assert OpenLicenceGrant.objects.filter(open_licence=published).count() == 1


def test_a_returned_declaration_is_corrected_and_resubmitted(declared, people, uni):
    from zhibao.revitalization.services.licences import open_licence_update

    returned = bring_to(L.RETURNED, declared, people)
    assert returned.decision_reason == "补充条件"
    with pytest.raises(WorkflowError) as err:
        open_licence_update(open_licence=returned, user=people["alice"], fee_method=FeeMethod.LUMP_SUM, lump_sum="9",
                            term_years=2)
    assert err.value.status == 403
    open_licence_update(open_licence=returned, user=uni, fee_method=FeeMethod.LUMP_SUM, lump_sum="9", term_years=2)
    again = case_transition(detail=OpenLicence.objects.get(pk=declared.pk), name="resubmit", actor=uni)
    assert again.state == L.SUBMITTED and again.lump_sum == 9 and again.term_years == 2

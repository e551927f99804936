"""优先审查推荐 (service PER): every transition allowed and forbidden for every persona, the
yearly quota per field (the last place taken once, a fresh quota next year), CNIPA's answer
with its date, and the refusals at intake."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from zhibao.core.models import Attachment, Case, CaseEvent, Notification
from zhibao.core.services.cases import WorkflowError, case_transition
from zhibao.core.workdays import add_working_days
from zhibao.pre_exam.choices import PriorityGround
from zhibao.pre_exam.choices import PriorityState as P
from zhibao.pre_exam.models import PriorityRequest
from zhibao.pre_exam.services.priority import priority_submit, quota_left, quota_used

from .conftest import pdf_upload
from .test_workflow import application_number, bring_to, check_char_wrong, rolled_back

pytestmark = pytest.mark.django_db

PERSONAS = ("alice", "bob", "examiner", "examiner2", "bio", "field_lead", "clerk", "leader", "system")
STAFF = {"examiner", "examiner2", "field_lead"}
TRANSITIONS = {
    "accept": ({P.SUBMITTED}, STAFF),
    "recommend": ({P.IN_REVIEW}, STAFF),
    "decline": ({P.IN_REVIEW}, STAFF),
    "record_accepted": ({P.RECOMMENDED}, STAFF),
    "record_refused": ({P.RECOMMENDED}, STAFF),
    "withdraw": ({P.SUBMITTED, P.IN_REVIEW}, {"alice"}),
}
TARGET = {"accept": P.IN_REVIEW, "recommend": P.RECOMMENDED, "decline": P.NOT_RECOMMENDED,
          "record_accepted": P.ACCEPTED, "record_refused": P.REFUSED, "withdraw": P.WITHDRAWN}
PATH_TO = {
    P.SUBMITTED: [], P.IN_REVIEW: ["accept"], P.RECOMMENDED: ["accept", "recommend"],
    P.NOT_RECOMMENDED: ["accept", "decline"], P.ACCEPTED: ["accept", "recommend", "record_accepted"],
    P.REFUSED: ["accept", "recommend", "record_refused"], P.WITHDRAWN: ["withdraw"],
}
CLOSED = {P.NOT_RECOMMENDED, P.ACCEPTED, P.REFUSED, P.WITHDRAWN}
TIME_LIMITS = {P.SUBMITTED: 5, P.IN_REVIEW: 10}
COMMENTS = {"decline": "不属于重点产业", "record_refused": "国家知识产权局未同意", "recommend": "符合第三条第（一）项"}






def request_for(alice, org, fields, **overrides):
    values = {"user": alice, "organization": org, "application_number": application_number(),
              "title": "一种高矫顽力钕铁硼永磁材料", "field": fields["new_materials"], "ground": PriorityGround.KEY_INDUSTRY,
              "ground_detail": "属于自治区重点发展的稀土新材料产业", "search_report": pdf_upload("report.pdf")}
    values.update(overrides)
    return priority_submit(**values)[0]


def take(request, name, who, people, **kwargs):
    kwargs.setdefault("comment", COMMENTS.get(name, ""))
    return case_transition(detail=request, name=name, actor=people[who], **kwargs)


def advance(state, request, people):
    for name in PATH_TO[state]:
        request = take(request, name, "alice" if name == "withdraw" else "examiner", people)
    assert request.state == state
    return request


def snapshot(request):
    case = Case.objects.get(pk=request.case_id)
    return (PriorityRequest.objects.get(pk=request.pk).state, PriorityRequest.objects.get(pk=request.pk).year,
            case.status, case.assignee_id, case.deadline, CaseEvent.objects.filter(case=case).count(),
            Notification.objects.count())


@pytest.mark.parametrize("state", list(P), ids=[s.value for s in P])
def test_every_priority_transition_allowed_and_forbidden_for_every_persona(state, people, alice, alice_filed, fields):
    request = advance(state, request_for(alice, alice_filed, fields), people)
    before = snapshot(request)
    for name, (sources, allowed) in TRANSITIONS.items():
        for who in PERSONAS:
            if state in sources and who in allowed:
                with rolled_back():
                    events = CaseEvent.objects.filter(case=request.case_id).count()
                    last_note = Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0
                    result = take(request, name, who, people)
                    case = Case.objects.get(pk=request.case_id)
                    assert result.state == case.status == TARGET[name]
                    assert CaseEvent.objects.filter(case=case).count() == events + 1
                    event = CaseEvent.objects.filter(case=case).latest("id")
                    assert (event.transition, event.from_state, event.to_state, event.actor) == (
                        name, state, TARGET[name], people[who])
                    if TARGET[name] in CLOSED:
                        assert case.closed_at is not None and case.deadline is None
                    else:
                        assert case.closed_at is None
                        limit = TIME_LIMITS.get(TARGET[name])
                        assert case.deadline == (add_working_days(timezone.localdate(), limit) if limit else None)
                    if name == "accept":
                        assert case.assignee == people[who]
                    if name == "recommend":
                        assert result.year == timezone.localdate().year
                    if name in ("record_accepted", "record_refused"):
                        assert result.cnipa_decided_on == timezone.localdate()
                    told = {n.recipient for n in Notification.objects.filter(pk__gt=last_note)}
                    assert (people["alice"] in told) == (who != "alice") and people[who] not in told
            else:
                with pytest.raises(WorkflowError) as err:
                    take(request, name, who, people)
                assert err.value.code == ("forbidden" if state in sources else "transition_not_allowed"), (name, who)
            assert snapshot(request) == before, (name, who)


@pytest.mark.parametrize("name", ["decline", "record_refused"])
def test_refusals_need_a_reason(name, people, alice, alice_filed, fields):
    request = advance(P.IN_REVIEW if name == "decline" else P.RECOMMENDED, request_for(alice, alice_filed, fields),
                      people)
    with pytest.raises(WorkflowError) as err:
        take(request, name, "examiner", people, comment="")
    assert err.value.code == "comment_required"


# --- the quota -------------------------------------------------------------------------------

def in_review(alice, org, fields, people, n, field="new_materials"):
    return [advance(P.IN_REVIEW, request_for(alice, org, fields, field=fields[field]), people) for _ in range(n)]


def test_the_yearly_quota_of_a_field_is_enforced(people, alice, alice_filed, fields):
    materials = fields["new_materials"]
    materials.priority_quota = 2
    materials.save()
    first, second, third = in_review(alice, alice_filed, fields, people, 3)
    take(first, "recommend", "examiner", people)
    take(second, "recommend", "examiner2", people)
    assert quota_used(materials, timezone.localdate().year) == 2 and quota_left(materials) == 0
    with pytest.raises(WorkflowError) as err:
        take(third, "recommend", "field_lead", people)
    assert err.value.code == "quota_exhausted"
    assert "新材料" in err.value.message and "2" in err.value.message
    third = PriorityRequest.objects.get(pk=third.pk)
    assert third.state == P.IN_REVIEW and third.year is None
    # CNIPA's answer does not give the place back: a refused recommendation was still made
    take(first, "record_refused", "examiner", people)
    assert quota_left(materials) == 0
    # another field has its own quota
    other = in_review(alice, alice_filed, fields, people, 1, field="new_energy")[0]
    assert take(other, "recommend", "examiner", people).state == P.RECOMMENDED


def test_next_year_the_quota_is_fresh(people, alice, alice_filed, fields):
    materials = fields["new_materials"]
    materials.priority_quota = 2
    materials.save()
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 12, 30, 10)), tick=False):
        first, second, third = in_review(alice, alice_filed, fields, people, 3)
        take(first, "recommend", "examiner", people)
        take(second, "recommend", "examiner", people)
        with pytest.raises(WorkflowError) as err:
            take(third, "recommend", "examiner", people)
        assert err.value.code == "quota_exhausted"
    with time_machine.travel(timezone.make_aware(dt.datetime(2027, 1, 4, 9)), tick=False):
        assert quota_left(materials) == 2
        third = take(third, "recommend", "examiner", people)
        assert third.state == P.RECOMMENDED and third.year == 2027
        assert quota_left(materials) == 1 and quota_left(materials, 2026) == 0


def test_a_decline_does_not_use_the_quota(people, alice, alice_filed, fields):
    materials = fields["new_materials"]
    materials.priority_quota = 2
    materials.save()
    declined, first, second = in_review(alice, alice_filed, fields, people, 3)
    take(declined, "decline", "examiner", people)
    withdrawn = in_review(alice, alice_filed, fields, people, 1)[0]
    take(withdrawn, "withdraw", "alice", people)
    assert quota_left(materials) == 2
    take(first, "recommend", "examiner", people)
    take(second, "recommend", "examiner", people)
    assert PriorityRequest.objects.get(pk=declined.pk).year is None and quota_left(materials) == 0


# --- CNIPA's answer --------------------------------------------------------------------------

def test_cnipas_answer_is_recorded_with_its_date(people, alice, alice_filed, fields):
    accepted = advance(P.RECOMMENDED, request_for(alice, alice_filed, fields), people)
    day = timezone.localdate() - dt.timedelta(days=3)
    accepted = take(accepted, "record_accepted", "field_lead", people, payload={"cnipa_decided_on": day.isoformat()})
    assert accepted.state == P.ACCEPTED and accepted.cnipa_decided_on == day
    refused = advance(P.RECOMMENDED, request_for(alice, alice_filed, fields), people)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    for bad, code in ((tomorrow, "future_date"), ("30/02/2026", "bad_date")):
        with pytest.raises(WorkflowError) as err:
            take(refused, "record_refused", "examiner", people, payload={"cnipa_decided_on": bad})
        assert err.value.code == code and "cnipa_decided_on" in err.value.fields
        assert PriorityRequest.objects.get(pk=refused.pk).state == P.RECOMMENDED
    refused = take(refused, "record_refused", "examiner", people)
    # the date defaults to today; the center's reason stays, CNIPA's is the event's comment
    assert refused.cnipa_decided_on == timezone.localdate() and refused.decision_reason == COMMENTS["recommend"]
    assert refused.case.events.latest("id").comment == COMMENTS["record_refused"]


# --- intake ----------------------------------------------------------------------------------

def test_a_request_opens_a_case_with_its_search_report(people, alice, alice_filed, fields):
    request = request_for(alice, alice_filed, fields, application_number="202610012345")
    assert request.application_number.startswith("CN202610012345.")
    assert request.state == P.SUBMITTED and request.case.service == "PER" and request.pre_exam_case is None
    assert Attachment.objects.get(case=request.case).kind == "pe_search_report"
    assert Notification.objects.filter(recipient=people["examiner"], case=request.case).exists()


def test_a_request_is_linked_to_the_pre_examination_case(people, alice, alice_filed, fields, alice_pe):
    detail = bring_to("filed", alice_pe, people)
    request = request_for(alice, alice_filed, fields, application_number=detail.cnipa_application_number, title="")
    assert request.pre_exam_case == detail and request.title == detail.title


@pytest.mark.parametrize(("override", "code"), [
    ({}, "bad_number"),
    ({"ground": "friendship"}, "bad_ground"),
    ({"field": None}, "no_field"),
    ({"ground_detail": "  "}, "incomplete"),
    ({"search_report": None}, "report_required"),
])
def test_incomplete_requests_are_refused(override, code, alice, alice_filed, fields):
    if code == "bad_number":  # a wrong check character
        override = {"application_number": check_char_wrong(application_number())}
    with pytest.raises(WorkflowError) as err:
        request_for(alice, alice_filed, fields, **override)
    assert err.value.code == code
    assert not Case.objects.filter(service="PER").exists() and not Attachment.objects.filter(
        case__service="PER").exists()


def test_one_open_request_per_application(people, alice, alice_filed, bob, fields):
    number = application_number()
    first = request_for(alice, alice_filed, fields, application_number=number)
    with pytest.raises(WorkflowError) as err:
        request_for(alice, alice_filed, fields, application_number=number)
    assert err.value.code == "duplicate_request"
    take(first, "accept", "examiner", people)
    take(first, "decline", "examiner", people)
    assert request_for(alice, alice_filed, fields, application_number=number).state == P.SUBMITTED


def test_only_a_member_asks(alice_filed, bob, fields):
    with pytest.raises(WorkflowError) as err:
        request_for(bob, alice_filed, fields)
    assert err.value.code == "forbidden"


def test_a_replayed_request_returns_the_first(alice, alice_filed, fields):
    number = application_number()
    first = request_for(alice, alice_filed, fields, application_number=number, idempotency_key="per-1")
    again = request_for(alice, alice_filed, fields, application_number=number, idempotency_key="per-1")
    assert again.pk == first.pk and Case.objects.filter(service="PER").count() == 1

"""The pre-examination case's workflow (service PE): every transition allowed and forbidden for
every persona, what each step writes (event, index row, notice, letter, notification), the
automatic assignment and the payload checks.

The personas: alice (the applicant), bob (another applicant), `examiner` (the examiner the
case is assigned to), `examiner2` (another examiner of the same field), `bio` (an examiner of
another field only), `field_lead` (leads every field), a clerk, a leader and the platform
itself (`None`).
"""

import contextlib

import pytest
from django.db import transaction
from django.utils import timezone

from zhibao.accounts.services import organization_join
from zhibao.conftest import make_user
from zhibao.core.choices import Role
from zhibao.core.models import Attachment, Case, CaseEvent, Notification
from zhibao.core.services.cases import WorkflowError, case_transition
from zhibao.core.workdays import add_working_days
from zhibao.patents.choices import PatentType
from zhibao.patents.normalize import application_check_char, normalize_application_number
from zhibao.pre_exam.choices import PRE_EXAM_CLOSED_STATES, NoticeKind, NoticeStatus
from zhibao.pre_exam.choices import PreExamState as S
from zhibao.pre_exam.models import PreExamCase, PreExamConfig

pytestmark = pytest.mark.django_db

PERSONAS = ("alice", "bob", "examiner", "examiner2", "bio", "field_lead", "clerk", "leader", "system")
FIELD_STAFF = {"examiner", "examiner2", "field_lead"}

# transition -> (source states, the personas who may take it there)
TRANSITIONS = {
    "pass_formal_check": ({S.SUBMITTED}, FIELD_STAFF),
    "fail_formal_check": ({S.SUBMITTED}, FIELD_STAFF),
    "reassign": ({S.ASSIGNED, S.EXAMINING, S.CORRECTION}, {"field_lead"}),
    "start_examination": ({S.ASSIGNED}, {"examiner"}),
    "request_correction": ({S.EXAMINING}, {"examiner"}),
    "reply": ({S.FORMAL_CORRECTION, S.CORRECTION}, {"alice"}),
    "withdraw_unanswered": ({S.FORMAL_CORRECTION, S.CORRECTION}, {"system"}),
    "qualify": ({S.EXAMINING}, {"examiner"}),
    "disqualify": ({S.EXAMINING}, {"examiner"}),
    "record_filing": ({S.QUALIFIED}, {"alice"} | FIELD_STAFF),
    "lapse": ({S.QUALIFIED}, {"system"}),
    "record_grant": ({S.FILED}, FIELD_STAFF | {"system"}),
    "record_rejection": ({S.FILED}, FIELD_STAFF),
    "withdraw": ({S.SUBMITTED, S.FORMAL_CORRECTION, S.ASSIGNED, S.EXAMINING, S.CORRECTION, S.QUALIFIED}, {"alice"}),
}


def target_of(name, source):
    return {
        "pass_formal_check": S.ASSIGNED, "fail_formal_check": S.FORMAL_CORRECTION, "reassign": source,
        "start_examination": S.EXAMINING, "request_correction": S.CORRECTION,
        "reply": S.SUBMITTED if source == S.FORMAL_CORRECTION else S.EXAMINING,
        "withdraw_unanswered": S.WITHDRAWN, "qualify": S.QUALIFIED, "disqualify": S.NOT_QUALIFIED,
        "record_filing": S.FILED, "lapse": S.LAPSED, "record_grant": S.GRANTED, "record_rejection": S.REJECTED,
        "withdraw": S.WITHDRAWN,
    }[name]


# How a case reaches each state, step by step, with the persona who takes each step.
PATH_TO = {
    S.SUBMITTED: [],
    S.FORMAL_CORRECTION: [("fail_formal_check", "examiner2")],
    S.ASSIGNED: [("pass_formal_check", "field_lead")],
    S.EXAMINING: [("pass_formal_check", "field_lead"), ("start_examination", "examiner")],
    S.CORRECTION: [("pass_formal_check", "field_lead"), ("start_examination", "examiner"),
                   ("request_correction", "examiner")],
    S.QUALIFIED: [("pass_formal_check", "field_lead"), ("start_examination", "examiner"), ("qualify", "examiner")],
    S.NOT_QUALIFIED: [("pass_formal_check", "field_lead"), ("start_examination", "examiner"),
                      ("disqualify", "examiner")],
    S.FILED: [("pass_formal_check", "field_lead"), ("start_examination", "examiner"), ("qualify", "examiner"),
              ("record_filing", "alice")],
    S.GRANTED: [("pass_formal_check", "field_lead"), ("start_examination", "examiner"), ("qualify", "examiner"),
                ("record_filing", "alice"), ("record_grant", "field_lead")],
    S.REJECTED: [("pass_formal_check", "field_lead"), ("start_examination", "examiner"), ("qualify", "examiner"),
                 ("record_filing", "alice"), ("record_rejection", "field_lead")],
    S.LAPSED: [("pass_formal_check", "field_lead"), ("start_examination", "examiner"), ("qualify", "examiner"),
               ("lapse", "system")],
    S.WITHDRAWN: [("withdraw", "alice")],
}

_serial = iter(range(1, 9_999_999))


def application_number(patent_type=PatentType.INVENTION, serial=None) -> str:
    """A well-formed CNIPA application number of this year for the type (check character computed)."""
    kind = {PatentType.INVENTION: "1", PatentType.UTILITY_MODEL: "2", PatentType.DESIGN: "3"}[patent_type]
    return normalize_application_number(f"{timezone.localdate().year}{kind}{serial or next(_serial):07d}")


def step_args(name, people, detail=None, who=None) -> dict:
    """A comment and payload that make the step valid, so only who takes it and when matter.
    The field lead chooses the examiner at the formal check; the others leave it to the
    automatic assignment."""
    today = timezone.localdate().isoformat()
    patent_type = detail.patent_type if detail is not None else PatentType.INVENTION
    return {
        "pass_formal_check": {"payload": {"examiner": people["examiner"].pk} if who == "field_lead" else {}},
        "fail_formal_check": {"comment": "权利要求书未按顺序编号", "payload": {"failed": ["claims_numbered"]}},
        "reassign": {"comment": "工作量调整", "payload": {"examiner": people["examiner2"].pk}},
        "start_examination": {},
        "request_correction": {"comment": "权利要求1缺少必要技术特征，请修改。"},
        "reply": {"comment": "已按通知修改，见修改后的权利要求书。"},
        "withdraw_unanswered": {"comment": "逾期未答复"},
        "qualify": {"comment": "符合预审要求"},
        "disqualify": {"comment": "不属于可授予专利权的主题"},
        "record_filing": {"payload": {"cnipa_application_number": application_number(patent_type),
                                      "cnipa_filed_on": today}},
        "lapse": {"comment": "逾期未提交"},
        "record_grant": {"payload": {"granted_on": today, "grant_publication_number": "CN118000001B"}},
        "record_rejection": {"comment": "驳回：不具备创造性", "payload": {"decided_on": today}},
        "withdraw": {"comment": "申请人主动撤回"},
    }[name]


def take(detail, name, who, people, **overrides):
    args = step_args(name, people, detail, who)
    args.update(overrides)
    return case_transition(detail=detail, name=name, actor=people[who], **args)


def bring_to(state, detail, people):
    for name, who in PATH_TO[state]:
        detail = take(detail, name, who, people)
    assert detail.state == state
    return detail


def personas(*, alice, bob, examiner, examiner2, field_lead, clerk, leader, fields) -> dict:
    """The personas by name (the other test files of the channel use them too), with `bio`, an
    examiner of the biology field only, and `system`, the platform itself."""
    bio = make_user("bioexaminer", [Role.EXAMINER])
    fields["biology"].examiners.add(bio)
    return {"alice": alice, "bob": bob, "examiner": examiner, "examiner2": examiner2, "bio": bio,
            "field_lead": field_lead, "clerk": clerk, "leader": leader, "system": None}






def snapshot(detail):
    case = Case.objects.get(pk=detail.case_id)
    return (PreExamCase.objects.get(pk=detail.pk).state, case.status, case.assignee_id, case.deadline,
            CaseEvent.objects.filter(case=case).count(), Notification.objects.count(),
            Attachment.objects.filter(case=case).count())


class _Rollback(Exception):
    pass


@contextlib.contextmanager
def rolled_back():
    """Take a step and look at what it wrote, then undo it, so the next persona starts from the
    same state (a savepoint inside the test's transaction)."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


# --- every transition, from every state, for every persona ------------------------------------

# The walk through the states: from a state, the step (by whom) that leads on to each next
# state. Each state is checked where the walk arrives — every transition, every persona — and
# the allowed step that is also the walk's edge is followed before it is undone, so no state is
# reached twice and no letter is made twice.
WALK = {
    S.SUBMITTED: {("fail_formal_check", "examiner"): S.FORMAL_CORRECTION, ("withdraw", "alice"): S.WITHDRAWN,
                  ("pass_formal_check", "field_lead"): S.ASSIGNED},
    S.ASSIGNED: {},  # the examination is the second walk's (it starts there, no letter on the way)
    S.EXAMINING: {("request_correction", "examiner"): S.CORRECTION, ("qualify", "examiner"): S.QUALIFIED,
                  ("disqualify", "examiner"): S.NOT_QUALIFIED},
    S.QUALIFIED: {("record_filing", "alice"): S.FILED, ("lapse", "system"): S.LAPSED},
    S.FILED: {("record_grant", "field_lead"): S.GRANTED, ("record_rejection", "field_lead"): S.REJECTED},
}


def check_state(state, detail, people, seen):
    """Every transition from `state` for every persona: refused with the right code and no
    trace, or (where allowed) taken, checked and undone."""
    assert detail.state == state
    seen.add(state)
    before = snapshot(detail)
    for name, (sources, allowed) in TRANSITIONS.items():
        refused = [who for who in PERSONAS if not (state in sources and who in allowed)]
        for who in refused:
            with pytest.raises(WorkflowError) as err:
                take(detail, name, who, people)
            expected = "forbidden" if state in sources else "transition_not_allowed"
            assert err.value.code == expected, (state, name, who)
            assert err.value.status == (403 if expected == "forbidden" else 409)
        assert snapshot(detail) == before, (state, name)  # a refusal leaves no trace
        for who in sorted(allowed) if state in sources else ():
            with rolled_back():
                after = check_allowed(detail, state, name, who, people)
                if (name, who) in WALK.get(state, {}):
                    check_state(WALK[state][(name, who)], after, people, seen)
            assert snapshot(detail) == before, (state, name, who)


@pytest.mark.parametrize("start", [S.SUBMITTED, S.EXAMINING], ids=["from-submission", "from-examination"])
def test_every_transition_allowed_and_forbidden_for_every_persona_in_every_state(start, people, alice_pe):
    seen = set()
    check_state(start, bring_to(start, alice_pe, people), people, seen)
    expected = ({S.SUBMITTED, S.FORMAL_CORRECTION, S.WITHDRAWN, S.ASSIGNED} if start == S.SUBMITTED
                else {S.EXAMINING, S.CORRECTION, S.QUALIFIED, S.NOT_QUALIFIED, S.FILED, S.LAPSED, S.GRANTED,
                      S.REJECTED})
    assert seen == expected


def test_the_tables_cover_every_transition_of_the_model():
    from django_fsm import FSMField

    field = next(f for f in PreExamCase._meta.fields if isinstance(f, FSMField))
    declared = {(t.name, t.source) for t in field.get_all_transitions(PreExamCase)}
    tabled = {(name, source) for name, (sources, _allowed) in TRANSITIONS.items() for source in sources}
    assert declared == tabled


def check_allowed(detail, source, name, who, people):
    """Take the step as `who` and check everything it writes."""
    events = CaseEvent.objects.filter(case=detail.case_id).count()
    last_note = Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0
    assignee_before = Case.objects.get(pk=detail.case_id).assignee
    actor = people[who]
    result = take(detail, name, who, people)
    target = target_of(name, source)
    assert result.state == target, (name, who)
    detail = PreExamCase.objects.select_related("case").get(pk=detail.pk)
    case = detail.case
    today = timezone.localdate()
    config = PreExamConfig.current()

    # one event, from → to, by the actor
    assert CaseEvent.objects.filter(case=case).count() == events + 1
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.transition, event.from_state, event.to_state, event.actor) == (name, source, target, actor)

    # the index row follows: status, closing, deadline, assignee
    assert case.status == target
    if target in PRE_EXAM_CLOSED_STATES:
        assert case.closed_at is not None and case.deadline is None
    else:
        assert case.closed_at is None
    expected_deadline = {
        S.SUBMITTED: add_working_days(today, config.formal_check_days),
        S.ASSIGNED: detail.exam_deadline, S.EXAMINING: detail.exam_deadline,
        S.FORMAL_CORRECTION: add_working_days(today, config.reply_days),
        S.CORRECTION: add_working_days(today, config.reply_days),
        S.QUALIFIED: add_working_days(today, config.cnipa_filing_days),
    }.get(target)
    assert case.deadline == expected_deadline and (target != S.ASSIGNED or expected_deadline)
    if name == "pass_formal_check":
        # the lead chose `examiner`; for the others the automatic assignment picked one of the field's
        assert case.assignee == people["examiner"] if who == "field_lead" else case.assignee in {
            people["examiner"], people["examiner2"], people["field_lead"]}
        assert detail.exam_deadline == add_working_days(today, config.invention_days)
        assert detail.formal_check["passed"] is True and all(detail.formal_check["items"].values())
    elif name == "reassign":
        assert case.assignee == people["examiner2"]
    else:
        assert case.assignee == assignee_before

    # what the step itself records
    if name in ("fail_formal_check", "request_correction"):
        notice = detail.open_notice
        assert notice.reply_deadline == add_working_days(today, config.reply_days)
        assert notice.letter.kind == "pe_letter" and notice.letter.content_type == "application/pdf"
        assert notice.stage == ("formal" if name == "fail_formal_check" else "examination")
    if name == "fail_formal_check":
        assert detail.formal_check["passed"] is False and detail.formal_check["items"]["claims_numbered"] is False
        assert detail.notices.get().items == ["权利要求书按阿拉伯数字顺序编号，引用关系清楚"]
    if name == "request_correction":
        opinion = detail.opinions.get()
        assert opinion.kind == NoticeKind.OPINION and opinion.letter == detail.open_notice.letter
    if name == "reply":
        notice = detail.notices.get()
        assert notice.status == NoticeStatus.REPLIED and notice.reply_text and notice.replied_at
        if source == S.CORRECTION:
            assert detail.exam_deadline == add_working_days(today, config.invention_days)
    if name == "withdraw_unanswered":
        assert detail.notices.get().status == NoticeStatus.EXPIRED
    if name == "withdraw" and source in (S.FORMAL_CORRECTION, S.CORRECTION):
        assert detail.notices.get().status == NoticeStatus.CANCELLED
    if name == "qualify":
        assert detail.qualified_on == today
        opinion = detail.opinions.get()
        assert opinion.kind == NoticeKind.QUALIFICATION and opinion.letter is not None
    if name == "disqualify":
        assert detail.decision_reason == "不属于可授予专利权的主题"
        assert detail.opinions.get().kind == NoticeKind.NOT_QUALIFIED and detail.opinions.get().letter
    if name == "record_filing":
        assert detail.cnipa_application_number == event.payload["cnipa_application_number"]
        assert detail.cnipa_filed_on == today
    if name == "record_grant":
        assert (detail.granted_on, detail.decided_on, detail.grant_publication_number) == (
            today, today, "CN118000001B")
        assert detail.grant_cycle_days == 0
    if name == "record_rejection":
        assert detail.decided_on == today and detail.decision_reason == "驳回：不具备创造性"

    # whom it concerns is told: the applicant of the center's steps, the assignee of hers;
    # never the actor of their own step
    notes = list(Notification.objects.filter(pk__gt=last_note))
    told = {n.recipient for n in notes}
    assert all(n.case_id == case.pk for n in notes)
    if actor != people["alice"]:
        assert people["alice"] in told, (name, who)
    elif case.assignee is not None:
        assert case.assignee in told, (name, who)
    assert actor not in told
    return detail


# --- automatic assignment --------------------------------------------------------------------

TITLES = ["一种高矫顽力钕铁硼永磁材料", "一种稀土抛光粉的制备方法", "一种耐高温铝合金", "一种石墨烯导热膜",
          "一种陶瓷基复合材料", "一种高分子阻燃材料"]


def test_automatic_assignment_balances_the_field_by_workload(people, alice, alice_filed, submit_case):
    cases = [submit_case(alice, alice_filed, title=t) for t in TITLES[:5]]
    got = []
    for detail in cases[:3]:
        got.append(case_transition(detail=detail, name="pass_formal_check", actor=people["examiner2"]).case.assignee)
    # nobody has any work: each of the field's three examiners (the lead included) gets one
    assert set(got) == {people["examiner"], people["examiner2"], people["field_lead"]}
    # all have one now: the one assigned longest ago gets the next
    fourth = case_transition(detail=cases[3], name="pass_formal_check", actor=people["examiner2"])
    assert fourth.case.assignee == got[0]
    # the first examiner's cases leave the desk (one withdrawn, one qualified): the least-loaded again
    first = [d for d in cases[:4] if PreExamCase.objects.get(pk=d.pk).case.assignee == got[0]]
    take(first[0], "withdraw", "alice", people)
    detail = PreExamCase.objects.get(pk=first[1].pk)
    case_transition(detail=detail, name="start_examination", actor=got[0])
    case_transition(detail=detail, name="qualify", actor=got[0])
    fifth = case_transition(detail=cases[4], name="pass_formal_check", actor=people["examiner2"])
    assert fifth.case.assignee == got[0]


def test_examiners_of_another_field_are_never_picked(people, alice, alice_filed, submit_case, fields):
    # new_energy: examiner and the lead serve it; examiner2 and bio do not
    picked = set()
    for title in ("一种储能电池热管理系统", "一种储能电池热管理系统二", "一种储能电池热管理系统三"):
        detail = submit_case(alice, alice_filed, field=fields["new_energy"], ipc_codes=["H01M 10/052"], title=title)
        picked.add(case_transition(detail=detail, name="pass_formal_check", actor=people["examiner"]).case.assignee)
    assert picked == {people["examiner"], people["field_lead"]}


def test_nobody_of_the_applicants_organization_is_picked_or_acts(people, alice, alice_filed, submit_case):
    organization_join(user=people["examiner"], join_code=alice_filed.join_code)
    picked = set()
    for title in TITLES[:4]:
        detail = submit_case(alice, alice_filed, title=title)
        picked.add(case_transition(detail=detail, name="pass_formal_check", actor=people["examiner2"]).case.assignee)
    assert picked == {people["examiner2"], people["field_lead"]}  # the examiner has least work, but is alice's
    detail = submit_case(alice, alice_filed, title=TITLES[4])
    # the examiner, now of alice's organization, may not take the formal check either
    with pytest.raises(WorkflowError) as err:
        take(detail, "pass_formal_check", "examiner", people)
    assert err.value.code == "forbidden"
    # nor be chosen by the lead
    with pytest.raises(WorkflowError) as err:
        take(detail, "pass_formal_check", "field_lead", people, payload={"examiner": people["examiner"].pk})
    assert err.value.code == "bad_examiner"


def test_only_the_field_lead_chooses_the_examiner_at_the_formal_check(people, alice_pe):
    refused(alice_pe, "pass_formal_check", "examiner2", people, "forbidden",
            payload={"examiner": people["examiner2"].pk})
    detail = take(alice_pe, "pass_formal_check", "field_lead", people, payload={"examiner": people["examiner2"].pk})
    assert detail.case.assignee == people["examiner2"]


def test_no_examiner_left_is_a_clear_error(people, alice, alice_filed, submit_case):
    from zhibao.pre_exam.services.assignment import examiner_pick

    detail = submit_case(alice, alice_filed)
    for who in ("examiner", "examiner2", "field_lead"):
        organization_join(user=people[who], join_code=alice_filed.join_code)
    outsider = make_user("outsider", [Role.EXAMINER])
    detail.field.examiners.add(outsider)
    outsider.is_active = False  # the only one outside alice's organization has left
    outsider.save()
    with pytest.raises(WorkflowError) as err:
        examiner_pick(detail)
    assert err.value.code == "no_examiner" and "新材料" in err.value.message


# --- payloads --------------------------------------------------------------------------------

def refused(detail, name, who, people, code, **overrides):
    before = snapshot(detail)
    with pytest.raises(WorkflowError) as err:
        take(detail, name, who, people, **overrides)
    assert err.value.code == code, err.value.message
    assert snapshot(detail) == before
    return err.value


def test_formal_check_payloads(people, alice_pe):
    err = refused(alice_pe, "pass_formal_check", "examiner2", people, "bad_check", payload={"failed": ["no_such"]})
    assert "no_such" in err.message and "failed" in err.fields
    refused(alice_pe, "fail_formal_check", "examiner2", people, "bad_check",
            payload={"failed": ["claims_numbered", "nonsense"]}, comment="x")
    # a design item does not apply to an invention
    refused(alice_pe, "fail_formal_check", "examiner2", people, "bad_check", payload={"failed": ["design_views"]},
            comment="x")
    refused(alice_pe, "pass_formal_check", "examiner2", people, "formal_check_failed",
            payload={"failed": ["claims_numbered"]})
    refused(alice_pe, "fail_formal_check", "examiner2", people, "comment_required", comment="  ")


@pytest.mark.parametrize(("chosen", "code"), [("clerk", "bad_examiner"), ("bio", "bad_examiner"),
                                              ("alice", "bad_examiner"), ("examiner", "same_examiner"),
                                              (None, "examiner_required"), ("garbage", "bad_examiner")])
def test_reassign_payloads(chosen, code, people, alice_pe):
    detail = bring_to(S.EXAMINING, alice_pe, people)
    value = {None: None, "garbage": "x1"}.get(chosen) if chosen in (None, "garbage") else people[chosen].pk
    refused(detail, "reassign", "field_lead", people, code, payload={"examiner": value})


def test_reassign_to_an_examiner_of_the_applicants_organization_is_refused(people, alice_pe):
    detail = bring_to(S.ASSIGNED, alice_pe, people)
    organization_join(user=people["examiner2"], join_code=alice_pe.case.organization.join_code)
    err = refused(detail, "reassign", "field_lead", people, "bad_examiner")
    assert "examiner" in err.fields


def test_the_new_assignee_takes_over_after_a_reassignment(people, alice_pe):
    detail = bring_to(S.ASSIGNED, alice_pe, people)
    detail = take(detail, "reassign", "field_lead", people)
    refused(detail, "start_examination", "examiner", people, "forbidden")
    assert take(detail, "start_examination", "examiner2", people).state == S.EXAMINING
    assert Notification.objects.filter(recipient=people["examiner2"], case=detail.case).exists()


def check_char_wrong(number: str) -> str:
    digits = number[2:14]
    wrong = "0" if application_check_char(digits) != "0" else "1"
    return f"{digits}.{wrong}"


def test_record_filing_payloads(people, alice, alice_filed, submit_case):
    detail = bring_to(S.QUALIFIED, submit_case(alice, alice_filed), people)
    number = application_number()
    refused(detail, "record_filing", "alice", people, "number_required", payload={})
    err = refused(detail, "record_filing", "alice", people, "bad_number",
                  payload={"cnipa_application_number": check_char_wrong(number)})
    assert "cnipa_application_number" in err.fields and "check character" in err.message.lower() or "校验" in err.message
    refused(detail, "record_filing", "alice", people, "bad_number", payload={"cnipa_application_number": "12345"})
    refused(detail, "record_filing", "alice", people, "not_cnipa_number",
            payload={"cnipa_application_number": "US 17123456"})
    err = refused(detail, "record_filing", "alice", people, "type_mismatch",
                  payload={"cnipa_application_number": application_number(PatentType.UTILITY_MODEL)})
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    refused(detail, "record_filing", "alice", people, "future_date",
            payload={"cnipa_application_number": number, "cnipa_filed_on": tomorrow})
    yesterday = (timezone.localdate() - timezone.timedelta(days=1)).isoformat()
    err = refused(detail, "record_filing", "alice", people, "bad_date",
                  payload={"cnipa_application_number": number, "cnipa_filed_on": yesterday})
    assert "cnipa_filed_on" in err.fields
    refused(detail, "record_filing", "alice", people, "bad_date",
            payload={"cnipa_application_number": number, "cnipa_filed_on": "2026-13-45"})
    # any spelling of the number is stored canonically, without the date it defaults to today
    filed = take(detail, "record_filing", "alice", people,
                 payload={"cnipa_application_number": "ZL " + number[2:].replace(".", "")})
    assert filed.cnipa_application_number == number and filed.cnipa_filed_on == timezone.localdate()
    # the same number on another case is refused
    other = bring_to(S.QUALIFIED, submit_case(alice, alice_filed, title="一种稀土抛光粉的制备方法"), people)
    err = refused(other, "record_filing", "examiner", people, "number_taken",
                  payload={"cnipa_application_number": number})
    assert detail.case.number in err.message and err.status == 409


def test_record_grant_and_rejection_payloads(people, alice_pe):
    detail = bring_to(S.FILED, alice_pe, people)
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    yesterday = (timezone.localdate() - timezone.timedelta(days=1)).isoformat()
    refused(detail, "record_grant", "field_lead", people, "date_required", payload={})
    refused(detail, "record_grant", "field_lead", people, "future_date", payload={"granted_on": tomorrow})
    refused(detail, "record_grant", "field_lead", people, "bad_date", payload={"granted_on": yesterday})
    refused(detail, "record_grant", "field_lead", people, "bad_number",
            payload={"granted_on": timezone.localdate().isoformat(), "grant_publication_number": "123"})
    refused(detail, "record_rejection", "field_lead", people, "comment_required", comment="")
    refused(detail, "record_rejection", "field_lead", people, "future_date", payload={"decided_on": tomorrow})
    refused(detail, "record_rejection", "field_lead", people, "bad_date", payload={"decided_on": yesterday})
    granted = take(detail, "record_grant", "examiner2", people,
                   payload={"granted_on": timezone.localdate().isoformat(), "grant_publication_number": "cn 118000001 b"})
    assert granted.grant_publication_number == "CN118000001B"


@pytest.mark.parametrize("name", ["request_correction", "disqualify"])
def test_examiners_steps_that_need_a_reason(name, people, alice_pe):
    detail = bring_to(S.EXAMINING, alice_pe, people)
    refused(detail, name, "examiner", people, "comment_required", comment=" ")


def test_reply_needs_a_reason(people, alice_pe):
    detail = bring_to(S.FORMAL_CORRECTION, alice_pe, people)
    refused(detail, "reply", "alice", people, "comment_required", comment="")


def test_a_member_of_the_applicants_organization_acts_for_it(people, alice_pe):
    colleague = make_user("carol")
    organization_join(user=colleague, join_code=alice_pe.case.organization.join_code)
    detail = bring_to(S.CORRECTION, alice_pe, people)
    detail = take(detail, "reply", "carol", {**people, "carol": colleague})
    assert detail.state == S.EXAMINING


def test_a_correction_round_trip_keeps_the_history(people, alice_pe):
    detail = bring_to(S.FORMAL_CORRECTION, alice_pe, people)
    detail = take(detail, "reply", "alice", people)
    assert detail.state == S.SUBMITTED and detail.case.assignee is None
    detail = take(detail, "pass_formal_check", "examiner2", people)
    detail = take(detail, "start_examination", "examiner", people)
    detail = take(detail, "request_correction", "examiner", people)
    detail = take(detail, "reply", "alice", people)
    detail = take(detail, "request_correction", "examiner", people, comment="第二轮意见")
    assert [n.status for n in detail.notices.all()] == ["replied", "replied", "open"]
    assert [o.version for o in detail.opinions.all()] == [1, 2]
    detail = take(detail, "reply", "alice", people)
    detail = take(detail, "qualify", "examiner", people)
    assert [o.version for o in detail.opinions.all()] == [1, 2, 3]
    assert [e.transition for e in detail.case.events.all()] == [
        "submit", "fail_formal_check", "reply", "pass_formal_check", "start_examination", "request_correction",
        "reply", "request_correction", "reply", "qualify"]

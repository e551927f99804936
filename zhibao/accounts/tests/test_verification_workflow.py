"""The ORG service's workflow: every transition allowed and forbidden, events, deadlines,
notifications, separation of duties, concurrency and idempotent submission."""

import threading

import pytest
from django.db import connection

from zhibao.accounts.choices import OrganizationStatus
from zhibao.accounts.choices import VerificationState as S
from zhibao.accounts.services import organization_join, organization_verification_submit
from zhibao.conftest import make_org, make_user
from zhibao.core.choices import Role
from zhibao.core.models import Case, CaseEvent, Notification
from zhibao.core.services.cases import WorkflowError, case_transition

# transition -> (source states, who may take it: "clerk" or "owner")
TRANSITIONS = {
    "accept": ({S.SUBMITTED}, "clerk"),
    "verify": ({S.IN_REVIEW}, "clerk"),
    "reject": ({S.IN_REVIEW}, "clerk"),
    "return_for_correction": ({S.IN_REVIEW}, "clerk"),
    "resubmit": ({S.RETURNED}, "owner"),
    "withdraw": ({S.SUBMITTED, S.RETURNED}, "owner"),
}
TARGET = {
    "accept": S.IN_REVIEW, "verify": S.VERIFIED, "reject": S.REJECTED,
    "return_for_correction": S.RETURNED, "resubmit": S.SUBMITTED, "withdraw": S.WITHDRAWN,
}
PATH_TO = {
    S.SUBMITTED: [],
    S.IN_REVIEW: ["accept"],
    S.RETURNED: ["accept", "return_for_correction"],
    S.VERIFIED: ["accept", "verify"],
    S.REJECTED: ["accept", "reject"],
    S.WITHDRAWN: ["withdraw"],
}


def bring_to(state, *, owner, clerk, org):
    verification, _ = organization_verification_submit(organization=org, user=owner)
    for step in PATH_TO[state]:
        actor = owner if TRANSITIONS[step][1] == "owner" else clerk
        verification = case_transition(detail=verification, name=step, actor=actor, comment="理由")
    return verification


CASES = [(state, name) for state in S for name in TRANSITIONS]


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "name"), CASES, ids=[f"{s.value}-{n}" for s, n in CASES])
def test_every_transition_allowed_and_forbidden(state, name, alice, alice_org, bob, clerk, examiner, expert):
    verification = bring_to(state, owner=alice, clerk=clerk, org=alice_org)
    sources, who = TRANSITIONS[name]
    rightful = clerk if who == "clerk" else alice
    wrong = [bob, examiner, expert] + ([alice] if who == "clerk" else [clerk])
    if state not in sources:
        with pytest.raises(WorkflowError) as err:
            case_transition(detail=verification, name=name, actor=rightful, comment="理由")
        assert err.value.code == "transition_not_allowed"
        assert Case.objects.get(pk=verification.case_id).status == state
        return
    for stranger in wrong:
        with pytest.raises(WorkflowError) as err:
            case_transition(detail=verification, name=name, actor=stranger, comment="理由")
        assert err.value.code == "forbidden", stranger
    events_before = CaseEvent.objects.filter(case=verification.case).count()
    result = case_transition(detail=verification, name=name, actor=rightful, comment="理由")
    assert result.state == TARGET[name]
    case = Case.objects.get(pk=verification.case_id)
    assert case.status == TARGET[name]
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.transition, event.from_state, event.to_state, event.actor) == (name, state, TARGET[name], rightful)
    assert CaseEvent.objects.filter(case=case).count() == events_before + 1


@pytest.mark.django_db
def test_submission_opens_a_case_with_number_deadline_and_event(alice, alice_org, clerk):
    verification, created = organization_verification_submit(organization=alice_org, user=alice)
    case = verification.case
    assert created
    assert case.number.startswith("ORG-") and len(case.number) == len("ORG-2026-000001")
    assert case.service == "ORG" and case.status == S.SUBMITTED
    assert case.assignee_role == Role.CLERK and case.deadline is not None and case.closed_at is None
    assert case.events.get().transition == "submit"
    alice_org.refresh_from_db()
    assert alice_org.status == OrganizationStatus.PENDING
    # The clerks are told a case waits for them; alice is not told of her own action.
    assert Notification.objects.filter(recipient=clerk, case=case).exists()
    assert not Notification.objects.filter(recipient=alice).exists()


@pytest.mark.django_db
def test_decision_updates_organization_closes_case_and_notifies_applicant(
    alice, alice_org, clerk, mailoutbox, django_capture_on_commit_callbacks
):
    verification = bring_to(S.IN_REVIEW, owner=alice, clerk=clerk, org=alice_org)
    assert verification.case.assignee == clerk
    with django_capture_on_commit_callbacks(execute=True):  # email goes out after commit
        case_transition(detail=verification, name="verify", actor=clerk)
    alice_org.refresh_from_db()
    case = Case.objects.get(pk=verification.case_id)
    assert alice_org.status == OrganizationStatus.VERIFIED and alice_org.verified_at
    assert case.closed_at is not None and case.deadline is None
    assert Notification.objects.filter(recipient=alice, case=case).count() == 2  # accepted, verified
    assert any(alice.email in m.to for m in mailoutbox)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["reject", "return_for_correction"])
def test_reject_and_return_need_a_reason(name, alice, alice_org, clerk):
    verification = bring_to(S.IN_REVIEW, owner=alice, clerk=clerk, org=alice_org)
    with pytest.raises(WorkflowError) as err:
        case_transition(detail=verification, name=name, actor=clerk, comment="   ")
    assert err.value.code == "comment_required" and "comment" in err.value.fields
    case_transition(detail=verification, name=name, actor=clerk, comment="执照不清晰")
    alice_org.refresh_from_db()
    if name == "reject":
        assert alice_org.status == OrganizationStatus.REJECTED and alice_org.rejection_reason == "执照不清晰"


@pytest.mark.django_db
def test_nobody_decides_a_case_of_their_own_organization(alice, alice_org, clerk):
    organization_join(user=clerk, join_code=alice_org.join_code)
    verification, _ = organization_verification_submit(organization=alice_org, user=alice)
    with pytest.raises(WorkflowError) as err:
        case_transition(detail=verification, name="accept", actor=clerk)
    assert err.value.code == "forbidden"


@pytest.mark.django_db
def test_unknown_transition_is_a_clear_error(alice_case, clerk):
    with pytest.raises(WorkflowError) as err:
        case_transition(detail=alice_case.detail, name="approve_everything", actor=clerk)
    assert err.value.code == "unknown_transition" and err.value.status == 404


@pytest.mark.django_db
def test_only_an_owner_submits_and_only_once(alice, alice_org, bob):
    with pytest.raises(WorkflowError) as err:
        organization_verification_submit(organization=alice_org, user=bob)
    assert err.value.code == "forbidden"
    organization_verification_submit(organization=alice_org, user=alice)
    with pytest.raises(WorkflowError) as err:
        organization_verification_submit(organization=alice_org, user=alice)
    assert err.value.code == "duplicate"


@pytest.mark.django_db
def test_replayed_submit_creates_nothing_twice(alice, alice_org):
    first, created1 = organization_verification_submit(organization=alice_org, user=alice, idempotency_key="k-1")
    again, created2 = organization_verification_submit(organization=alice_org, user=alice, idempotency_key="k-1")
    assert created1 and not created2
    assert first.pk == again.pk
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == 1


def _run_threads(targets):
    barrier = threading.Barrier(len(targets))
    results = [None] * len(targets)

    def wrap(i, fn):
        try:
            barrier.wait(timeout=10)
            results[i] = ("ok", fn())
        except Exception as exc:  # collected and asserted by the caller
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(i, fn)) for i, fn in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_conflicting_transitions_exactly_one_succeeds(alice, alice_org, clerk, clerk2):
    verification = bring_to(S.IN_REVIEW, owner=alice, clerk=clerk, org=alice_org)
    results = _run_threads([
        lambda: case_transition(detail=verification, name="verify", actor=clerk),
        lambda: case_transition(detail=verification, name="reject", actor=clerk2, comment="不符合"),
    ])
    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["error", "ok"], results
    error = next(r[1] for r in results if r[0] == "error")
    assert isinstance(error, WorkflowError) and error.code in {"transition_not_allowed", "conflict"}
    case = Case.objects.get(pk=verification.case_id)
    assert case.status in {S.VERIFIED, S.REJECTED}
    assert case.events.filter(transition__in=["verify", "reject"]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_case_numbers_unique_and_gap_free_under_8_concurrent_submitters():
    owners = [make_user(f"owner{i}") for i in range(8)]
    orgs = [make_org(owner, f"并发测试企业{i}", 20000000 + i) for i, owner in enumerate(owners)]
    results = _run_threads([
        (lambda o=o, u=u: organization_verification_submit(organization=o, user=u)[0].case.number)
        for o, u in zip(orgs, owners, strict=True)
    ])
    assert all(r[0] == "ok" for r in results), results
    numbers = sorted(r[1] for r in results)
    assert len(set(numbers)) == 8
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == list(range(1, 9))


@pytest.mark.django_db(transaction=True)
def test_concurrent_replays_of_one_submission_make_one_case(alice, alice_org):
    results = _run_threads([
        lambda: organization_verification_submit(organization=alice_org, user=alice, idempotency_key="same")[0].pk
        for _ in range(4)
    ])
    assert all(r[0] == "ok" for r in results), results
    assert len({r[1] for r in results}) == 1
    assert Case.objects.count() == 1

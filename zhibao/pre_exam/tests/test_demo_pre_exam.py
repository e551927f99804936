"""The pre-examination demo (`zhibao demo`): loading it twice adds nothing, its year looks like
the center's reports (≈90 % qualified, ≈93 % granted, inventions granted in ≈64 days against
472), and every row it writes directly is what the services would have written: the events
follow the state machine with the right actors, and each case's index row — status,
responsible role, deadline, closing time, number — is what core.services.cases derives.

The demo is loaded once for the module (it takes a few seconds) inside a transaction that is
rolled back afterwards.
"""

import datetime as dt
from collections import defaultdict

import pytest
from django.db import transaction
from django.utils import timezone

from zhibao.accounts import demo as accounts_demo
from zhibao.accounts.models import Organization, User
from zhibao.core.models import Attachment, Case, CaseEvent, CaseSequence, Notification
from zhibao.core.registry import registry
from zhibao.core.services.cases import case_number_next
from zhibao.core.workdays import add_working_days
from zhibao.pre_exam import demo
from zhibao.pre_exam.choices import NoticeStatus, PreExamState
from zhibao.pre_exam.models import Filing, PreExamCase, PriorityRequest, TechnicalField
from zhibao.pre_exam.rules import serves_field
from zhibao.pre_exam.services.filings import valid_filing_of
from zhibao.pre_exam.services.intake import ipc_field_check
from zhibao.pre_exam.statistics import pre_exam_statistics

S = PreExamState
COUNTED = (Case, CaseEvent, Attachment, Organization, User, PreExamCase, PriorityRequest, Filing, Notification)
SYSTEM_STEPS = {"withdraw_unanswered", "lapse"}
APPLICANT_STEPS = {"submit", "reply", "withdraw", "resubmit"}
ASSIGNEE_STEPS = {"start_examination", "request_correction", "qualify", "disqualify"}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        accounts_demo.load()
        first = demo.load()
        counts = {m.__name__: m.objects.count() for m in COUNTED}
        second = demo.load()
        again = {m.__name__: m.objects.count() for m in COUNTED}
        yield {"first": first, "second": second, "counts": counts, "again": again}
        transaction.set_rollback(True)


@pytest.fixture
def data(loaded, db):
    return loaded


def test_loading_twice_adds_nothing(data):
    assert data["first"]["cases"] > 0 and data["first"]["alice"] == 6
    assert data["second"] == {"alice": 0}
    assert data["again"] == data["counts"]


def test_the_year_looks_like_the_centers_reports(data):
    stats = pre_exam_statistics()
    o, cycle, p = stats["overall"], stats["grant_cycle"], stats["priority"]
    assert 600 <= o["submissions"] <= 1200
    assert 85 <= o["qualification_rate"] <= 95
    assert 90 <= o["grant_rate"] <= 96
    assert 80 <= o["formal_pass_rate"] <= 95
    assert 55 <= cycle["mean_days"] <= 72 and 55 <= cycle["median_days"] <= 72 and cycle["count"] >= 200
    assert 84 <= cycle["reduction_percent"] <= 90 and cycle["ordinary_days"] == 472
    assert 1 <= o["overdue"] <= 15
    assert o["withdrawn"] >= 3 and o["lapsed"] >= 3 and o["corrected"] >= 100 and o["open"] >= 20
    assert 80 <= p["requests"] <= 130 and p["reviewed"] >= 0.75 * p["requests"]
    assert 70 <= p["recommendation_rate"] <= 90
    assert all(r["quota_used"] <= r["quota"] for r in p["by_field"])
    assert len(stats["by_league"]) == 12 and 30 <= len(stats["by_organization"]) <= 60
    assert all(f["submissions"] > 50 for f in stats["by_field"])
    assert sum(m["submissions"] for m in stats["by_month"]) == o["submissions"]
    # Every examiner of the demo has work; the persona leads new materials.
    examiners = {e["username"]: e for e in stats["examiners"]}
    assert {"examiner", "examiner2", "examiner3", "examiner4", "examiner5", "examiner6"} <= set(examiners)
    assert all(examiners[u]["decided"] > 30 for u in examiners if u.startswith("examiner"))
    assert examiners["examiner"]["leads"] == ["新材料"]


def test_the_examiner_persona_serves_two_fields_and_leads_one(data):
    examiner = User.objects.get(username="examiner")
    fields = {f.code: f for f in TechnicalField.objects.all()}
    assert serves_field(examiner, fields["new_materials"]) and serves_field(examiner, fields["new_energy"])
    assert not serves_field(examiner, fields["biology"])
    assert fields["new_materials"].lead == examiner
    assert all(f.lead_id and f.examiners.count() >= 2 for f in fields.values())


def test_every_demo_organization_is_verified_and_filed(data):
    orgs = Organization.objects.filter(memberships__user__username__startswith=demo.OWNER_PREFIX)
    assert orgs.count() == len(demo.ORGANIZATIONS)
    for org in orgs:
        assert org.is_verified and org.league_id and org.uscc[2:4] == "15"
        assert valid_filing_of(org) is not None


def test_the_subjects_are_what_intake_accepts(data):
    fields = {f.code: f for f in TechnicalField.objects.all()}
    for code, subjects in demo.SUBJECTS.items():
        for _title, main, extra in subjects:
            ipc_field_check([demo.IPC[main], demo.IPC[extra]], fields[code], [fields[code]])


def _transitions(model) -> dict:
    spec = next(s for s in registry.all() if s.model is model)
    return {(t.source, t.name): t.target for t in spec.state_field.get_all_transitions(model)}


def test_every_case_is_what_the_services_would_have_written(data):
    today = timezone.localdate()
    events = defaultdict(list)
    for e in CaseEvent.objects.filter(case__service__in=["ORG", "PEF", "PE", "PER"]).order_by("created_at", "id"):
        events[e.case_id].append(e)
    details = {d.case_id: d for d in PreExamCase.objects.select_related("field")}
    details.update({d.case_id: d for d in PriorityRequest.objects.select_related("field")})
    details.update({d.case_id: d for d in Filing.objects.all()})
    from zhibao.accounts.models import OrganizationVerification

    details.update({d.case_id: d for d in OrganizationVerification.objects.all()})
    allowed = {}
    for model in (PreExamCase, PriorityRequest, Filing, OrganizationVerification):
        allowed.update({(model, k[0], k[1]): v for k, v in _transitions(model).items()})
    serials = defaultdict(list)
    checked = 0
    for case in Case.objects.filter(service__in=["ORG", "PEF", "PE", "PER"]).select_related("applicant", "assignee"):
        spec, detail, history = case.spec, details[case.pk], events[case.pk]
        # The number: <service>-<year of submission>-<serial>.
        service, year, serial = case.number.split("-")
        assert (service, int(year)) == (case.service, timezone.localtime(case.submitted_at).year), case.number
        serials[(service, int(year))].append(int(serial))
        # The history follows the state machine, from the submission to the state the case is in.
        assert history[0].transition == "submit" and history[0].from_state == "" and history[0].actor == case.applicant
        assert history[0].created_at == case.submitted_at
        for before, after in zip(history, history[1:], strict=False):
            assert after.from_state == before.to_state and after.created_at > before.created_at, case.number
            assert allowed[(type(detail), after.from_state, after.transition)] == after.to_state, (
                case.number, after.transition)
        assert history[-1].to_state == case.status == detail.state, case.number
        assert case.last_event_at == history[-1].created_at and history[-1].created_at <= timezone.now()
        for e in history:
            if e.transition in SYSTEM_STEPS:
                assert e.actor is None
            elif e.transition in APPLICANT_STEPS:
                assert e.actor == case.applicant, (case.number, e.transition)
            elif case.service == "PE" and e.transition in ASSIGNEE_STEPS:
                assert e.actor == case.assignee, (case.number, e.transition)
            elif case.service in ("PE", "PER"):
                assert e.actor is None or serves_field(e.actor, detail.field) or e.actor == case.applicant
            else:
                assert "clerk" in e.actor.roles
        # The index row as _sync_case derives it.
        assert case.assignee_role == spec.responsible_role.get(case.status, ""), case.number
        if case.status in spec.closed_states:
            closing = next(e for e in history if e.to_state in spec.closed_states)
            assert case.closed_at == closing.created_at and case.deadline is None, case.number
        else:
            assert case.closed_at is None
            day = timezone.localdate(case.last_event_at)
            if spec.deadline is not None:
                expected = spec.deadline(detail, case.status, day)
            else:
                limit = spec.time_limits.get(case.status)
                expected = add_working_days(day, limit) if limit else None
            assert case.deadline == expected, (case.number, case.status)
        if case.service == "PE":
            _check_pre_exam(case, detail, history, today)
        checked += 1
    assert checked > 900
    for (service, year), numbers in serials.items():
        assert len(numbers) == len(set(numbers)), (service, year)
        assert CaseSequence.objects.get(service=service, year=year).last >= max(numbers)


def _check_pre_exam(case, detail, history, today) -> None:
    names = [e.transition for e in history]
    if case.assignee_id:
        assert serves_field(case.assignee, detail.field)
    if "pass_formal_check" in names:
        assert case.assignee_id and detail.assigned_at and detail.exam_deadline and detail.formal_check["passed"]
    assert (detail.qualified_on is not None) == ("qualify" in names)
    if detail.qualified_on:
        qualified = next(e for e in history if e.transition == "qualify")
        assert detail.qualified_on == timezone.localdate(qualified.created_at)
    if detail.cnipa_filed_on:
        filing = next(e for e in history if e.transition == "record_filing")
        assert filing.payload["cnipa_application_number"] == detail.cnipa_application_number
        assert detail.qualified_on <= detail.cnipa_filed_on <= timezone.localdate(filing.created_at)
    if detail.state == S.GRANTED:
        grant = history[-1]
        assert grant.payload["granted_on"] == detail.granted_on.isoformat() == detail.decided_on.isoformat()
        assert detail.cnipa_filed_on < detail.granted_on <= timezone.localdate(grant.created_at) <= today
    open_notices = [n for n in detail.notices.all() if n.status == NoticeStatus.OPEN]
    assert len(open_notices) == (1 if detail.state in (S.FORMAL_CORRECTION, S.CORRECTION) else 0), case.number
    assert detail.notices.count() == names.count("fail_formal_check") + names.count("request_correction")
    assert detail.opinions.count() == names.count("request_correction") + names.count("qualify") + names.count(
        "disqualify")
    if detail.state == S.EXAMINING and case.deadline < today:
        assert case.is_overdue


def test_new_submissions_continue_the_numbering(data):
    year = timezone.localdate().year
    last = max(int(n.rsplit("-", 1)[1]) for n in Case.objects.filter(service="PE", number__startswith=f"PE-{year}-")
               .values_list("number", flat=True))
    assert case_number_next(service="PE", year=year) == f"PE-{year}-{last + 1:06d}"


def test_alice_has_live_cases_in_every_stage(data):
    statuses = defaultdict(set)
    for service, status in Case.objects.filter(applicant__username="alice").values_list("service", "status"):
        statuses[service].add(status)
    assert {S.SUBMITTED, S.FORMAL_CORRECTION, S.CORRECTION, S.QUALIFIED, S.FILED} <= statuses["PE"]
    assert statuses["PEF"] == {"approved"} and statuses["PER"] == {"submitted"}
    # Through the real services: her letters are PDFs on the cases.
    assert Attachment.objects.filter(case__applicant__username="alice", kind="pe_letter").count() >= 3


def test_the_history_spans_the_past_year(data):
    first = Case.objects.filter(service="PE").order_by("submitted_at").first().submitted_at
    assert timezone.now() - first <= dt.timedelta(days=demo.HISTORY_DAYS + 1)
    assert timezone.now() - first >= dt.timedelta(days=demo.HISTORY_DAYS - 10)


def test_the_dashboard_renders_the_demo(data, as_user):
    leader = User.objects.get(username="leader")
    response = as_user(leader).get("/pre-exam/statistics/")
    assert response.status_code == 200
    assert 'data-figure="grant_rate">9' in response.content.decode()

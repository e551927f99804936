"""预审备案 (service PEF): who may use the channel, the clerk's review (every transition allowed
and forbidden for every persona), the validity period and an idempotent submission."""

import datetime as dt

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from zhibao.accounts.choices import OrganizationKind
from zhibao.accounts.demo import make_uscc
from zhibao.accounts.services import organization_join
from zhibao.conftest import make_org, make_user
from zhibao.core.choices import Role
from zhibao.core.models import Attachment, Case, CaseEvent, Notification
from zhibao.core.services.cases import WorkflowError, case_transition
from zhibao.core.workdays import add_working_days
from zhibao.pre_exam.choices import FilingState as F
from zhibao.pre_exam.models import AbnormalFilingRecord, Filing, PreExamConfig
from zhibao.pre_exam.services.filings import filing_submit, valid_filing_of

from .conftest import SCOPE, file_org, pdf_upload, verify
from .test_workflow import rolled_back

pytestmark = pytest.mark.django_db

PERSONAS = ("alice", "carol", "bob", "clerk", "clerk2", "examiner", "leader", "system")
TRANSITIONS = {
    "accept": ({F.SUBMITTED}, {"clerk"}),
    "approve": ({F.IN_REVIEW}, {"clerk"}),
    "reject": ({F.IN_REVIEW}, {"clerk"}),
    "return_for_correction": ({F.IN_REVIEW}, {"clerk"}),
    "resubmit": ({F.RETURNED}, {"alice"}),
    "withdraw": ({F.SUBMITTED, F.RETURNED}, {"alice"}),
}
TARGET = {"accept": F.IN_REVIEW, "approve": F.APPROVED, "reject": F.REJECTED, "return_for_correction": F.RETURNED,
          "resubmit": F.SUBMITTED, "withdraw": F.WITHDRAWN}
PATH_TO = {
    F.SUBMITTED: [], F.IN_REVIEW: ["accept"], F.RETURNED: ["accept", "return_for_correction"],
    F.APPROVED: ["accept", "approve"], F.REJECTED: ["accept", "reject"], F.WITHDRAWN: ["withdraw"],
}
CLOSED = {F.APPROVED, F.REJECTED, F.WITHDRAWN}
TIME_LIMITS = {F.SUBMITTED: 2, F.IN_REVIEW: 5, F.RETURNED: 10}




@pytest.fixture
def alice_verified(alice, alice_org, clerk, fields):
    return verify(alice_org, alice, clerk)


@pytest.fixture
def people(alice, alice_verified, bob, clerk, clerk2, examiner, leader):
    carol = make_user("carol")  # a member of alice's organization, not its owner
    organization_join(user=carol, join_code=alice_verified.join_code)
    organization_join(user=clerk2, join_code=alice_verified.join_code)  # a clerk of alice's organization
    return {"alice": alice, "carol": carol, "bob": bob, "clerk": clerk, "clerk2": clerk2, "examiner": examiner,
            "leader": leader, "system": None}


def submit(org, owner, fields, **overrides):
    values = {"user": owner, "organization": org, "fields": [fields["new_materials"], fields["new_energy"]],
              "business_scope": SCOPE, "contact_name": "张工", "contact_phone": "0472-1234567",
              "licence": pdf_upload("licence.pdf")}
    values.update(overrides)
    filing, _created = filing_submit(**values)
    return filing


COMMENTS = {"reject": "营业执照已过期", "return_for_correction": "请补充经营范围", "accept": "", "approve": "",
            "resubmit": "已补充", "withdraw": ""}


def take(filing, name, who, people, payload=None):
    return case_transition(detail=filing, name=name, actor=people[who], comment=COMMENTS[name], payload=payload)


def bring_to(state, filing, people):
    for name in PATH_TO[state]:
        filing = take(filing, name, next(iter(TRANSITIONS[name][1])), people)
    assert filing.state == state
    return filing


def snapshot(filing):
    case = Case.objects.get(pk=filing.case_id)
    return (Filing.objects.get(pk=filing.pk).state, case.status, case.assignee_id, case.deadline,
            CaseEvent.objects.filter(case=case).count(), Notification.objects.count())


@pytest.mark.parametrize("state", list(F), ids=[s.value for s in F])
def test_every_filing_transition_allowed_and_forbidden_for_every_persona(state, people, alice_verified, fields):
    filing = bring_to(state, submit(alice_verified, people["alice"], fields), people)
    before = snapshot(filing)
    for name, (sources, allowed) in TRANSITIONS.items():
        for who in PERSONAS:
            if state in sources and who in allowed:
                with rolled_back():
                    events = CaseEvent.objects.filter(case=filing.case_id).count()
                    last_note = Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0
                    result = take(filing, name, who, people)
                    case = Case.objects.get(pk=filing.case_id)
                    assert result.state == case.status == TARGET[name]
                    event = CaseEvent.objects.filter(case=case).latest("id")
                    assert CaseEvent.objects.filter(case=case).count() == events + 1
                    assert (event.transition, event.from_state, event.to_state, event.actor) == (
                        name, state, TARGET[name], people[who])
                    if TARGET[name] in CLOSED:
                        assert case.closed_at is not None and case.deadline is None
                    else:
                        assert case.closed_at is None
                        assert case.deadline == add_working_days(timezone.localdate(), TIME_LIMITS[TARGET[name]])
                    if name == "accept":
                        assert case.assignee == people["clerk"]
                    if name == "resubmit":
                        assert case.assignee is None and result.checks["in_region"]
                    if name in ("reject", "return_for_correction"):
                        assert result.decision_reason == COMMENTS[name]
                    told = {n.recipient for n in Notification.objects.filter(pk__gt=last_note)}
                    assert (people["alice"] in told) == (who != "alice") and people[who] not in told
            else:
                with pytest.raises(WorkflowError) as err:
                    take(filing, name, who, people)
                assert err.value.code == ("forbidden" if state in sources else "transition_not_allowed"), (name, who)
            assert snapshot(filing) == before, (name, who)


@pytest.mark.parametrize("name", ["reject", "return_for_correction"])
def test_the_clerk_gives_a_reason(name, people, alice_verified, fields):
    filing = bring_to(F.IN_REVIEW, submit(alice_verified, people["alice"], fields), people)
    with pytest.raises(WorkflowError) as err:
        case_transition(detail=filing, name=name, actor=people["clerk"], comment=" ")
    assert err.value.code == "comment_required"


# --- validity ------------------------------------------------------------------------------

def test_approval_is_valid_for_the_configured_months(people, alice_verified, fields):
    filing = bring_to(F.APPROVED, submit(alice_verified, people["alice"], fields), people)
    today = timezone.localdate()
    assert filing.valid_until == today + relativedelta(months=24) and filing.is_valid
    assert filing.decided_at is not None
    assert valid_filing_of(alice_verified) == filing


def test_a_shorter_configured_validity(people, alice_verified, fields):
    config = PreExamConfig.current()
    config.filing_validity_months = 6
    config.save()
    filing = bring_to(F.IN_REVIEW, submit(alice_verified, people["alice"], fields), people)
    filing = case_transition(detail=filing, name="approve", actor=people["clerk"])
    assert filing.valid_until == timezone.localdate() + relativedelta(months=6)


def test_the_clerk_may_set_the_end_of_validity(people, alice_verified, fields):
    filing = bring_to(F.IN_REVIEW, submit(alice_verified, people["alice"], fields), people)
    today = timezone.localdate()
    for bad, code in (("tomorrow", "bad_date"), (today.isoformat(), "bad_date"),
                      ((today - dt.timedelta(days=3)).isoformat(), "bad_date")):
        with pytest.raises(WorkflowError) as err:
            case_transition(detail=filing, name="approve", actor=people["clerk"], payload={"valid_until": bad})
        assert err.value.code == code and "valid_until" in err.value.fields
        assert Filing.objects.get(pk=filing.pk).state == F.IN_REVIEW
    end = today + dt.timedelta(days=100)
    filing = case_transition(detail=filing, name="approve", actor=people["clerk"],
                             payload={"valid_until": end.isoformat()})
    assert filing.valid_until == end


def test_an_expired_filing_is_no_longer_valid_and_the_organization_may_file_again(people, alice_verified, fields):
    filing = bring_to(F.APPROVED, submit(alice_verified, people["alice"], fields), people)
    with pytest.raises(WorkflowError) as err:
        submit(alice_verified, people["alice"], fields)
    assert err.value.code == "already_filed" and filing.case.number in err.value.message
    with time_machine.travel(timezone.make_aware(dt.datetime.combine(filing.valid_until, dt.time(12))), tick=False):
        assert valid_filing_of(alice_verified) == filing  # its last day still counts
    later = timezone.make_aware(dt.datetime.combine(filing.valid_until + dt.timedelta(days=1), dt.time(9)))
    with time_machine.travel(later, tick=False):
        assert valid_filing_of(alice_verified) is None
        assert not Filing.objects.get(pk=filing.pk).is_valid
        again = submit(alice_verified, people["alice"], fields)
        assert again.state == F.SUBMITTED and again.pk != filing.pk


# --- refusals at the door ------------------------------------------------------------------

def refused(code, **kwargs):
    cases, attachments = Case.objects.filter(service="PEF").count(), Attachment.objects.count()
    with pytest.raises(WorkflowError) as err:
        filing_submit(**kwargs)
    assert err.value.code == code, err.value.message
    assert Case.objects.filter(service="PEF").count() == cases and Attachment.objects.count() == attachments
    return err.value


def args(org, owner, field_map, **overrides):
    values = {"user": owner, "organization": org, "fields": [field_map["new_materials"]], "business_scope": SCOPE,
              "contact_name": "张工", "contact_phone": "0472-1234567", "licence": pdf_upload("licence.pdf")}
    values.update(overrides)
    return values


def test_only_the_owner_applies(people, alice_verified, fields):
    for who in ("carol", "bob", "clerk"):
        err = refused("forbidden", **args(alice_verified, people[who], fields))
        assert err.status == 403


def test_an_unverified_organization_is_refused(alice, alice_org, fields):
    refused("organization_not_verified", **args(alice_org, alice, fields))


def test_an_organization_outside_the_region_is_refused(fields, clerk):
    owner = make_user("dave")
    org = make_org(owner, "北京海淀科技有限公司", 10000010, address="北京市海淀区中关村大街1号")
    org.uscc = make_uscc("110108", 10000010)
    org.save()
    verify(org, owner, clerk)
    err = refused("outside_region", **args(org, owner, fields))
    assert "110108" in err.message and "内蒙古" in err.message and "organization" in err.fields


def test_an_inner_mongolian_code_with_a_beijing_address_is_in_the_region(fields, clerk):
    """The credit code's region decides, not where the office is."""
    owner = make_user("erin")
    org = make_org(owner, "包头驻京办新材料有限公司", 10000011, address="北京市海淀区中关村大街2号")
    verify(org, owner, clerk)
    filing, created = filing_submit(**args(org, owner, fields))
    assert created and filing.checks["in_region"] and filing.checks["region_code"] == "150203"


@pytest.mark.parametrize("kind", [OrganizationKind.INDIVIDUAL, OrganizationKind.AGENCY, OrganizationKind.GOVERNMENT])
def test_only_independent_legal_entities_file(kind, fields, clerk):
    owner = make_user("frank")
    org = make_org(owner, "张三" if kind == OrganizationKind.INDIVIDUAL else "包头知识产权代理事务所", 10000012,
                   kind=kind)
    verify(org, owner, clerk)
    err = refused("not_legal_entity", **args(org, owner, fields))
    assert "organization" in err.fields


@pytest.mark.parametrize("kind", [OrganizationKind.UNIVERSITY, OrganizationKind.INSTITUTE])
def test_universities_and_institutes_file(kind, fields, clerk):
    owner = make_user("grace")
    org = make_org(owner, "内蒙古科技大学", 10000013, kind=kind)
    verify(org, owner, clerk)
    assert filing_submit(**args(org, owner, fields))[1]


def test_no_field_is_refused(alice, alice_verified, fields):
    err = refused("no_field", **args(alice_verified, alice, fields, fields=[]))
    assert "fields" in err.fields


def test_a_business_scope_outside_the_fields_is_refused(alice, alice_verified, fields):
    err = refused("scope_outside_fields", **args(alice_verified, alice, fields, fields=[fields["biology"]]))
    assert "疫苗" in err.message and "business_scope" in err.fields
    refused("scope_outside_fields", **args(alice_verified, alice, fields, business_scope="  "))
    # one chosen field in scope is enough; the checks show which
    filing, _ = filing_submit(**args(alice_verified, alice, fields, fields=[fields["biology"], fields["new_energy"]]))
    assert filing.checks["scope"] == {"biology": False, "new_energy": True}


@pytest.mark.parametrize("by", ["organization", "uscc"])
def test_an_abnormal_filing_record_refuses(by, alice, alice_verified, fields):
    record = AbnormalFilingRecord.objects.create(
        organization=alice_verified if by == "organization" else None,
        uscc=alice_verified.uscc if by == "uscc" else "", name=alice_verified.name,
        reason="非正常专利申请", recorded_on=timezone.localdate(), source="国知办函〔2025〕1号")
    err = refused("abnormal_filing", **args(alice_verified, alice, fields))
    assert "abnormal" in err.message.lower() or "非正常" in err.message
    record.active = False  # lifted: the organization may file
    record.save()
    assert filing_submit(**args(alice_verified, alice, fields))[1]


def test_the_licence_is_required(alice, alice_verified, fields):
    err = refused("licence_required", **args(alice_verified, alice, fields, licence=None))
    assert "licence" in err.fields


def test_one_open_filing_at_a_time(people, alice, alice_verified, fields):
    first = submit(alice_verified, alice, fields)
    for state in (F.SUBMITTED, F.IN_REVIEW, F.RETURNED):
        first = Filing.objects.get(pk=first.pk)
        if state != F.SUBMITTED:
            first = take(first, PATH_TO[state][-1], "clerk", people)
        err = refused("duplicate_filing", **args(alice_verified, alice, fields))
        assert first.case.number in err.message and err.status == 409
    take(first, "withdraw", "alice", people)
    assert filing_submit(**args(alice_verified, alice, fields))[1]


def test_a_rejected_organization_may_apply_again(people, alice, alice_verified, fields):
    bring_to(F.REJECTED, submit(alice_verified, alice, fields), people)
    assert filing_submit(**args(alice_verified, alice, fields))[1]


def test_an_already_filed_organization_is_refused(people, alice, alice_verified, fields):
    file_org(alice_verified, alice, people["clerk"], [fields["new_materials"]])
    err = refused("already_filed", **args(alice_verified, alice, fields))
    assert err.status == 409


def test_submission_records_the_checks_and_the_organization(alice, alice_verified, fields, clerk):
    filing, created = filing_submit(**args(alice_verified, alice, fields))
    assert created and filing.state == F.SUBMITTED
    assert filing.checks == {"region_code": "150203", "in_region": True, "legal_entity": True,
                             "scope": {"new_materials": True}, "abnormal_records": []}
    assert filing.snapshot["uscc"] == alice_verified.uscc and filing.snapshot["name"] == alice_verified.name
    assert list(filing.fields.all()) == [fields["new_materials"]]
    case = filing.case
    assert case.service == "PEF" and case.assignee_role == Role.CLERK and case.deadline is not None
    assert Attachment.objects.get(case=case).kind == "licence"
    assert Notification.objects.filter(recipient=clerk, case=case).exists()


def test_a_replayed_submission_returns_the_first_filing(alice, alice_verified, fields):
    first, created = filing_submit(**args(alice_verified, alice, fields, idempotency_key="pef-1"))
    again, created_again = filing_submit(**args(alice_verified, alice, fields, idempotency_key="pef-1"))
    assert created and not created_again and again.pk == first.pk
    assert Case.objects.filter(service="PEF").count() == 1 and Attachment.objects.filter(case=first.case).count() == 1
    # another key is another submission, refused while the first is open
    refused("duplicate_filing", **args(alice_verified, alice, fields, idempotency_key="pef-2"))

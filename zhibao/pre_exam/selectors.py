"""Reads of the pre-examination channel for its staff, filtered by the user: the examiner's
worklist, the field lead's assignment board, the overdue list and what the case page shows
to whom. Each starts from core.selectors.cases_visible_to, so nobody reads here a case the
rule core.view_case would hide."""

import datetime as dt
from dataclasses import dataclass
from dataclasses import field as dc_field

from django.db.models import Case as CaseWhen
from django.db.models import IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from zhibao.core.attachments.selectors import attachments_for
from zhibao.core.choices import Role
from zhibao.core.rules import role_names
from zhibao.core.selectors import cases_visible_to
from zhibao.core.workdays import working_days_between

from . import rules as r
from .choices import PRE_EXAM_CLOSED_STATES, DocumentKind, PreExamState
from .locarno import class_title as locarno_class_title
from .models import FormalCheckItem, PreExamCase, TechnicalField

S = PreExamState
# The states a lead may move a case between examiners in (PreExamCase.reassign's sources).
REASSIGNABLE_STATES = (S.ASSIGNED, S.EXAMINING, S.CORRECTION)
OPEN_STATES = tuple(s for s in S if s not in PRE_EXAM_CLOSED_STATES)
# Attachment kinds the case page lists as application documents, in the order of the request.
DOCUMENT_KINDS = [(k.value, k.label) for k in DocumentKind]


def is_leader(user) -> bool:
    return Role.LEADER in role_names(user)


def fields_served_by(user) -> QuerySet[TechnicalField]:
    """The fields whose cases the user works on: as one of its examiners or its lead
    (rules.serves_field, as a queryset)."""
    if Role.EXAMINER not in role_names(user):
        return TechnicalField.objects.none()
    return TechnicalField.objects.filter(Q(lead=user) | Q(examiners=user)).distinct()


def fields_led_by(user) -> QuerySet[TechnicalField]:
    if not getattr(user, "is_authenticated", False):
        return TechnicalField.objects.none()
    return TechnicalField.objects.filter(lead=user)


def fields_in_view(user) -> QuerySet[TechnicalField]:
    """What the workbench's lists cover: every field for a leader, else the fields served or led."""
    if is_leader(user):
        return TechnicalField.objects.all()
    return TechnicalField.objects.filter(
        Q(pk__in=fields_served_by(user).values("pk")) | Q(pk__in=fields_led_by(user).values("pk")))


def pre_exam_cases_visible_to(user) -> QuerySet[PreExamCase]:
    return (PreExamCase.objects.filter(case__in=cases_visible_to(user).filter(service="PE").values("pk"))
            .select_related("case", "case__assignee", "case__organization", "field"))


def _not_own(qs: QuerySet[PreExamCase], user) -> QuerySet[PreExamCase]:
    """Nobody works on a case of their own or their organization's (separation of duties)."""
    from zhibao.accounts.models import Membership

    return qs.exclude(case__applicant=user).exclude(
        case__organization_id__in=Membership.objects.filter(user=user).values("organization_id"))


def _overdue_first(qs: QuerySet[PreExamCase]) -> QuerySet[PreExamCase]:
    today = timezone.localdate()
    return qs.annotate(overdue_rank=CaseWhen(When(case__deadline__lt=today, then=Value(0)), default=Value(1),
                                             output_field=IntegerField())
                       ).order_by("overdue_rank", "case__deadline", "case__submitted_at", "pk")


SCOPES = ("fields", "mine", "unassigned")


def worklist_cases(user, *, field: TechnicalField | None = None, state: str = "", scope: str = "fields"
                   ) -> QuerySet[PreExamCase]:
    """The examiner's worklist: open cases of the fields in view, overdue first, then by deadline.

    `scope` "mine" keeps the cases assigned to the user, "unassigned" those with nobody yet
    (awaiting the formal check), "fields" everything of the fields.
    """
    qs = _not_own(pre_exam_cases_visible_to(user), user).filter(
        field__in=fields_in_view(user), case__closed_at__isnull=True)
    if field is not None:
        qs = qs.filter(field=field)
    if state:
        qs = qs.filter(state=state)
    if scope == "mine":
        qs = qs.filter(case__assignee=user)
    elif scope == "unassigned":
        qs = qs.filter(case__assignee__isnull=True)
    return _overdue_first(qs)


@dataclass
class ExaminerRow:
    user: object
    workload: int
    cases: list = dc_field(default_factory=list)


@dataclass
class FieldBoard:
    field: TechnicalField
    editable: bool  # the user leads it (a leader sees other fields read-only)
    examiners: list[ExaminerRow]
    awaiting_check: list[PreExamCase]
    others: list[PreExamCase]  # open cases with an assignee who no longer serves the field

    @property
    def examiner_choices(self) -> list:
        return [row.user for row in self.examiners]


def board_fields(user) -> QuerySet[TechnicalField]:
    """The fields on the user's assignment board: those they lead; a leader sees all."""
    return TechnicalField.objects.all() if is_leader(user) else fields_led_by(user)


def board_for(user) -> list[FieldBoard]:
    """For each field on the board: its examiners with their workload (examiners_of, the same
    figure automatic assignment balances) and open cases, and the cases awaiting the formal check."""
    from .services.assignment import examiners_of

    led = set(fields_led_by(user).values_list("pk", flat=True))
    boards = []
    visible = _not_own(pre_exam_cases_visible_to(user), user).filter(case__closed_at__isnull=True)
    for f in board_fields(user).filter(active=True):
        rows = {u.pk: ExaminerRow(user=u, workload=u.workload) for u in examiners_of(f)}
        cases = list(_overdue_first(visible.filter(field=f)))
        awaiting, others = [], []
        for c in cases:
            if c.state == S.SUBMITTED:
                awaiting.append(c)
            elif c.case.assignee_id in rows:
                rows[c.case.assignee_id].cases.append(c)
            elif c.case.assignee_id:
                others.append(c)
        boards.append(FieldBoard(field=f, editable=f.pk in led, examiners=list(rows.values()),
                                 awaiting_check=awaiting, others=others))
    return boards


@dataclass
class OverdueRow:
    detail: PreExamCase
    days_overdue: int  # working days past the deadline


def overdue_cases(user, today: dt.date | None = None) -> list[OverdueRow]:
    """Open cases of the fields in view whose deadline has passed, the longest overdue first,
    with the working days since the deadline."""
    today = today or timezone.localdate()
    qs = (_not_own(pre_exam_cases_visible_to(user), user)
          .filter(field__in=fields_in_view(user), case__closed_at__isnull=True, case__deadline__lt=today)
          .order_by("case__deadline", "case__submitted_at", "pk"))
    counted: dict[dt.date, int] = {}
    rows = []
    for detail in qs:
        deadline = detail.case.deadline
        if deadline not in counted:
            counted[deadline] = working_days_between(deadline, today)
        rows.append(OverdueRow(detail=detail, days_overdue=counted[deadline]))
    return rows


# --- the case page -----------------------------------------------------------------------------

def _documents(detail: PreExamCase, user) -> list[dict]:
    """The application documents by kind, every version newest first, with the current and the
    previous version when both are PDFs (the page shows them side by side). A kind the patent
    type does not require is left out while nothing was uploaded for it."""
    from .services.intake import REQUIRED_DOCUMENTS

    case = detail.case
    required = {k.value for k in REQUIRED_DOCUMENTS.get(detail.patent_type, ())}
    found: dict[str, list] = {}
    for a in attachments_for(case, user).filter(kind__in=[k for k, _label in DOCUMENT_KINDS] + ["pe_search_report"]):
        found.setdefault(a.kind, []).append(a)
    from zhibao.core.attachments.kinds import KINDS

    groups = []
    for code in [k for k, _label in DOCUMENT_KINDS] + ["pe_search_report"]:
        versions = sorted(found.get(code, []), key=lambda a: a.created_at, reverse=True)
        if not versions and code not in required:
            continue
        kind = KINDS.get(code)
        comparable = (len(versions) >= 2 and versions[0].content_type == "application/pdf"
                      and versions[1].content_type == "application/pdf")
        groups.append({"code": code, "label": kind.label if kind else code, "versions": versions,
                       "current": versions[0] if versions else None,
                       "previous": versions[1] if len(versions) > 1 else None, "comparable": comparable})
    return groups


def _suggestion(detail: PreExamCase) -> dict | None:
    s = detail.suggestion or {}
    if not s:
        return None
    subclasses = [{"code": code, "confidence": float(conf), "percent": round(float(conf) * 100)}
                  for code, conf in s.get("subclasses", [])]
    suggested = s.get("field", "")
    confidence = float(s.get("field_confidence") or 0)
    return {
        "subclasses": subclasses, "field": suggested, "field_name": s.get("field_name") or suggested,
        "field_confidence": confidence, "field_percent": round(confidence * 100),
        "differs": bool(suggested) and suggested != detail.field.code, "trained_on": s.get("trained_on", 0),
    }


def _formal_check(detail: PreExamCase) -> dict | None:
    fc = detail.formal_check or {}
    if not fc:
        return None
    from django.contrib.auth import get_user_model

    labels = dict(FormalCheckItem.objects.filter(code__in=list(fc.get("items", {}))).values_list("code", "label"))
    at = fc.get("at")
    return {
        "passed": bool(fc.get("passed")),
        "by": get_user_model().objects.filter(pk=fc.get("by")).first() if fc.get("by") else None,
        "at": dt.datetime.fromisoformat(at) if at else None,
        "items": [{"code": code, "label": labels.get(code, code), "passed": bool(ok)}
                  for code, ok in fc.get("items", {}).items()],
    }


def case_panel(*, detail: PreExamCase, user, transitions=None) -> dict:
    """What pre_exam/case_pe.html shows this user: the staff see the suggestion, the formal check,
    the drafts and the forms of the steps they may take (`transitions`, available_transitions);
    the applicant side sees its own panel. The steps themselves check permissions again."""
    from zhibao.core.services.cases import available_transitions

    from .services.assignment import examiners_of
    from .services.opinions import latest_draft
    from .services.workflow import checklist_for

    case = detail.case
    own = r.is_own_case(user, case)
    staff = not own and r.works_in_pre_exam(user)
    if transitions is None:
        transitions = available_transitions(detail, user)
    may = {t["name"] for t in transitions}
    lead = r.field_lead(detail, user)
    opinions = list(detail.opinions.select_related("examiner", "letter"))
    draft = latest_draft(detail) if staff else None
    panel = {
        "own": own,
        "staff": staff,
        "may": may,
        "is_lead": lead,
        "documents": _documents(detail, user),
        "notices": list(detail.notices.select_related("letter", "issued_by")),
        "opinions": [o for o in reversed(opinions) if staff or not o.is_draft],
        "suggestion": _suggestion(detail) if staff else None,
        "locarno": [{"code": c, "title": locarno_class_title(c)} for c in detail.locarno_codes or []],
        "formal_check": _formal_check(detail) if staff else None,
        "draft": draft,
        "may_write_opinion": staff and detail.state == S.EXAMINING and r.assigned_examiner(detail, user),
        "checklist": checklist_for(detail) if may & {"pass_formal_check", "fail_formal_check"} else [],
        "examiners": [],
        "today": timezone.localdate(),
    }
    if lead and (may & {"reassign", "pass_formal_check"}):
        panel["examiners"] = [u for u in examiners_of(detail.field) if not r.is_own_case(u, case)]
    return panel


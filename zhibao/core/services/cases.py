"""Writes to the case index: numbering, submission and the one way to move any case.

Every service's workflow goes through `case_submit` and `case_transition`, so each step
writes its CaseEvent, updates the index row and notifies whom it concerns in the same
transaction, whatever the service.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, has_transition_perm

from ..models import Case, CaseEvent, CaseSequence
from ..registry import ServiceSpec, registry
from ..workdays import add_working_days
from .notifications import notify_case_event


@dataclass
class WorkflowError(Exception):
    """A refused workflow step, with a machine code and a message for the person."""

    code: str
    message: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    status: int = 409

    def __str__(self) -> str:
        return self.message


def case_number_next(*, service: str, year: int) -> str:
    """Issue the next number `<SERVICE>-<YYYY>-<NNNNNN>` for the service and year.

    Called inside the submitting transaction, so a rolled-back submission gives its number
    back and the sequence stays gap-free. The UPDATE takes the row lock (PostgreSQL) or
    runs inside the IMMEDIATE write lock (SQLite), so concurrent submitters queue here.
    """
    CaseSequence.objects.get_or_create(service=service, year=year)
    CaseSequence.objects.filter(service=service, year=year).update(last=F("last") + 1)
    last = CaseSequence.objects.get(service=service, year=year).last
    return f"{service}-{year}-{last:06d}"


def _spec_for(detail: models.Model) -> ServiceSpec:
    spec = registry.get(detail.case.service)
    if spec is None:
        raise WorkflowError("unknown_service", _("This case belongs to a service that is not installed."))
    return spec


def _sync_case(*, case: Case, spec: ServiceSpec, state: str, when, detail=None) -> None:
    """Mirror the service record's new state onto the index row, with its deadline."""
    case.status = state
    case.assignee_role = spec.responsible_role.get(state, "")
    if state in spec.closed_states:
        case.closed_at = case.closed_at or when
        case.deadline = None
    else:
        case.closed_at = None
        if spec.deadline is not None and detail is not None:
            case.deadline = spec.deadline(detail, state, timezone.localdate(when))
        else:
            limit = spec.time_limits.get(state)
            case.deadline = add_working_days(timezone.localdate(when), limit) if limit else None
    case.last_event_at = when


def case_submit(
    *,
    service: str,
    title: str,
    applicant,
    organization=None,
    idempotency_key: str = "",
    create_detail: Callable[[Case], models.Model],
    comment: str = "",
    payload: dict[str, Any] | None = None,
) -> tuple[models.Model, bool]:
    """Open a case in `service` and its service record; returns (record, created).

    A replay with the same idempotency key by the same applicant returns the record the
    first call made and creates nothing (a double click, a retried request).
    """
    spec = registry.get(service)
    if spec is None:
        raise WorkflowError("unknown_service", _("Unknown service %(code)s.") % {"code": service})
    key = (idempotency_key or "").strip()[:64]

    def replay():
        existing = Case.objects.filter(applicant=applicant, service=service, idempotency_key=key).first()
        return (existing.detail, False) if existing else None

    if key and (found := replay()):
        return found
    try:
        with transaction.atomic():
            now = timezone.now()
            case = Case(
                number=case_number_next(service=service, year=timezone.localdate(now).year),
                service=service,
                title=title,
                applicant=applicant,
                organization=organization,
                submitted_at=now,
                idempotency_key=key,
                status="",
            )
            case.save()
            detail = create_detail(case)
            state = detail.state
            _sync_case(case=case, spec=spec, state=state, when=now, detail=detail)
            case.save()
            event = CaseEvent.objects.create(
                case=case, actor=applicant, transition="submit", from_state="", to_state=state,
                comment=comment, payload=payload or {}, created_at=now,
            )
            notify_case_event(event)
    except IntegrityError:
        if key and (found := replay()):
            return found
        raise
    return detail, True


def transition_meta(spec: ServiceSpec, name: str) -> dict:
    return spec.transitions().get(name, {})


def available_transitions(detail: models.Model, user) -> list[dict]:
    """The transitions `user` may take on this record now, as {name, label, style, comment}."""
    spec = _spec_for(detail)
    if user is None or not user.is_authenticated:
        return []
    result = []
    for t in detail.get_available_user_state_transitions(user):
        custom = t.custom or {}
        result.append(
            {
                "name": t.name,
                "label": str(custom.get("label", t.name)),
                "style": custom.get("style", "primary"),
                "comment": custom.get("comment", "optional"),
                # The service's page has its own form for this step (it needs more than a comment).
                "form": bool(custom.get("form")),
                # A step whose target depends on the record (django-fsm RETURN_VALUE) has none to show.
                "target": t.target if isinstance(t.target, str) else "",
                "target_label": spec.status_label(t.target) if isinstance(t.target, str) else "",
            }
        )
    return result


def case_transition(*, detail: models.Model, name: str, actor, comment: str = "", payload: dict | None = None):
    """Take transition `name` on a service record as `actor`; returns the updated record.

    The record is re-read under lock, so of two conflicting requests exactly one succeeds;
    the other finds the state already changed and gets a clear error.
    """
    spec = _spec_for(detail)
    comment = (comment or "").strip()
    payload = payload or {}
    meta = spec.transitions()
    if name not in meta:
        raise WorkflowError(
            "unknown_transition", _("There is no action “%(name)s” for this kind of case.") % {"name": name}, status=404
        )
    try:
        with transaction.atomic():
            locked = type(detail).objects.select_for_update().select_related("case").get(pk=detail.pk)
            method = getattr(locked, name)
            from_state = locked.state
            if not any(t.name == name for t in locked.get_available_state_transitions()):
                raise WorkflowError(
                    "transition_not_allowed",
                    _("This action is not possible now: the case is “%(state)s”. Reload the page to see its current state.")
                    % {"state": spec.status_label(from_state)},
                )
            if not has_transition_perm(method, actor):
                raise WorkflowError("forbidden", _("You are not allowed to take this action on this case."), status=403)
            if meta[name].get("comment") == "required" and not comment:
                raise WorkflowError(
                    "comment_required",
                    _("Please give a reason."),
                    fields={"comment": [_("A reason is required for this action.")]},
                    status=400,
                )
            method(actor=actor, comment=comment, payload=payload)
            locked.full_clean(exclude=["case", "state"])  # state is FSM-protected
            locked.save()
            now = timezone.now()
            case = locked.case
            _sync_case(case=case, spec=spec, state=locked.state, when=now, detail=locked)
            case.save()
            event = CaseEvent.objects.create(
                case=case, actor=actor, transition=name, from_state=from_state, to_state=locked.state,
                comment=comment, payload=payload, created_at=now,
            )
            notify_case_event(event)
    except ConcurrentTransition:
        raise WorkflowError(
            "conflict", _("Someone else changed this case at the same moment. Reload the page and try again.")
        )
    return locked

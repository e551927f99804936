"""优先审查 recommendations (service PER): intake, the yearly quota per field, CNIPA's answer.

The center may recommend only so many requests per field and calendar year (the quota CNIPA
allots it); a recommendation takes one place of the current year's quota, under a lock on the
field so two examiners cannot both take the last place.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibao.core.services.cases import WorkflowError, case_submit
from zhibao.patents.normalize import NormalizeError, normalize_application_number

from ..choices import PriorityGround, PriorityState
from ..models import PreExamCase, PriorityRequest, TechnicalField
from .uploads import StoredFiles, checked

_COUNTED = (PriorityState.RECOMMENDED, PriorityState.ACCEPTED, PriorityState.REFUSED)
_OPEN = (PriorityState.SUBMITTED, PriorityState.IN_REVIEW, PriorityState.RECOMMENDED)


def quota_used(field, year: int) -> int:
    return PriorityRequest.objects.filter(field=field, year=year, state__in=_COUNTED).count()


def quota_left(field, year: int | None = None) -> int:
    year = year or timezone.localdate().year
    return max(0, field.priority_quota - quota_used(field, year))


def priority_quota_take(request: PriorityRequest) -> None:
    """Called by the recommend transition (inside its transaction): refuse past the quota."""
    year = timezone.localdate().year
    field = TechnicalField.objects.select_for_update().get(pk=request.field_id)
    used = quota_used(field, year)
    if used >= field.priority_quota:
        raise WorkflowError("quota_exhausted", _(
            "The field “%(field)s” has used its %(quota)d recommendations for %(year)d; no more can be made "
            "this year.") % {"field": field.name, "quota": field.priority_quota, "year": year})
    request.year = year


def priority_decision_date(payload: dict) -> dt.date:
    from .workflow import _date

    return _date(payload, "cnipa_decided_on", default=timezone.localdate(), label=_("CNIPA's decision date"))


@transaction.atomic
def priority_submit(*, user, organization, application_number: str, title: str, field, ground: str,
                    ground_detail: str, search_report, idempotency_key: str = "") -> tuple[PriorityRequest, bool]:
    key = (idempotency_key or "").strip()
    if key and (existing := organization.cases.filter(service="PER", applicant=user,
                                                      idempotency_key=key[:64]).first()):
        return existing.detail, False
    if not organization.memberships.filter(user=user).exists():
        raise WorkflowError("forbidden", _("You may submit only for an organization you belong to."), status=403)
    try:
        number = normalize_application_number(application_number)
    except NormalizeError as exc:
        raise WorkflowError("bad_number", str(exc), fields={"application_number": [str(exc)]}, status=400)
    if not number.startswith("CN"):
        raise WorkflowError("not_cnipa_number", _("%(number)s is not a CNIPA application number.") % {"number": number},
                            fields={"application_number": [_("Give the number CNIPA issued (12 digits and a check character).")]},
                            status=400)
    if ground not in PriorityGround.values:
        raise WorkflowError("bad_ground", _("Choose the ground of the request."),
                            fields={"ground": [_("Required.")]}, status=400)
    if field is None:
        raise WorkflowError("no_field", _("Choose the technical field."), fields={"field": [_("Required.")]},
                            status=400)
    if not (ground_detail or "").strip():
        raise WorkflowError("incomplete", _("Explain why the ground applies."),
                            fields={"ground_detail": [_("Required.")]}, status=400)
    if PriorityRequest.objects.filter(application_number=number, state__in=_OPEN).exists():
        raise WorkflowError("duplicate_request", _("A request for %(number)s is already open.") % {"number": number},
                            status=409)
    if search_report is None:
        raise WorkflowError("report_required", _("Attach the prior-art search report (PDF or DOCX)."),
                            fields={"search_report": [_("Required.")]}, status=400)
    clean = checked("pe_search_report", search_report)
    linked = PreExamCase.objects.filter(cnipa_application_number=number, filing__organization=organization).first()

    def create(case):
        return PriorityRequest.objects.create(
            case=case, organization=organization, field=field, pre_exam_case=linked, application_number=number,
            title=(title or (linked.title if linked else "")).strip()[:200] or number, ground=ground,
            ground_detail=ground_detail.strip(),
        )

    with StoredFiles() as files:
        request, created = case_submit(service="PER", title=(title or number)[:200], applicant=user,
                                       organization=organization, idempotency_key=key, create_detail=create)
        if created:
            files.add(case=request.case, kind="pe_search_report", upload=clean, user=user)
    return request, created

"""Automatic assignment: the examiner of the case's field with the least work on the desk
(assigned, in pre-examination, awaiting a reply), ties to the one assigned longest ago; the
field lead may override it. Nobody is given a case of their own organization."""

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Max, Q
from django.utils.translation import gettext as _

from zhibao.core.choices import Role
from zhibao.core.services.cases import WorkflowError

from ..choices import WORKLOAD_STATES
from ..rules import is_own_case, serves_field


def examiners_of(field):
    """The field's active examiners (and its lead), with their current workload and last assignment."""
    users = get_user_model().objects.filter(is_active=True, groups__name=Role.EXAMINER)
    return (users.filter(Q(pre_exam_fields=field) | Q(pk=field.lead_id)).distinct()
            .annotate(workload=Count("assigned_cases", filter=Q(assigned_cases__service="PE",
                                                                assigned_cases__status__in=WORKLOAD_STATES),
                                     distinct=True),
                      last_assigned=Max("assigned_cases__pre_exam_case__assigned_at"))
            # Never assigned sorts first on every database (PostgreSQL puts NULL last by default).
            .order_by("workload", F("last_assigned").asc(nulls_first=True), "pk"))


def examiner_pick(detail):
    """The examiner automatic assignment gives the case to."""
    for user in examiners_of(detail.field):
        if not is_own_case(user, detail.case):
            return user
    raise WorkflowError("no_examiner", _(
        "The field “%(field)s” has no examiner who may take this case; ask the administrator to add one.")
        % {"field": detail.field.name})


def examiner_check(detail, user_id) -> object:
    """The examiner a lead chose: must exist, serve the field and not be on the applicant side."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if str(user_id).isdigit() else None
    if user is None or not serves_field(user, detail.field):
        raise WorkflowError("bad_examiner", _("Choose an examiner of the field “%(field)s”.")
                            % {"field": detail.field.name}, fields={"examiner": [_("Not an examiner of the field.")]},
                            status=400)
    if is_own_case(user, detail.case):
        raise WorkflowError("bad_examiner", _("%(name)s belongs to the applicant's organization.") % {"name": user},
                            fields={"examiner": [_("On the applicant's side.")]}, status=400)
    return user


def field_examiners_of_case(case):
    """Who is told of a PE case waiting for the formal check or a step of staff: the examiners
    and the lead of its field, not the whole platform's examiners, and nobody of the applicant's
    organization."""
    detail = case.pre_exam_case
    return [user for user in examiners_of(detail.field) if not is_own_case(user, case)]

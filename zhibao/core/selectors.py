"""Reads of the case index, filtered by the user: pages, API and exports call these."""

from django.db.models import Case as CaseWhen
from django.db.models import IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from .choices import Role
from .models import Case, CaseEvent, Notification
from .rules import role_names


def _last_event():
    return Subquery(CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-created_at", "-id").values("transition")[:1])


def _my_organization_ids(user):
    # A subquery, not a join: no DISTINCT needed, and the planner keeps using the indexes.
    from zhibao.accounts.models import Membership

    return Membership.objects.filter(user=user).values("organization_id")


def cases_visible_to(user) -> QuerySet[Case]:
    """Every case `user` may open (the queryset twin of the rule core.view_case)."""
    if not user.is_authenticated:
        return Case.objects.none()
    from .registry import registry

    roles = role_names(user)
    qs = Case.objects.select_related("applicant", "organization", "assignee")
    if Role.LEADER in roles:
        return qs
    q = Q(applicant=user) | Q(organization_id__in=_my_organization_ids(user)) | Q(assignee=user)
    if roles:
        q |= Q(assignee_role__in=roles)
        services = registry.services_handled_by(roles - {Role.EXPERT})
        if services:
            q |= Q(service__in=services)
    return qs.filter(q)


def cases_of_applicant(user) -> QuerySet[Case]:
    """“我的办件”: cases the user submitted or that belong to their organizations."""
    return (
        Case.objects.select_related("organization", "assignee")
        .filter(Q(applicant=user) | Q(organization_id__in=_my_organization_ids(user)))
        .annotate(last_event=_last_event())
    )


def worklist_for(user) -> QuerySet[Case]:
    """“待办”: open cases assigned to the user or waiting for one of their roles, overdue first."""
    roles = role_names(user)
    if not roles:
        return Case.objects.none()
    today = timezone.localdate()
    # A case in a state where nobody of the staff acts next (the applicant owes a reply, CNIPA a
    # decision) has no responsible role: it waits for someone else, not for its assignee.
    q = (Q(assignee=user) & ~Q(assignee_role="")) | Q(assignee__isnull=True, assignee_role__in=roles)
    return (
        Case.objects.open()
        .filter(q)
        .exclude(applicant=user)  # nobody works on their own case
        .select_related("applicant", "organization", "assignee")
        .annotate(last_event=_last_event())
        .annotate(
            overdue_rank=CaseWhen(
                When(deadline__lt=today, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("overdue_rank", "deadline", "submitted_at")
    )


def notifications_of(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("case")


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

from django.db.models import QuerySet

from zhibao.core.rules import role_names

from .models import Organization, User
from .rules import is_org_staff


def organizations_visible_to(user) -> QuerySet[Organization]:
    """Members see their own organizations; staff who handle organizations see all."""
    if not user.is_authenticated:
        return Organization.objects.none()
    qs = Organization.objects.select_related("league", "banner")
    if role_names(user) and is_org_staff(user):
        return qs
    return qs.filter(memberships__user=user).distinct()


def organization_members(organization: Organization | int, *, roles=None) -> QuerySet[User]:
    """The active users who belong to an organization (the object or its id): whom to tell when
    something reaches it. `roles` (MembershipRole values) keeps only the members with one of them.
    A user has one membership per organization (membership_unique), so each comes once."""
    members = {"memberships__organization": organization}
    if roles is not None:
        members["memberships__role__in"] = list(roles)
    return User.objects.filter(is_active=True, **members)

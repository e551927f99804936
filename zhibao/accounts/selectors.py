from django.db.models import QuerySet

from zhibao.core.rules import role_names

from .models import Organization
from .rules import is_org_staff


def organizations_visible_to(user) -> QuerySet[Organization]:
    """Members see their own organizations; staff who handle organizations see all."""
    if not user.is_authenticated:
        return Organization.objects.none()
    qs = Organization.objects.select_related("league", "banner")
    if role_names(user) and is_org_staff(user):
        return qs
    return qs.filter(memberships__user=user).distinct()

"""Operation events of the marketplace (the seeds' "4,900 enterprises performed 1.16 million
operations"): one row per search, view, contact, evaluation, interest, intent, deal and open
licence taken, which the statistics count by month, institution, industry and league.

Every area calls `operation_record` where the use happens (the pool's search and patent page,
a contact, an evaluation, a match's answer, a deal's intent …); it never refuses: a use that
cannot be counted must not break the page that served it, so a bad kind is the caller's bug
(ValueError) while everything else is written as given.
"""

from django.db import transaction

from ..choices import OperationKind
from ..models import Operation


def _organization_of(user):
    """The user's organization when they belong to exactly one (what statistics attribute the
    use to); None for several or none — the caller passes the one acting when it knows it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    ids = list(user.memberships.values_list("organization_id", flat=True)[:2])
    if len(ids) == 1:
        from zhibao.accounts.models import Organization

        return Organization(pk=ids[0])
    return None


@transaction.atomic
def operation_record(*, kind: str, user, organization=None, pool_patent=None, demand=None,
                     detail: str = "") -> Operation:
    """Count one use of the marketplace. `organization` defaults to the user's only one."""
    if kind not in OperationKind.values:
        raise ValueError(f"unknown operation kind {kind!r}; known: {', '.join(OperationKind.values)}")
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if organization is None:
        organization = _organization_of(user)
    return Operation.objects.create(
        kind=kind, user=user, organization_id=getattr(organization, "pk", None),
        pool_patent_id=getattr(pool_patent, "pk", None), demand_id=getattr(demand, "pk", None),
        detail=(detail or "")[:200],
    )

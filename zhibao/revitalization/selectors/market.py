"""Reads of roadshows, deals and open licences, filtered by the user: the pages, the API and the
Excel exports call these, so who sees what is written once.

- Roadshows are announced to every signed-in user; a registration is seen by its enterprise's
  members and the center (operators, leaders).
- A deal is seen by its two parties (the holder's and the enterprise's members, the applicant)
  and by the center; nobody else learns that it exists (an object URL answers 404).
- A published or withdrawn open licence is a public standing offer (专利法 第五十条第二款: the
  office announces it); a declaration still in review is seen by its holder and the center.
"""

from django.db.models import Q, QuerySet

from ..choices import OpenLicenceState
from ..models import Deal, OpenLicence, OpenLicenceGrant, Roadshow, RoadshowRegistration
from ..rules import is_leader, is_operator


def _my_organization_ids(user):
    from zhibao.accounts.models import Membership

    return Membership.objects.filter(user=user).values("organization_id")


def sees_all_market(user) -> bool:
    """The center's side: operators work on every deal and declaration, leaders read them."""
    return bool(getattr(user, "is_authenticated", False)) and (is_operator(user) or is_leader(user))


def roadshows_visible_to(user) -> QuerySet[Roadshow]:
    if not getattr(user, "is_authenticated", False):
        return Roadshow.objects.none()
    return Roadshow.objects.select_related("key_industry", "organizer")


def registrations_visible_to(user) -> QuerySet[RoadshowRegistration]:
    qs = RoadshowRegistration.objects.select_related("roadshow", "organization", "user")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if sees_all_market(user):
        return qs
    return qs.filter(organization_id__in=_my_organization_ids(user))


def deals_visible_to(user) -> QuerySet[Deal]:
    qs = Deal.objects.select_related("case__applicant", "pool_patent__patent", "pool_patent__holder", "seller",
                                     "buyer", "roadshow", "open_licence__case")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if sees_all_market(user):
        return qs
    mine = _my_organization_ids(user)
    return qs.filter(Q(seller_id__in=mine) | Q(buyer_id__in=mine) | Q(case__applicant=user))


PUBLIC_LICENCE_STATES = (OpenLicenceState.PUBLISHED, OpenLicenceState.WITHDRAWN)


def open_licences_visible_to(user) -> QuerySet[OpenLicence]:
    qs = OpenLicence.objects.select_related("case__applicant", "pool_patent__patent", "holder")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if sees_all_market(user):
        return qs
    return qs.filter(Q(state__in=PUBLIC_LICENCE_STATES) | Q(holder_id__in=_my_organization_ids(user))
                     | Q(case__applicant=user))


def open_licences_published() -> QuerySet[OpenLicence]:
    """The public list: the standing offers one may take now."""
    return (OpenLicence.objects.filter(state=OpenLicenceState.PUBLISHED)
            .select_related("case", "pool_patent__patent", "holder").prefetch_related("pool_patent__industries"))


def grants_visible_to(user) -> QuerySet[OpenLicenceGrant]:
    """Licences taken: seen by the licensee, the holder and the center."""
    qs = OpenLicenceGrant.objects.select_related("open_licence__case", "open_licence__holder",
                                                 "open_licence__pool_patent__patent", "licensee", "notice")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if sees_all_market(user):
        return qs
    mine = _my_organization_ids(user)
    return qs.filter(Q(licensee_id__in=mine) | Q(open_licence__holder_id__in=mine))

"""Reads of roadshows, deals and open licences, filtered by the user: the pages, the API and the
Excel exports call these, so who sees what is written once.

- Roadshows are announced to every signed-in user; a registration is seen by its enterprise's
  members and the center (operators, leaders).
- A deal is seen by its two parties (the holder's and the enterprise's members, the applicant)
  and by the center; nobody else learns that it exists (an object URL answers 404).
- A published or withdrawn open licence is a public standing offer (专利法 第五十条第二款: the
  office announces it); a declaration still in review is seen by its holder and the center.
"""

import django_filters
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import OpenLicenceState, RoadshowState
from ..models import Deal, KeyIndustry, OpenLicence, OpenLicenceGrant, Roadshow, RoadshowRegistration
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


WHEN_CHOICES = [("upcoming", _("Upcoming")), ("past", _("Past"))]


class RoadshowFilterSet(django_filters.FilterSet):
    """The roadshows list: the page (whose tabs are `when`), the API and the Excel export.
    Upcoming ones come soonest first, past ones latest first; without `when`, latest first."""

    when = django_filters.ChoiceFilter(label=_("When"), choices=WHEN_CHOICES, method="filter_when",
                                       empty_label=_("Upcoming and past"))
    q = django_filters.CharFilter(label=_("Title or place"), method="search", max_length=100)
    key_industry = django_filters.ModelChoiceFilter(
        label=_("Key industry"), queryset=KeyIndustry.objects.filter(active=True), to_field_name="code",
        empty_label=_("All key industries"))
    state = django_filters.ChoiceFilter(label=_("State"), choices=RoadshowState.choices, empty_label=_("All states"))

    class Meta:
        model = Roadshow
        fields = ["when", "q", "key_industry", "state"]

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(place__icontains=value)
                               | Q(description__icontains=value))

    def filter_when(self, queryset, name, value):
        now = timezone.now()
        if value == "upcoming":
            return queryset.filter(starts_at__gte=now).order_by("starts_at", "pk")
        if value == "past":
            return queryset.filter(starts_at__lt=now).order_by("-starts_at", "-pk")
        return queryset


def roadshows_filtered(queryset, data) -> tuple[RoadshowFilterSet, QuerySet[Roadshow]]:
    """The filter and its rows (latest first unless `when` orders them); an invalid filter value
    shows its error and no rows, never all of them."""
    filterset = RoadshowFilterSet(data or None, queryset=queryset.order_by("-starts_at", "-pk"))
    rows = filterset.qs if not filterset.is_bound or filterset.is_valid() else queryset.none()
    return filterset, rows


def roadshows_with_figures(queryset, user) -> QuerySet[Roadshow]:
    """The roadshows with their figures: patents presented, enterprises and people registered,
    enterprises that attended (once recorded), and intents — the deals opened from the roadshow
    that `user` may see (a deal is known to its parties and the center only, so a stranger's
    count leaves out the deals of others)."""
    intents = (deals_visible_to(user).filter(roadshow=OuterRef("pk")).order_by().values("roadshow")
               .annotate(n=Count("pk")).values("n"))
    registrations = RoadshowRegistration.objects.filter(roadshow=OuterRef("pk")).order_by().values("roadshow")
    return queryset.annotate(
        patents_count=Count("patents", distinct=True),
        registrations_count=Coalesce(Subquery(registrations.annotate(n=Count("pk")).values("n"),
                                              output_field=IntegerField()), 0),
        people_count=Coalesce(Subquery(registrations.annotate(n=Sum("attendees")).values("n"),
                                       output_field=IntegerField()), 0),
        attended_count=Coalesce(Subquery(registrations.filter(attended=True).annotate(n=Count("pk")).values("n"),
                                         output_field=IntegerField()), 0),
        intents_count=Coalesce(Subquery(intents, output_field=IntegerField()), 0),
    )


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

"""Reads of demands and matches, filtered by the user: pages, API and exports call these.

- A published demand is public to every signed-in user (the marketplace's list); any other
  state only to the enterprise's members, the center's operators and the leaders.
- A match is the center's working material: operators and leaders see every one; the
  enterprise sees the matches pushed for its demands, the holder those pushed for its patents.
"""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from zhibao.accounts.models import Membership
from zhibao.core.models import Industry, Region

from ..choices import CooperationMode, DemandState, MatchState
from ..models import Demand, KeyIndustry, Match
from ..rules import is_leader, is_operator


def _my_organizations(user):
    return Membership.objects.filter(user=user).values("organization_id")


def sees_all(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (is_operator(user) or is_leader(user)))


def _demands():
    return Demand.objects.select_related("case", "organization", "industry", "key_industry", "league")


def demands_visible_to(user) -> QuerySet[Demand]:
    if not getattr(user, "is_authenticated", False):
        return Demand.objects.none()
    if sees_all(user):
        return _demands()
    return _demands().filter(Q(state=DemandState.PUBLISHED) | Q(organization_id__in=_my_organizations(user))
                             | Q(case__applicant=user))


def demands_published() -> QuerySet[Demand]:
    return _demands().filter(state=DemandState.PUBLISHED).order_by("-published_at", "-pk")


def demands_of(user) -> QuerySet[Demand]:
    """“我的需求”: the demands of the user's organizations, every state."""
    if not getattr(user, "is_authenticated", False):
        return Demand.objects.none()
    return (_demands().filter(Q(organization_id__in=_my_organizations(user)) | Q(case__applicant=user))
            .order_by("-case__submitted_at", "-pk"))


def is_demand_side(user, demand: Demand) -> bool:
    from ..rules import member_of

    return member_of(user, demand.organization_id) or demand.case.applicant_id == getattr(user, "pk", None)


def may_see_contact(user, demand: Demand) -> bool:
    """The demand's contact: its side, the center, and holders the center pushed a match to."""
    if sees_all(user) or is_demand_side(user, demand):
        return True
    return demand.matches.filter(state=MatchState.PUSHED,
                                 pool_patent__holder_id__in=_my_organizations(user)).exists()


def _matches():
    return Match.objects.select_related("demand__case", "demand__organization", "pool_patent__patent",
                                        "pool_patent__holder", "pushed_by")


def matches_visible_to(user) -> QuerySet[Match]:
    if not getattr(user, "is_authenticated", False):
        return Match.objects.none()
    if sees_all(user):
        return _matches()
    mine = _my_organizations(user)
    return _matches().filter(Q(demand__organization_id__in=mine) | Q(pool_patent__holder_id__in=mine),
                             state=MatchState.PUSHED)


class DemandFilterSet(django_filters.FilterSet):
    """The published list's (and "my demands"') filters: the page, the API and the export."""

    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=100)
    industry = django_filters.ModelChoiceFilter(
        label=_("Industry (GB/T 4754)"), queryset=Industry.objects.all(), method="filter_industry",
        empty_label=_("All industries"))
    key_industry = django_filters.ModelChoiceFilter(
        label=_("Key industry"), queryset=KeyIndustry.objects.filter(active=True), to_field_name="code",
        empty_label=_("All key industries"))
    league = django_filters.ModelChoiceFilter(
        label=_("League / city"), queryset=Region.objects.filter(level="league", code__startswith="15"),
        empty_label=_("All leagues and cities"))
    mode = django_filters.ChoiceFilter(label=_("Cooperation mode"), choices=CooperationMode.choices,
                                       method="filter_mode", empty_label=_("All modes"))
    state = django_filters.ChoiceFilter(label=_("State"), choices=DemandState.choices, empty_label=_("All states"))

    class Meta:
        model = Demand
        fields = ["q", "industry", "key_industry", "league", "mode", "state"]

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value)
                               | Q(organization__name__icontains=value) | Q(case__number__iexact=value))

    def filter_industry(self, queryset, name, value):
        """An industry and the classes under it (a division finds its groups' demands)."""
        if not value:
            return queryset
        return queryset.filter(Q(industry=value) | Q(industry__parent=value) | Q(industry__parent__parent=value)
                               | Q(industry__parent__parent__parent=value))

    def filter_mode(self, queryset, name, value):
        if not value:
            return queryset
        # JSON list of codes: a containment test that works on SQLite and PostgreSQL alike.
        return queryset.filter(modes__icontains=f'"{value}"')


def demands_filtered(queryset, data) -> tuple[DemandFilterSet, QuerySet[Demand]]:
    """The filter and its rows; an invalid filter value shows its error and no rows."""
    filterset = DemandFilterSet(data or None, queryset=queryset)
    rows = filterset.qs if not filterset.is_bound or filterset.is_valid() else queryset.none()
    return filterset, rows

"""Reads of the convertible pool, filtered by the user: the pages, the API and the Excel export
call these, so who sees what is written once.

- A listed pool patent is public to every signed-in user, like the corpus it points at (专利法
  第三十四条, 第三十九条: published documents are public); a withdrawn one only to the holder's
  members and the center (operators, leaders) — to anyone else its URL answers 404.
- The holder's contact details are shown to the holder's members and the center's operators
  only; enterprises reach the holder through contact requests.
- Search uses the corpus search language (zhibao.patents.search): the query is AND-ed in the
  engine with the publication numbers of the pool patents the other filters left, so a query
  never returns a corpus patent that is not in the pool, and the engine scores at most the
  pool (a few thousand numbers as one term set), not the whole corpus.
"""

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from zhibao.accounts.models import Membership, Organization
from zhibao.core.models import Region
from zhibao.patents.choices import PatentType

from ..choices import CooperationMode, Grade, PoolStatus
from ..models import KeyIndustry, PoolPatent
from ..rules import is_leader, is_operator, member_of

SORTS = {"score": _("Highest score first"), "newest": _("Newest listings first")}


def sees_all(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (is_operator(user) or is_leader(user)))


def _pool():
    return (PoolPatent.objects.select_related("patent", "holder", "holder__league")
            .prefetch_related("industries"))


def pool_patents_listed() -> QuerySet[PoolPatent]:
    """The public pool: every listed patent."""
    return _pool().filter(status=PoolStatus.LISTED)


def pool_patents_visible_to(user) -> QuerySet[PoolPatent]:
    """What the user may open: the listed patents, and the withdrawn ones of their organizations
    (every one for the center)."""
    if not getattr(user, "is_authenticated", False):
        return PoolPatent.objects.none()
    if sees_all(user):
        return _pool()
    mine = Membership.objects.filter(user=user).values("organization_id")
    return _pool().filter(Q(status=PoolStatus.LISTED) | Q(holder_id__in=mine))


def pool_patents_held_by(user) -> QuerySet[PoolPatent]:
    """“我们的入库专利”: the pool patents of the user's organizations, listed or withdrawn."""
    if not getattr(user, "is_authenticated", False):
        return PoolPatent.objects.none()
    return _pool().filter(holder_id__in=Membership.objects.filter(user=user).values("organization_id"))


def may_see_holder_contact(user, pool_patent: PoolPatent) -> bool:
    return bool(getattr(user, "is_authenticated", False)
                and (member_of(user, pool_patent.holder_id) or is_operator(user)))


def holder_contact_checker(user):
    """may_see_holder_contact for many rows (an export): the user's organizations read once."""
    if not getattr(user, "is_authenticated", False):
        return lambda pool_patent: False
    if is_operator(user):
        return lambda pool_patent: True
    mine = set(Membership.objects.filter(user=user).values_list("organization_id", flat=True))
    return lambda pool_patent: pool_patent.holder_id in mine


def holders_in_pool():
    return Organization.objects.filter(pool_patents__status=PoolStatus.LISTED).distinct().order_by("name")


def pool_search_numbers(q: str, candidates: list[str]) -> list[str]:
    """The publication numbers among `candidates` that the corpus query `q` matches (engine
    order: relevance). Raises QuerySyntaxError for a query the language cannot read."""
    from zhibao.patents.search import get_engine, parse_query
    from zhibao.patents.search.query import And, TermSet

    node = parse_query(q)
    if not candidates:
        return []
    engine = get_engine()
    query = engine.compiler.compile(And((node, TermSet("PN", tuple(candidates)))))
    searcher = engine.searcher()
    result = searcher.search(query, len(candidates), count=False)
    return [searcher.doc(address).get_first("pn") for _score, address in result.hits]


class PoolFilterForm(forms.Form):
    def clean_q(self):
        from zhibao.patents.search import QuerySyntaxError, parse_query

        q = (self.cleaned_data.get("q") or "").strip()
        if q:
            try:
                parse_query(q)
            except QuerySyntaxError as exc:
                raise forms.ValidationError(
                    _("The search cannot be read: %(error)s") % {"error": getattr(exc, "message", None) or exc})
        return q


class PoolFilterSet(django_filters.FilterSet):
    """The pool's filters: the page, the API and the Excel export."""

    q = django_filters.CharFilter(label=_("Search (corpus search language)"), method="search", max_length=500,
                                  help_text=_("e.g. 稀土 AND IPC=H01F, TI=(乳酸菌 OR 奶酪), AD>=2018"))
    grade = django_filters.MultipleChoiceFilter(label=_("Grade"), choices=Grade.choices)
    key_industry = django_filters.ModelChoiceFilter(
        label=_("Key industry"), queryset=KeyIndustry.objects.filter(active=True), to_field_name="code",
        field_name="industries", empty_label=_("All key industries"))
    holder = django_filters.ModelChoiceFilter(label=_("Holder"), queryset=Organization.objects.all(),
                                              empty_label=_("All holders"))
    league = django_filters.ModelChoiceFilter(
        label=_("League / city"), queryset=Region.objects.filter(level="league", code__startswith="15"),
        field_name="holder__league", method="filter_league", empty_label=_("All leagues and cities"))
    mode = django_filters.ChoiceFilter(label=_("Offered for"), choices=CooperationMode.choices,
                                       method="filter_mode", empty_label=_("All modes"))
    patent_type = django_filters.ChoiceFilter(label=_("Patent type"), choices=PatentType.choices,
                                              field_name="patent__patent_type", empty_label=_("All types"))
    sort = django_filters.ChoiceFilter(label=_("Sort"), choices=list(SORTS.items()), method="filter_sort",
                                       empty_label=None)

    class Meta:
        model = PoolPatent
        fields = ["q", "grade", "key_industry", "holder", "league", "mode", "patent_type", "sort"]
        form = PoolFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["holder"].queryset = holders_in_pool()

    def search(self, queryset, name, value):
        return queryset  # applied last, over what the other filters left (filter_queryset)

    def filter_league(self, queryset, name, value):
        """The holder's league, or the patent's (its first applicant's) league."""
        if not value:
            return queryset
        return queryset.filter(Q(holder__league=value) | Q(patent__league_code=value.code))

    def filter_mode(self, queryset, name, value):
        if not value:
            return queryset
        # JSON list of codes: a containment test that works on SQLite and PostgreSQL alike.
        return queryset.filter(modes__icontains=f'"{value}"')

    def filter_sort(self, queryset, name, value):
        return queryset  # applied last (filter_queryset)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        q = self.form.cleaned_data.get("q")
        if q:
            # The engine matches among the publication numbers the other filters left; the rows
            # are then picked by primary key (an integer IN list, cheaper than a join on numbers).
            candidates = {pn: pk for pk, pn in queryset.order_by().values_list("pk", "patent__publication_number")}
            found = pool_search_numbers(q, list(candidates))
            queryset = queryset.filter(pk__in=[candidates[pn] for pn in found])
        return pool_ordered(queryset, self.form.cleaned_data.get("sort"))


def pool_ordered(queryset, sort: str | None):
    if sort == "newest":
        return queryset.order_by("-listed_at", "-pk")
    return queryset.order_by(F("score").desc(nulls_last=True), "pk")


def pool_filtered(queryset, data) -> tuple[PoolFilterSet, QuerySet[PoolPatent]]:
    """The filter and its rows; an invalid filter value (a query the language cannot read, an
    unknown grade) shows its error and no rows."""
    filterset = PoolFilterSet(data or None, queryset=queryset)
    if not filterset.is_bound:
        return filterset, pool_ordered(queryset, None)
    rows = filterset.qs if filterset.is_valid() else queryset.none()
    return filterset, rows


def is_search(data) -> bool:
    """The request searched or filtered (an operation event), rather than just opened the list."""
    return any((data or {}).get(k) for k in PoolFilterSet.base_filters if k != "sort")

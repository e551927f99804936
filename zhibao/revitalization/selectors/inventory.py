"""Reads of inventories (盘点), filtered by the user: the pages, the API and the Excel exports call
these, so who sees what is written once.

- An inventory is seen by its institution's members and applicant, by the center's operators
  (who review every inventory) and by leaders; anyone else gets 404 on its URLs.
- Progress (inventoried, pooled, rate) is seen whole by operators and leaders; an institution's
  members see their own institutions' figures.

The figures agree with the revitalization statistics: a patent counts once per institution;
"matched" counts the lines of every inventory not withdrawn, "pooled" the lines whose
effective decision is 入库 in completed inventories.
"""

import django_filters
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from zhibao.accounts.models import Membership, Organization
from zhibao.core.models import Region
from zhibao.core.selectors import cases_visible_to

from ..choices import InventoryState, ItemDecision
from ..models import Inventory, InventoryItem
from ..rules import is_leader, is_operator


def sees_all_inventories(user) -> bool:
    """The center's side: operators review every inventory, leaders read them."""
    return bool(getattr(user, "is_authenticated", False)) and (is_operator(user) or is_leader(user))


def inventories_visible_to(user) -> QuerySet[Inventory]:
    """Every inventory `user` may open (through the case index, like every case)."""
    if not getattr(user, "is_authenticated", False):
        return Inventory.objects.none()
    return (Inventory.objects.filter(case__in=cases_visible_to(user).values("pk"))
            .select_related("case", "case__applicant", "case__assignee", "organization", "organization__league")
            .order_by("-case__submitted_at", "-pk"))


def institutions_of(user) -> QuerySet[Organization]:
    """The universities and institutes the user belongs to (verified or not: the page says why)."""
    return (Organization.objects.filter(memberships__user=user, kind__in=("university", "institute"))
            .distinct().order_by("name"))


def effective_q(decision: str) -> Q:
    from ..services.inventory import effective

    return effective(decision)


class InventoryFilterSet(django_filters.FilterSet):
    """The inventories list (page, API, Excel)."""

    state = django_filters.ChoiceFilter(choices=InventoryState.choices, label=_("State"), empty_label=_("All states"))
    organization = django_filters.NumberFilter(field_name="organization_id", label=_("Institution (id)"),
                                              min_value=1, max_value=2**63 - 1, decimal_places=0)
    league = django_filters.CharFilter(field_name="organization__league_id", max_length=6,
                                       label=_("League / city (code)"))

    class Meta:
        model = Inventory
        fields = ["state", "organization", "league"]


MATCH_CHOICES = [("matched", _("Matched")), ("unmatched", _("Not matched"))]


class InventoryItemFilterSet(django_filters.FilterSet):
    """An inventory's lines (page, API, Excel): matched or not, by effective decision, by number."""

    match = django_filters.ChoiceFilter(choices=MATCH_CHOICES, method="filter_match", label=_("Match"),
                                        empty_label=_("All lines"))
    decision = django_filters.ChoiceFilter(choices=ItemDecision.choices, method="filter_decision",
                                           label=_("Decision"), empty_label=_("Any decision"))
    q = django_filters.CharFilter(method="filter_q", max_length=60, label=_("Number or title"))

    class Meta:
        model = InventoryItem
        fields = ["match", "decision", "q"]

    def filter_match(self, queryset, name, value):
        if value == "matched":
            return queryset.filter(patent__isnull=False)
        if value == "unmatched":
            return queryset.filter(patent__isnull=True)
        return queryset

    def filter_decision(self, queryset, name, value):
        return queryset.filter(patent__isnull=False).filter(effective_q(value)) if value else queryset

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(patent__publication_number__icontains=value)
                               | Q(patent__title__icontains=value))


def inventory_items(inventory: Inventory) -> QuerySet[InventoryItem]:
    return inventory.items.select_related("patent", "decided_by").order_by("line")


def line_counts(inventory_ids) -> dict[int, dict]:
    """{inventory id: lines, matched, and the matched lines by effective decision} in one query."""
    matched = Q(patent__isnull=False)
    rows = (InventoryItem.objects.filter(inventory_id__in=list(inventory_ids)).values("inventory_id")
            .annotate(lines=Count("pk"), matched=Count("pk", filter=matched),
                      **{d: Count("pk", filter=matched & effective_q(d)) for d in ItemDecision.values}))
    return {row.pop("inventory_id"): row for row in rows}


def filtered(filterset_class, data, queryset, request=None):
    """The filterset and its rows; a filter value that does not validate gives no rows, never all."""
    filterset = filterset_class(data or None, queryset=queryset, request=request)
    rows = filterset.qs if not filterset.is_bound or filterset.is_valid() else queryset.none()
    return filterset, rows


# --- progress --------------------------------------------------------------------------------

def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def inventory_progress(user, *, league: Region | None = None) -> dict:
    """Progress per institution and per league: inventories, patents matched, pooled, the rate
    pooled / matched (percent), and the totals. Operators and leaders see every institution;
    anyone else only the institutions they belong to (an empty table for a stranger)."""
    inventories = Inventory.objects.exclude(state=InventoryState.WITHDRAWN)
    if not sees_all_inventories(user):
        inventories = inventories.filter(organization_id__in=Membership.objects.filter(user=user)
                                         .values("organization_id"))
    if league is not None:
        inventories = inventories.filter(organization__league=league)
    items = InventoryItem.objects.filter(inventory__in=inventories.values("pk"), patent__isnull=False)
    pooled_items = items.filter(inventory__state=InventoryState.COMPLETED).filter(effective_q(ItemDecision.POOLED))
    org = "inventory__organization"
    counts = dict(inventories.values("organization").annotate(n=Count("pk")).values_list("organization", "n"))
    open_counts = dict(inventories.exclude(state=InventoryState.COMPLETED).values("organization")
                       .annotate(n=Count("pk")).values_list("organization", "n"))
    matched = dict(items.values(org).annotate(n=Count("patent", distinct=True)).values_list(org, "n"))
    pooled = dict(pooled_items.values(org).annotate(n=Count("patent", distinct=True)).values_list(org, "n"))
    organizations = Organization.objects.filter(pk__in=list(counts)).select_related("league")
    institutions = []
    for o in organizations:
        m, p = matched.get(o.pk, 0), pooled.get(o.pk, 0)
        institutions.append({"id": o.pk, "name": o.name, "kind": o.get_kind_display(),
                             "league_code": o.league_id or "", "league": o.league.name if o.league else "",
                             "inventories": counts.get(o.pk, 0), "open": open_counts.get(o.pk, 0),
                             "matched": m, "pooled": p, "rate": _rate(p, m)})
    institutions.sort(key=lambda row: (-row["matched"], row["name"]))
    leagues: dict[str, dict] = {}
    for row in institutions:
        entry = leagues.setdefault(row["league_code"], {
            "code": row["league_code"], "name": row["league"] or str(_("League not known")), "institutions": 0,
            "inventories": 0, "matched": 0, "pooled": 0})
        entry["institutions"] += 1
        for key in ("inventories", "matched", "pooled"):
            entry[key] += row[key]
    league_rows = sorted(leagues.values(), key=lambda row: (row["code"] == "", row["code"]))
    for row in league_rows:
        row["rate"] = _rate(row["pooled"], row["matched"])
    total_matched, total_pooled = sum(r["matched"] for r in institutions), sum(r["pooled"] for r in institutions)
    return {
        "institutions": institutions, "leagues": league_rows, "all": sees_all_inventories(user),
        "totals": {"institutions": len(institutions), "inventories": sum(r["inventories"] for r in institutions),
                   "matched": total_matched, "pooled": total_pooled, "rate": _rate(total_pooled, total_matched)},
    }

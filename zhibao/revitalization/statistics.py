"""Revitalization's figures: inventory rate, the pool by grade, demands, matches pushed and
accepted, deals and their amount, year on year — by month, institution, key industry and league.

One function, `revitalization_statistics`, feeds the page, the Excel export and the API, so the
three always agree. The figures are of the kind the seeds publish ("7,782 inventoried, 3,688
pooled (44%)", "133 contracts worth 228 million yuan", "licences up 216% year on year").
Counts are made in the database; the month split is made in Python over dates (a year of
records is thousands of rows, and this keeps SQLite and PostgreSQL identical).
"""

from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from .choices import Answer, DealKind, DealState, DemandState, Grade, ItemDecision, MatchState, PoolStatus

SIGNED = (DealState.CONTRACTED, DealState.RECORDED)


def _rate(part, whole) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _change(now, before) -> float | None:
    """Year on year, in percent; None when there is nothing to compare with."""
    return round(100 * (now - before) / before, 1) if before else None


def _amount(value) -> float:
    return float(value or Decimal("0"))


def _filtered(*, league=None, institution=None, key_industry=None):
    """The querysets of the period-independent records, narrowed by the filters."""
    from .models import Deal, Demand, InventoryItem, Match, PoolPatent

    items = InventoryItem.objects.filter(patent__isnull=False).exclude(inventory__state="withdrawn")
    pool = PoolPatent.objects.filter(status=PoolStatus.LISTED)
    demands = Demand.objects.all()
    matches = Match.objects.all()
    deals = Deal.objects.all()
    if league is not None:
        items = items.filter(inventory__organization__league=league)
        pool = pool.filter(holder__league=league)
        demands = demands.filter(league=league)
        matches = matches.filter(demand__league=league)
        deals = deals.filter(Q(buyer__league=league) | Q(seller__league=league))
    if institution is not None:
        items = items.filter(inventory__organization=institution)
        pool = pool.filter(holder=institution)
        matches = matches.filter(pool_patent__holder=institution)
        demands = demands.filter(matches__pool_patent__holder=institution).distinct()
        deals = deals.filter(seller=institution)
    if key_industry is not None:
        items = items.filter(patent__pool_entry__industries=key_industry)
        pool = pool.filter(industries=key_industry)
        demands = demands.filter(key_industry=key_industry)
        matches = matches.filter(demand__key_industry=key_industry)
        deals = deals.filter(pool_patent__industries=key_industry)
    return items, pool, demands, matches, deals


def _deal_figures(deals, year: int) -> dict:
    signed = deals.filter(state__in=SIGNED)
    now = signed.filter(signed_on__year=year)
    before = signed.filter(signed_on__year=year - 1)
    result = {"count": now.count(), "amount": _amount(now.aggregate(s=Sum("amount"))["s"]),
              "count_last_year": before.count(), "amount_last_year": _amount(before.aggregate(s=Sum("amount"))["s"])}
    result["count_change"] = _change(result["count"], result["count_last_year"])
    result["amount_change"] = _change(result["amount"], result["amount_last_year"])
    by_kind = []
    for kind in DealKind:
        n, b = now.filter(kind=kind).count(), before.filter(kind=kind).count()
        by_kind.append({"kind": kind.value, "label": str(kind.label), "count": n, "count_last_year": b,
                        "change": _change(n, b),
                        "amount": _amount(now.filter(kind=kind).aggregate(s=Sum("amount"))["s"])})
    result["by_kind"] = by_kind
    return result


def _match_figures(matches, year: int) -> dict:
    pushed = matches.filter(state=MatchState.PUSHED, pushed_at__year=year)
    answered = pushed.exclude(demand_answer=Answer.PENDING)
    interested = pushed.filter(demand_answer=Answer.INTERESTED)
    both = interested.filter(holder_answer=Answer.INTERESTED)
    return {"pushed": pushed.count(), "answered": answered.count(), "accepted": interested.count(),
            "both_interested": both.count(), "precision": _rate(interested.count(), answered.count())}


def _by_month(year: int, demands, matches, deals) -> list[dict]:
    rows = {m: {"month": m, "label": f"{year}-{m:02d}", "demands": 0, "pushed": 0, "accepted": 0, "deals": 0,
                "amount": 0.0, "operations": 0} for m in range(1, 13)}
    tz = timezone.get_current_timezone()
    for at in demands.filter(published_at__year=year).values_list("published_at", flat=True):
        rows[at.astimezone(tz).month]["demands"] += 1
    for at, answer in matches.filter(state=MatchState.PUSHED, pushed_at__year=year).values_list(
            "pushed_at", "demand_answer"):
        month = at.astimezone(tz).month
        rows[month]["pushed"] += 1
        rows[month]["accepted"] += answer == Answer.INTERESTED
    for signed_on, amount in deals.filter(state__in=SIGNED, signed_on__year=year).values_list("signed_on", "amount"):
        rows[signed_on.month]["deals"] += 1
        rows[signed_on.month]["amount"] += _amount(amount)
    return list(rows.values())


def _operations_by_month(year: int, *, league=None, institution=None) -> Counter:
    from .models import Operation

    operations = Operation.objects.filter(at__year=year)
    if league is not None:
        operations = operations.filter(organization__league=league)
    if institution is not None:
        operations = operations.filter(pool_patent__holder=institution)
    tz = timezone.get_current_timezone()
    return Counter(at.astimezone(tz).month for at in operations.values_list("at", flat=True))


def _by_institution(items, pool, deals, year: int) -> list[dict]:
    from zhibao.accounts.models import Organization

    inventoried = dict(items.values("inventory__organization").annotate(n=Count("patent", distinct=True))
                       .values_list("inventory__organization", "n"))
    pooled_items = dict(items.filter(Q(center_decision=ItemDecision.POOLED) | Q(
        center_decision=ItemDecision.PENDING, institution_decision=ItemDecision.POOLED),
        inventory__state="completed").values("inventory__organization")
        .annotate(n=Count("patent", distinct=True)).values_list("inventory__organization", "n"))
    grades = defaultdict(Counter)
    for holder, grade in pool.values_list("holder", "grade"):
        grades[holder][grade or "-"] += 1
    signed = deals.filter(state__in=SIGNED, signed_on__year=year)
    deal_counts = dict(signed.values("seller").annotate(n=Count("pk")).values_list("seller", "n"))
    deal_amounts = dict(signed.values("seller").annotate(s=Sum("amount")).values_list("seller", "s"))
    ids = set(inventoried) | set(grades) | set(deal_counts)
    names = dict(Organization.objects.filter(pk__in=ids).values_list("pk", "name"))
    rows = []
    for pk in ids:
        pooled = sum(grades[pk].values())
        rows.append({"id": pk, "label": names.get(pk, "—"), "inventoried": inventoried.get(pk, 0),
                     "pooled_from_inventory": pooled_items.get(pk, 0), "pooled": pooled,
                     "rate": _rate(pooled_items.get(pk, 0), inventoried.get(pk, 0)),
                     **{f"grade_{g.value}": grades[pk][g.value] for g in Grade},
                     "deals": deal_counts.get(pk, 0), "amount": _amount(deal_amounts.get(pk))})
    return sorted(rows, key=lambda r: (-r["pooled"], -r["inventoried"], r["label"]))


def _by_industry(pool, demands, deals, year: int) -> list[dict]:
    from .models import KeyIndustry

    rows = []
    signed = deals.filter(state__in=SIGNED, signed_on__year=year)
    for industry in KeyIndustry.objects.filter(active=True):
        rows.append({"code": industry.code, "label": industry.name,
                     "pooled": pool.filter(industries=industry).count(),
                     "demands": demands.filter(key_industry=industry, published_at__year=year).count(),
                     "deals": signed.filter(pool_patent__industries=industry).distinct().count()})
    return rows


def _by_league(items, pool, demands, deals, year: int) -> list[dict]:
    from zhibao.core.models import Region

    inventoried = dict(items.values("inventory__organization__league").annotate(n=Count("patent", distinct=True))
                       .values_list("inventory__organization__league", "n"))
    pooled = dict(pool.values("holder__league").annotate(n=Count("pk")).values_list("holder__league", "n"))
    published = dict(demands.filter(published_at__year=year).values("league").annotate(n=Count("pk"))
                     .values_list("league", "n"))
    signed = dict(deals.filter(state__in=SIGNED, signed_on__year=year).values("buyer__league")
                  .annotate(n=Count("pk")).values_list("buyer__league", "n"))
    rows = []
    for region in Region.objects.filter(level="league").order_by("code"):
        row = {"code": region.code, "label": region.name, "inventoried": inventoried.get(region.code, 0),
               "pooled": pooled.get(region.code, 0), "demands": published.get(region.code, 0),
               "deals": signed.get(region.code, 0)}
        if any(row[k] for k in ("inventoried", "pooled", "demands", "deals")):
            rows.append(row)
    return rows


def revitalization_statistics(*, year: int | None = None, league=None, institution=None, key_industry=None) -> dict:
    """Every figure of the dashboard for a year (default: this one), optionally narrowed to a
    league, an institution (holder) or a key industry."""
    today = timezone.localdate()
    year = year or today.year
    items, pool, demands, matches, deals = _filtered(league=league, institution=institution,
                                                     key_industry=key_industry)
    inventoried = items.values("patent").distinct().count()
    pooled_from_inventory = items.filter(
        Q(center_decision=ItemDecision.POOLED)
        | Q(center_decision=ItemDecision.PENDING, institution_decision=ItemDecision.POOLED),
        inventory__state="completed").values("patent").distinct().count()
    grade_counts = Counter(pool.values_list("grade", flat=True))
    months = _by_month(year, demands, matches, deals)
    for month, n in _operations_by_month(year, league=league, institution=institution).items():
        months[month - 1]["operations"] = n
    published = demands.filter(published_at__year=year)
    return {
        "today": today.isoformat(), "year": year,
        "filters": {"league_name": league.name if league else "", "institution_name": institution.name
                    if institution else "", "key_industry_name": key_industry.name if key_industry else ""},
        "inventory": {"inventoried": inventoried, "pooled": pooled_from_inventory,
                      "rate": _rate(pooled_from_inventory, inventoried)},
        "pool": {"listed": pool.count(),
                 "by_grade": [{"grade": g.value, "label": str(g.label), "count": grade_counts.get(g.value, 0)}
                              for g in Grade]},
        "demands": {"published": published.count(),
                    "open": demands.filter(state=DemandState.PUBLISHED).count(),
                    "published_last_year": demands.filter(published_at__year=year - 1).count()},
        "matches": _match_figures(matches, year),
        "deals": _deal_figures(deals, year),
        "by_month": months,
        "by_institution": _by_institution(items, pool, deals, year),
        "by_industry": _by_industry(pool, demands, deals, year),
        "by_league": _by_league(items, pool, demands, deals, year),
    }


def years_with_data() -> list[int]:
    from .models import Deal, Demand

    years = {timezone.localdate().year}
    years |= {d.year for d in Demand.objects.exclude(published_at=None).dates("published_at", "year")}
    years |= {d.year for d in Deal.objects.exclude(signed_on=None).dates("signed_on", "year")}
    return sorted(years, reverse=True)


__all__ = ["revitalization_statistics", "years_with_data"]

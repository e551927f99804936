"""The channel's figures, as the center reports them (预审案件数、合格率、授权率、授权周期 …).

Every figure is about the cases *submitted* in the period (a cohort): of the applications
submitted in 2024, how many passed the formal check at the first try, how many were qualified,
how many CNIPA granted and how long it took. A case submitted in December and granted in
February counts for the year it was submitted in, so a year's rates do not move when the next
year's cases arrive. Two figures are "now" whatever the period: the cases overdue today among
the cohort, and the examiners' open desk (cases assigned to them, in pre-examination or
awaiting a reply). Cases decided per examiner are the decisions taken in the period.

Definitions (the tests pin them):
- formal-check pass rate: cases formally checked whose check never failed ÷ cases checked;
- qualification rate: cases qualified (whatever happened after: filed, granted, lapsed,
  withdrawn) ÷ cases decided (qualified + not qualified);
- grant rate: granted ÷ (granted + rejected by CNIPA);
- grant cycle: days from the filing at CNIPA to the grant. The comparison with the ordinary
  channel (PreExamConfig.ordinary_cycle_days, an invention figure: 15.5 months ≈ 472 days) is
  made on inventions; the cycle of every type is given beside it.

The counts are GROUP BY queries (one per breakdown, the same on SQLite and PostgreSQL); the
means and medians are computed here from the list of granted cases' two dates.
"""

import datetime as dt
import statistics as pystats
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from zhibao.accounts.models import Organization
from zhibao.core.models import CaseEvent, Region
from zhibao.patents.choices import PatentType

from .choices import WORKLOAD_STATES, PreExamState, PriorityState
from .models import PreExamCase, PreExamConfig, PriorityRequest, TechnicalField

S, P = PreExamState, PriorityState
FORMAL_CHECK_STEPS = ("pass_formal_check", "fail_formal_check")
DECISION_STEPS = ("qualify", "disqualify")
# The inventions' grant cycle is what the channel is compared on (the ordinary figure is theirs).
COMPARED_TYPE = PatentType.INVENTION
CYCLE_BIN_DAYS = 10
CYCLE_BINS_MAX = 24  # 0–239 days in bins of ten, then one bin for the rest

_PRIORITY_REVIEWED = (P.RECOMMENDED, P.NOT_RECOMMENDED, P.ACCEPTED, P.REFUSED)
_PRIORITY_RECOMMENDED = (P.RECOMMENDED, P.ACCEPTED, P.REFUSED)
_PRIORITY_PENDING = (P.SUBMITTED, P.IN_REVIEW)


# --- helpers ------------------------------------------------------------------------------------

def rate(part: int, whole: int) -> float | None:
    """A percentage with one decimal, None when there is nothing to divide by."""
    return round(100.0 * part / whole, 1) if whole else None


def cycle_summary(days: list[int]) -> dict:
    return {
        "count": len(days),
        "mean_days": round(pystats.fmean(days), 1) if days else None,
        "median_days": round(float(pystats.median(days)), 1) if days else None,
        "min_days": min(days) if days else None,
        "max_days": max(days) if days else None,
    }


def reduction_percent(mean_days: float | None, ordinary_days: int | None) -> float | None:
    """How much shorter than the ordinary channel, in percent of the ordinary cycle."""
    if mean_days is None or not ordinary_days:
        return None
    return round(100.0 * (ordinary_days - mean_days) / ordinary_days, 1)


def period_bounds(year: int | None = None, date_from: dt.date | None = None,
                  date_to: dt.date | None = None) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day of the period (both included); a year narrows the dates given."""
    if year:
        first, last = dt.date(int(year), 1, 1), dt.date(int(year), 12, 31)
        date_from = max(date_from, first) if date_from else first
        date_to = min(date_to, last) if date_to else last
    return date_from, date_to


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _month_key(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.year:04d}-{value.month:02d}"


def _months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    end_year, end_month = int(last[:4]), int(last[5:])
    months = []
    while (year, month) <= (end_year, end_month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _pk(value):
    return getattr(value, "pk", value)


# --- the queries --------------------------------------------------------------------------------

def _cases(*, start, end, field, league, organization):
    qs = PreExamCase.objects.all()
    if start:
        qs = qs.filter(case__submitted_at__gte=_day_start(start))
    if end:
        qs = qs.filter(case__submitted_at__lt=_day_start(end + dt.timedelta(days=1)))
    if field is not None:
        qs = qs.filter(field_id=_pk(field))
    if league is not None:
        qs = qs.filter(case__organization__league_id=_pk(league))
    if organization is not None:
        qs = qs.filter(case__organization_id=_pk(organization))
    return qs


def _aggregates(today: dt.date) -> dict:
    """The counts of one row, as conditional aggregates (one pass over the cases)."""
    events = CaseEvent.objects.filter(case_id=OuterRef("case_id"))
    return {
        "submissions": Count("pk"),
        "open": Count("pk", filter=Q(case__closed_at__isnull=True)),
        "overdue": Count("pk", filter=Q(case__closed_at__isnull=True, case__deadline__lt=today)),
        "formal_checked": Count("pk", filter=Exists(events.filter(transition__in=FORMAL_CHECK_STEPS))),
        "formal_failed": Count("pk", filter=Exists(events.filter(transition="fail_formal_check"))),
        "corrected": Count("pk", filter=Exists(events.filter(transition="request_correction"))),
        "qualified": Count("pk", filter=Q(qualified_on__isnull=False)),
        "not_qualified": Count("pk", filter=Q(state=S.NOT_QUALIFIED)),
        "filed": Count("pk", filter=Q(cnipa_filed_on__isnull=False)),
        "granted": Count("pk", filter=Q(state=S.GRANTED)),
        "rejected": Count("pk", filter=Q(state=S.REJECTED)),
        "withdrawn": Count("pk", filter=Q(state=S.WITHDRAWN)),
        "lapsed": Count("pk", filter=Q(state=S.LAPSED)),
    }


_COUNT_KEYS = ("submissions", "open", "overdue", "formal_checked", "formal_failed", "corrected", "qualified",
               "not_qualified", "filed", "granted", "rejected", "withdrawn", "lapsed")


def _row(counts: dict, cycles: dict[str, list[int]], ordinary_days: int) -> dict:
    """A row of figures from its counts and its grant cycles ({patent type: [days]})."""
    row = {k: int(counts.get(k) or 0) for k in _COUNT_KEYS}
    row["formal_passed_first"] = row["formal_checked"] - row["formal_failed"]
    row["decided"] = row["qualified"] + row["not_qualified"]
    row["formal_pass_rate"] = rate(row["formal_passed_first"], row["formal_checked"])
    row["qualification_rate"] = rate(row["qualified"], row["decided"])
    row["grant_rate"] = rate(row["granted"], row["granted"] + row["rejected"])
    compared = cycle_summary(cycles.get(COMPARED_TYPE, []))
    row["cycle_count"] = compared["count"]
    row["mean_cycle_days"] = compared["mean_days"]
    row["median_cycle_days"] = compared["median_days"]
    row["cycle_reduction_percent"] = reduction_percent(compared["mean_days"], ordinary_days)
    return row


def _grouped(qs, today: dt.date, key: str) -> dict:
    return {r[key]: r for r in qs.values(key).annotate(**_aggregates(today)).order_by()}


def _cycles(qs) -> list[dict]:
    """Every granted case's keys and cycle: one query, the rows are small."""
    rows = (qs.filter(state=S.GRANTED, cnipa_filed_on__isnull=False, granted_on__isnull=False)
            .annotate(month=TruncMonth("case__submitted_at"))
            .values("field_id", "case__organization_id", "case__organization__league_id", "patent_type", "month",
                    "cnipa_filed_on", "granted_on"))
    return [{**r, "month": _month_key(r["month"]), "days": (r["granted_on"] - r["cnipa_filed_on"]).days}
            for r in rows]


def _cycles_by(cycles: list[dict], key: str) -> dict:
    out: dict = defaultdict(lambda: defaultdict(list))
    for c in cycles:
        out[c[key]][c["patent_type"]].append(c["days"])
    return out


def cycle_distribution(days: list[int]) -> list[dict]:
    """A histogram of cycles in bins of CYCLE_BIN_DAYS days, up to the longest one."""
    if not days:
        return []
    counts: dict[int, int] = defaultdict(int)
    for d in days:
        counts[min(d // CYCLE_BIN_DAYS, CYCLE_BINS_MAX)] += 1
    bins = []
    for i in range(min(max(days) // CYCLE_BIN_DAYS, CYCLE_BINS_MAX) + 1):
        low = i * CYCLE_BIN_DAYS
        label = f"≥{low}" if i == CYCLE_BINS_MAX else f"{low}–{low + CYCLE_BIN_DAYS - 1}"
        bins.append({"from": low, "to": None if i == CYCLE_BINS_MAX else low + CYCLE_BIN_DAYS - 1,
                     "label": label, "count": counts.get(i, 0)})
    return bins


def _examiners(*, start, end, field, league, organization, today) -> list[dict]:
    """The desk now (open cases per assignee) and the work done in the period per examiner."""
    desk = PreExamCase.objects.filter(state__in=WORKLOAD_STATES, case__assignee__isnull=False)
    events = CaseEvent.objects.filter(case__service="PE", actor__isnull=False,
                                      transition__in=(*FORMAL_CHECK_STEPS, *DECISION_STEPS, "request_correction"))
    if start:
        events = events.filter(created_at__gte=_day_start(start))
    if end:
        events = events.filter(created_at__lt=_day_start(end + dt.timedelta(days=1)))
    if field is not None:
        desk, events = desk.filter(field_id=_pk(field)), events.filter(case__pre_exam_case__field_id=_pk(field))
    if league is not None:
        desk = desk.filter(case__organization__league_id=_pk(league))
        events = events.filter(case__organization__league_id=_pk(league))
    if organization is not None:
        desk = desk.filter(case__organization_id=_pk(organization))
        events = events.filter(case__organization_id=_pk(organization))
    open_rows = {r["case__assignee_id"]: r for r in desk.values("case__assignee_id").annotate(
        open=Count("pk"), overdue=Count("pk", filter=Q(case__deadline__lt=today))).order_by()}
    work_rows = {r["actor_id"]: r for r in events.values("actor_id").annotate(
        formal_checks=Count("pk", filter=Q(transition__in=FORMAL_CHECK_STEPS)),
        qualified=Count("pk", filter=Q(transition="qualify")),
        not_qualified=Count("pk", filter=Q(transition="disqualify")),
        corrections=Count("pk", filter=Q(transition="request_correction")),
    ).order_by()}
    fields = TechnicalField.objects.filter(active=True)
    if field is not None:
        fields = fields.filter(pk=_pk(field))
    staff_fields: dict[int, list[str]] = defaultdict(list)
    led: dict[int, list[str]] = defaultdict(list)
    for f in fields.prefetch_related("examiners"):
        for user in f.examiners.all():
            staff_fields[user.pk].append(f.name)
        if f.lead_id:
            led[f.lead_id].append(f.name)
            if f.name not in staff_fields[f.lead_id]:
                staff_fields[f.lead_id].append(f.name)
    ids = set(open_rows) | set(work_rows) | set(staff_fields)
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=ids)}
    rows = []
    for pk in ids:
        if pk not in users:
            continue
        o, w = open_rows.get(pk, {}), work_rows.get(pk, {})
        qualified, not_qualified = w.get("qualified", 0), w.get("not_qualified", 0)
        rows.append({
            "id": pk, "name": str(users[pk]), "username": users[pk].get_username(),
            "fields": staff_fields.get(pk, []), "leads": led.get(pk, []),
            "open": o.get("open", 0), "overdue": o.get("overdue", 0),
            "formal_checks": w.get("formal_checks", 0), "decided": qualified + not_qualified,
            "qualified": qualified, "not_qualified": not_qualified, "corrections": w.get("corrections", 0),
            "qualification_rate": rate(qualified, qualified + not_qualified),
        })
    rows.sort(key=lambda r: (-r["open"], -r["decided"], r["name"]))
    return rows


def _priority(*, start, end, field, league, organization, quota_year: int) -> dict:
    """优先审查: requests of the period and each field's quota of the quota year."""
    qs = PriorityRequest.objects.all()
    if start:
        qs = qs.filter(case__submitted_at__gte=_day_start(start))
    if end:
        qs = qs.filter(case__submitted_at__lt=_day_start(end + dt.timedelta(days=1)))
    if field is not None:
        qs = qs.filter(field_id=_pk(field))
    if league is not None:
        qs = qs.filter(organization__league_id=_pk(league))
    if organization is not None:
        qs = qs.filter(organization_id=_pk(organization))
    aggregates = {
        "requests": Count("pk"),
        "pending": Count("pk", filter=Q(state__in=_PRIORITY_PENDING)),
        "reviewed": Count("pk", filter=Q(state__in=_PRIORITY_REVIEWED)),
        "recommended": Count("pk", filter=Q(state__in=_PRIORITY_RECOMMENDED)),
        "not_recommended": Count("pk", filter=Q(state=P.NOT_RECOMMENDED)),
        "accepted": Count("pk", filter=Q(state=P.ACCEPTED)),
        "refused": Count("pk", filter=Q(state=P.REFUSED)),
        "withdrawn": Count("pk", filter=Q(state=P.WITHDRAWN)),
    }
    by_field = {r["field_id"]: r for r in qs.values("field_id").annotate(**aggregates).order_by()}
    # The quota is the field's, whoever used it: not narrowed by league or organization.
    used = dict(PriorityRequest.objects.filter(year=quota_year, state__in=_PRIORITY_RECOMMENDED)
                .values("field_id").annotate(n=Count("pk")).values_list("field_id", "n").order_by())
    fields = TechnicalField.objects.filter(active=True)
    if field is not None:
        fields = TechnicalField.objects.filter(pk=_pk(field))
    rows = []
    for f in fields:
        counts = {k: int(by_field.get(f.pk, {}).get(k) or 0) for k in aggregates}
        rows.append({
            "key": f.code, "label": f.name, **counts,
            "recommendation_rate": rate(counts["recommended"], counts["reviewed"]),
            "quota": f.priority_quota, "quota_used": used.get(f.pk, 0),
            "quota_left": max(0, f.priority_quota - used.get(f.pk, 0)),
            "quota_used_percent": rate(used.get(f.pk, 0), f.priority_quota),
        })
    total = {k: sum(r[k] for r in rows) for k in (*aggregates, "quota", "quota_used", "quota_left")}
    total["recommendation_rate"] = rate(total["recommended"], total["reviewed"])
    total["acceptance_rate"] = rate(total["accepted"], total["accepted"] + total["refused"])
    total["quota_used_percent"] = rate(total["quota_used"], total["quota"])
    return {**total, "quota_year": quota_year, "by_field": rows}


def _period_months(present: list[str], start, end, today: dt.date) -> list[str]:
    """Every month of the period, up to this month (a year in progress stops today); without a
    period, from the first month with a case to this month."""
    this_month = f"{today:%Y-%m}"
    first = f"{start:%Y-%m}" if start else (present[0] if present else None)
    if end:
        last = f"{max(min(end, today), start or min(end, today)):%Y-%m}"
    elif present:
        last = max(present[-1], this_month)
    else:
        last = this_month if start else None
    if first is None or last is None or first > last:
        return present
    return sorted(set(_months_between(first, last)) | set(present))


# --- the entry point ------------------------------------------------------------------------------

def pre_exam_statistics(*, year: int | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None,
                        field=None, league=None, organization=None, config: PreExamConfig | None = None) -> dict:
    """The channel's figures for the cases submitted in the period (all time when no period is
    given), of one technical field, league (core.Region) or organization when given (objects or
    their keys). Plain JSON-able data: the page, its export and the API all show this dict."""
    config = config or PreExamConfig.current()
    today = timezone.localdate()
    start, end = period_bounds(year, date_from, date_to)
    scope = {"field": field, "league": league, "organization": organization}
    qs = _cases(start=start, end=end, **scope)
    ordinary = config.ordinary_cycle_days

    cycles = _cycles(qs)
    overall = _row(qs.aggregate(**_aggregates(today)),
                   {t: [c["days"] for c in cycles if c["patent_type"] == t] for t in PatentType.values}, ordinary)

    # Per field: every active field, with zeros where it has no case.
    by_field_counts = _grouped(qs, today, "field_id")
    field_cycles = _cycles_by(cycles, "field_id")
    fields = list(TechnicalField.objects.filter(active=True) if field is None
                  else TechnicalField.objects.filter(pk=_pk(field)))
    known = {f.pk for f in fields}
    fields += list(TechnicalField.objects.filter(pk__in=set(by_field_counts) - known))
    by_field = [{"key": f.code, "label": f.name, **_row(by_field_counts.get(f.pk, {}), field_cycles.get(f.pk, {}),
                                                        ordinary)} for f in fields]

    # Per month of submission, every month of the period (or from the first case to the last).
    month_counts = {_month_key(r["month"]): r for r in qs.annotate(month=TruncMonth("case__submitted_at"))
                    .values("month").annotate(**_aggregates(today)).order_by()}
    month_cycles = _cycles_by(cycles, "month")
    months = _period_months(sorted(k for k in month_counts if k), start, end, today)
    by_month = [{"key": m, "label": m, **_row(month_counts.get(m, {}), month_cycles.get(m, {}), ordinary)}
                for m in months]

    # Per organization, the busiest first.
    org_counts = {r["case__organization_id"]: r for r in qs.values(
        "case__organization_id", "case__organization__name", "case__organization__league__name"
    ).annotate(**_aggregates(today)).order_by()}
    org_cycles = _cycles_by(cycles, "case__organization_id")
    by_organization = sorted(
        ({"key": pk, "label": r["case__organization__name"] or "—", "league": r["case__organization__league__name"] or "",
          **_row(r, org_cycles.get(pk, {}), ordinary)} for pk, r in org_counts.items()),
        key=lambda r: (-r["submissions"], r["label"]))

    # Per league (盟市), in the official order of their codes; organizations without one last.
    league_counts = _grouped(qs, today, "case__organization__league_id")
    league_cycles = _cycles_by(cycles, "case__organization__league_id")
    leagues = {r.code: r for r in Region.objects.filter(level="league", code__in=[k for k in league_counts if k])}
    by_league = [{"key": code, "label": leagues[code].name if code in leagues else "—",
                  **_row(league_counts[code], league_cycles.get(code, {}), ordinary)}
                 for code in sorted(league_counts, key=lambda c: (c is None, c or ""))]

    by_state = {r["state"]: r["n"] for r in qs.values("state").annotate(n=Count("pk")).order_by()}

    compared = [c["days"] for c in cycles if c["patent_type"] == COMPARED_TYPE]
    summary = cycle_summary(compared)
    grant_cycle = {
        "patent_type": str(COMPARED_TYPE), "patent_type_label": str(PatentType(COMPARED_TYPE).label), **summary,
        "ordinary_days": ordinary, "reduction_percent": reduction_percent(summary["mean_days"], ordinary),
        "reduction_days": round(ordinary - summary["mean_days"], 1) if summary["mean_days"] is not None else None,
        "distribution": cycle_distribution(compared),
        "all_types": cycle_summary([c["days"] for c in cycles]),
        "by_type": [{"key": t.value, "label": str(t.label),
                     **cycle_summary([c["days"] for c in cycles if c["patent_type"] == t.value])} for t in PatentType],
    }

    quota_year = year or (end.year if end else today.year)
    field_obj = TechnicalField.objects.filter(pk=_pk(field)).first() if field is not None else None
    league_obj = Region.objects.filter(pk=_pk(league)).first() if league is not None else None
    org_obj = Organization.objects.filter(pk=_pk(organization)).first() if organization is not None else None
    return {
        "filters": {
            "year": year, "date_from": start.isoformat() if start else None, "date_to": end.isoformat() if end else None,
            "field": field_obj.code if field_obj else None, "field_name": field_obj.name if field_obj else None,
            "league": league_obj.code if league_obj else None, "league_name": league_obj.name if league_obj else None,
            "organization": org_obj.pk if org_obj else None, "organization_name": org_obj.name if org_obj else None,
        },
        "today": today.isoformat(),
        "ordinary_cycle_days": ordinary,
        "overall": overall,
        "grant_cycle": grant_cycle,
        "by_state": [{"key": s.value, "label": str(s.label), "count": by_state.get(s.value, 0)} for s in PreExamState],
        "by_field": by_field,
        "by_month": by_month,
        "by_organization": by_organization,
        "by_league": by_league,
        "examiners": _examiners(start=start, end=end, today=today, **scope),
        "priority": _priority(start=start, end=end, quota_year=quota_year, **scope),
    }

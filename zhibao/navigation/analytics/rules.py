"""The rules behind the navigation figures: thresholds (module constants a project may
override) and pure functions, each unit-tested — a node's effective query, applicant
concentration, the technology life-cycle phase, the location quotient and a branch's verdict."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhibao.patents.choices import LegalStatus

# --- Thresholds (a project may override them) ------------------------------------------------

# Gap / strength nodes: only nodes with at least this many patents get a verdict (below it a
# location quotient is noise), a gap when LQ < GAP_LQ, a strength when LQ ≥ STRENGTH_LQ.
MIN_NODE_PATENTS = 20
GAP_LQ = 0.5
STRENGTH_LQ = 1.5

# Technology life-cycle (see lifecycle_phase).
LIFECYCLE_WINDOW = 3  # years compared: the last WINDOW against the WINDOW before them
GROWTH_RATE = 0.2  # "rising fast": the recent mean at least 20 % above the previous one
DECLINE_RATE = -0.1  # "falling": the recent mean at least 10 % below
EMERGING_APPLICATIONS = 20  # "few": no year ever reached 20 applications …
EMERGING_APPLICANTS = 10  # … nor 10 applicants
# Inventions are published 18 months after filing (专利法 第三十四条): the application counts of
# the current and the previous year are incomplete, so the phase is read from the years before.
INCOMPLETE_YEARS = 2

# Applicants: concentration, new entrants and the project's node × applicant matrix read the
# counts of up to this many applicants per node (tantivy caps one aggregation at 65,000
# buckets); the distinct total is the engine's cardinality estimate when there are more.
APPLICANT_LIMIT = 20_000
NETWORK_SIZE = 20  # co-applicant network: links among the top NETWORK_SIZE applicants
LAPSE_RISK_YEARS = 3
# Patent terms (专利法 第四十二条): invention 20 years, utility model 10, design 10 — 15 for
# designs filed from 2021-06-01 (the fourth amendment).
TERM_YEARS = {"invention": 20, "utility_model": 10, "design": 10}
DESIGN_15_YEARS_FROM = 20210601

PHASE_LABELS = {
    "emerging": gettext_lazy("Emerging"),  # 萌芽期
    "growth": gettext_lazy("Growth"),  # 成长期
    "maturity": gettext_lazy("Maturity"),  # 成熟期
    "decline": gettext_lazy("Decline"),  # 衰退期
}
# Legal statuses that end an invention application without a grant (驳回, 视为撤回/撤回/放弃).
REFUSED = (LegalStatus.REJECTED, LegalStatus.WITHDRAWN)


# --- Pure helpers ------------------------------------------------------------------------------


def _in_platform_language(func):
    """Labels and reasons are stored in snapshots and read later by anyone: they are written in
    settings.LANGUAGE_CODE (Chinese) whatever the caller's language (decisions §8)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return func(*args, **kwargs)

    return wrapper


def effective_queries(nodes: Iterable[dict]) -> dict[str, str]:
    """{node key: effective query} of a breakdown tree (dicts with key, parent_key, query).

    A node's effective query is the OR of its own query and every descendant's, each in
    parentheses, in tree order, empty ones (grouping nodes) left out and the same query text
    only once; "" when the node and all its descendants have none (the node has no patents —
    never "match everything").
    """
    nodes = list(nodes)
    children: dict[str | None, list[dict]] = {}
    for node in nodes:
        children.setdefault(node.get("parent_key"), []).append(node)

    def parts(node: dict) -> list[str]:
        own = (node.get("query") or "").strip()
        found = [own] if own else []
        for child in children.get(node["key"], []):
            found.extend(parts(child))
        return found

    result = {}
    for node in nodes:
        unique = list(dict.fromkeys(parts(node)))
        result[node["key"]] = unique[0] if len(unique) == 1 else " OR ".join(f"({p})" for p in unique)
    return result


def concentration(counts: Iterable[int]) -> tuple[float, float, float]:
    """(CR4, CR8, HHI) of applicants' patent counts.

    Shares are each applicant's count over the sum of all counts (a co-applied patent counts
    once for each of its applicants, so the shares add up to 1); CR4 / CR8 are the shares of
    the 4 / 8 largest (0..1), HHI the sum of squared percentage shares (0..10,000: 10,000 is one
    applicant, below 1,500 an unconcentrated field by the usual antitrust reading).
    """
    ordered = sorted((int(c) for c in counts if c), reverse=True)
    total = sum(ordered)
    if not total:
        return 0.0, 0.0, 0.0
    cr4 = sum(ordered[:4]) / total
    cr8 = sum(ordered[:8]) / total
    hhi = sum((100.0 * c / total) ** 2 for c in ordered)
    return round(cr4, 4), round(cr8, 4), round(hhi, 1)


def _growth(recent: float, previous: float) -> float:
    if previous <= 0:
        return math.inf if recent > 0 else 0.0
    return recent / previous - 1


def _percent(value: float) -> str:
    return "∞" if value == math.inf else f"{value * 100:+.0f}%"


@_in_platform_language
def lifecycle_phase(points: list[dict]) -> dict:
    """The technology life-cycle phase read from applications and applicants per year (the
    classic "technology life-cycle" chart of patent analysis: applicants on one axis,
    applications on the other). `points` are [{"year", "applications", "applicants"}], years in
    order and complete (incomplete recent years already left out).

    The rule, in this order:

    1. **emerging** (萌芽期) — few of both: no year reached EMERGING_APPLICATIONS applications
       and EMERGING_APPLICANTS applicants (or there is no year at all);
    2. with fewer than two years nothing can be compared: **maturity** (成熟期), said so;
    3. the mean applications and mean applicants of the last LIFECYCLE_WINDOW years (w =
       min(LIFECYCLE_WINDOW, years // 2)) are compared with the w years before them;
    4. **growth** (成长期) — both rose by GROWTH_RATE or more;
    5. **decline** (衰退期) — both fell by DECLINE_RATE or more;
    6. otherwise **maturity** (成熟期) — applications flat or high while the number of
       applicants stopped rising or falls (the field consolidates among incumbents).

    Returns {"phase", "label", "reason", "points"}.
    """
    points = [{"year": int(p["year"]), "applications": int(p["applications"]), "applicants": int(p["applicants"])}
              for p in points]

    def result(phase: str, reason: str) -> dict:
        return {"phase": phase, "label": str(PHASE_LABELS[phase]), "reason": reason, "points": points}

    peak_apps = max((p["applications"] for p in points), default=0)
    peak_people = max((p["applicants"] for p in points), default=0)
    if peak_apps < EMERGING_APPLICATIONS and peak_people < EMERGING_APPLICANTS:
        return result("emerging", _(
            "Few of both: no year reached %(apps)d applications or %(people)d applicants "
            "(the most were %(peak_apps)d applications and %(peak_people)d applicants in a year).")
            % {"apps": EMERGING_APPLICATIONS, "people": EMERGING_APPLICANTS, "peak_apps": peak_apps,
               "peak_people": peak_people})
    if len(points) < 2:
        return result("maturity", _("Only one complete year of data: no trend can be read; shown as maturity."))
    window = min(LIFECYCLE_WINDOW, len(points) // 2)
    recent, previous = points[-window:], points[-2 * window:-window]
    apps = _growth(sum(p["applications"] for p in recent) / window, sum(p["applications"] for p in previous) / window)
    people = _growth(sum(p["applicants"] for p in recent) / window, sum(p["applicants"] for p in previous) / window)
    figures = {"years": window, "from": recent[0]["year"], "to": recent[-1]["year"], "apps": _percent(apps),
               "people": _percent(people)}
    if apps >= GROWTH_RATE and people >= GROWTH_RATE:
        return result("growth", _(
            "In %(from)d–%(to)d applications changed by %(apps)s and applicants by %(people)s against the "
            "%(years)d years before: both rise fast, new players keep coming in.") % figures)
    if apps <= DECLINE_RATE and people <= DECLINE_RATE:
        return result("decline", _(
            "In %(from)d–%(to)d applications changed by %(apps)s and applicants by %(people)s against the "
            "%(years)d years before: both fall, players leave the field.") % figures)
    return result("maturity", _(
        "In %(from)d–%(to)d applications changed by %(apps)s and applicants by %(people)s against the "
        "%(years)d years before: applications hold up while the number of applicants no longer rises fast.")
        % figures)


def location_quotient(region_count: int, region_total: int, national_count: int, national_total: int) -> float | None:
    """LQ = (the node's region patents / the region's patents in the project) ÷ (the node's
    Chinese patents / all Chinese patents of the project); None when the node has no Chinese
    patents (nothing to compare). A region with no patents at all in the project has LQ 0."""
    if not national_count or not national_total:
        return None
    region_share = region_count / region_total if region_total else 0.0
    return region_share / (national_count / national_total)


@_in_platform_language
def node_verdict(total: int, lq: float | None, *, region_share: float = 0.0, national_share: float = 0.0,
                 min_patents: int | None = None, gap_lq: float | None = None,
                 strength_lq: float | None = None) -> tuple[str, str]:
    """("gap" | "strength" | "neutral", the reason in words) of a node: a gap (短板) when it has
    at least MIN_NODE_PATENTS patents and LQ < GAP_LQ, a strength when LQ ≥ STRENGTH_LQ."""
    min_patents = MIN_NODE_PATENTS if min_patents is None else min_patents
    gap_lq = GAP_LQ if gap_lq is None else gap_lq
    strength_lq = STRENGTH_LQ if strength_lq is None else strength_lq
    if total < min_patents:
        return "neutral", _("%(total)d Chinese patents, fewer than %(min)d: too few for a verdict.") % {
            "total": total, "min": min_patents}
    if lq is None:
        return "neutral", _("No patent of the node has a Chinese applicant: no location quotient.")
    figures = {"region": f"{region_share:.1%}", "national": f"{national_share:.1%}", "lq": f"{lq:.2f}",
               "gap": f"{gap_lq:g}", "strength": f"{strength_lq:g}"}
    if lq < gap_lq:
        return "gap", _("The node holds %(region)s of the region's patents but %(national)s of the country's: "
                        "location quotient %(lq)s < %(gap)s, the region is weak here.") % figures
    if lq >= strength_lq:
        return "strength", _("The node holds %(region)s of the region's patents against %(national)s of the "
                             "country's: location quotient %(lq)s ≥ %(strength)s, the region is strong here.") % figures
    return "neutral", _("The node holds %(region)s of the region's patents and %(national)s of the country's: "
                        "location quotient %(lq)s, near the national pattern.") % figures

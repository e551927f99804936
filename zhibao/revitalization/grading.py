"""分级分类: a transparent score for a pool patent, factor by factor.

Each factor measures one thing the national plan's screening asks about and scores it 0–1;
the grading settings give each factor its points (scaled to add up to 100); a factor's
contribution is value × points, rounded to hundredths, and the score is the sum of the rounded
contributions — so the explanation on the patent page adds up to the score exactly. Grades
come from the settings' thresholds (A ≥ 80, B ≥ 65, C ≥ 50, else D by default).

Plain functions of plain values: the regrade job reads the patents in batches and writes the
results; tests call `grade_patent` directly.
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from zhibao.patents.choices import LegalStatus, PatentType

# factor -> label; the order is the explanation's order.
FACTORS = {
    "legal_status": gettext_lazy("Legal status"),
    "remaining_term": gettext_lazy("Remaining term"),
    "patent_type": gettext_lazy("Patent type"),
    "claims": gettext_lazy("Number of claims"),
    "ipc_breadth": gettext_lazy("Breadth of IPC classification"),
    "citations": gettext_lazy("Forward citations"),
    "family": gettext_lazy("Patent family"),
    "prior_deals": gettext_lazy("Prior transfers and licences"),
    "industry_fit": gettext_lazy("Fit with the region's key industries"),
    "market": gettext_lazy("Enterprises' market evaluations"),
}
DEFAULT_WEIGHTS = {"legal_status": 15, "remaining_term": 10, "patent_type": 10, "claims": 10, "ipc_breadth": 5,
                   "citations": 10, "family": 5, "prior_deals": 10, "industry_fit": 15, "market": 10}

# 专利法 第四十二条: invention 20 years, utility model 10, design 15 (since 2021-06-01), from filing.
TERM_YEARS = {PatentType.INVENTION: 20, PatentType.UTILITY_MODEL: 10, PatentType.DESIGN: 15}
TYPE_VALUE = {PatentType.INVENTION: 1.0, PatentType.UTILITY_MODEL: 0.6, PatentType.DESIGN: 0.4}
STATUS_VALUE = {LegalStatus.GRANTED: 1.0, LegalStatus.PENDING: 0.5}  # any other status: 0
CLAIMS_FULL = 10  # claims at which the factor is full
SUBCLASSES_FULL = 3
CITATIONS_FULL = 20  # log-scaled: 1 citation ≈ 0.23, 5 ≈ 0.59, 20 = 1
FAMILY_FULL = 5
DEALS_FULL = 2
KEYWORD_ONLY_FIT = 0.6  # a key-industry word in the title but no IPC code in its ranges
NEUTRAL_MARKET = 0.5  # too few evaluations to say


@dataclass(frozen=True)
class PatentFacts:
    """What grading reads of a patent (from patents.Patent), plus the pool's evaluations."""

    patent_type: str
    legal_status: str
    application_date: dt.date | None
    claims_count: int
    ipc_codes: tuple[str, ...]
    citation_count: int
    family_size: int
    transfer_count: int
    licence_count: int
    title: str = ""
    abstract: str = ""
    ratings: tuple[int, ...] = ()


@dataclass
class Graded:
    score: Decimal
    grade: str
    parts: list[dict] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)  # codes of the key industries it fits


def facts_of(patent, ratings=()) -> PatentFacts:
    return PatentFacts(
        patent_type=patent.patent_type, legal_status=patent.legal_status, application_date=patent.application_date,
        claims_count=patent.claims_count or 0, ipc_codes=tuple(patent.ipc_codes or ()),
        citation_count=patent.citation_count or 0, family_size=patent.family_size or 0,
        transfer_count=patent.transfer_count or 0, licence_count=patent.licence_count or 0,
        title=patent.title or "", abstract=patent.abstract or "", ratings=tuple(ratings),
    )


def _cap(x: float) -> float:
    return max(0.0, min(1.0, x))


def _remaining_years(facts: PatentFacts, today: dt.date) -> float | None:
    if facts.application_date is None:
        return None
    term = TERM_YEARS.get(facts.patent_type, 20)
    try:
        ends = facts.application_date.replace(year=facts.application_date.year + term)
    except ValueError:  # 29 February
        ends = facts.application_date.replace(year=facts.application_date.year + term, day=28)
    return max(0.0, (ends - today).days / 365.25)


def factor_values(facts: PatentFacts, industries, *, today: dt.date, evaluation_min_count: int = 1) -> dict:
    """factor -> (value 0–1, detail shown to people) for one patent."""
    values = {}
    status = STATUS_VALUE.get(facts.legal_status, 0.0)
    values["legal_status"] = (status, str(LegalStatus(facts.legal_status).label)
                              if facts.legal_status in LegalStatus.values else facts.legal_status)
    left = _remaining_years(facts, today)
    term = TERM_YEARS.get(facts.patent_type, 20)
    if left is None or status == 0:
        values["remaining_term"] = (0.0, _("no remaining term") if status == 0 else _("application date unknown"))
    else:
        values["remaining_term"] = (_cap(left / term), _("%(left).1f of %(term)d years left") % {"left": left,
                                                                                                  "term": term})
    values["patent_type"] = (TYPE_VALUE.get(facts.patent_type, 0.0),
                             str(PatentType(facts.patent_type).label) if facts.patent_type in PatentType.values
                             else facts.patent_type)
    values["claims"] = (_cap(facts.claims_count / CLAIMS_FULL), _("%(n)d claims") % {"n": facts.claims_count})
    subclasses = sorted({c.replace(" ", "")[:4].upper() for c in facts.ipc_codes if len(c.replace(" ", "")) >= 4})
    values["ipc_breadth"] = (_cap(len(subclasses) / SUBCLASSES_FULL),
                             _("%(n)d subclasses: %(list)s") % {"n": len(subclasses), "list": "、".join(subclasses) or "—"})
    values["citations"] = (_cap(math.log1p(facts.citation_count) / math.log1p(CITATIONS_FULL)),
                           _("cited %(n)d times") % {"n": facts.citation_count})
    values["family"] = (_cap((facts.family_size - 1) / (FAMILY_FULL - 1)) if facts.family_size > 1 else 0.0,
                        _("%(n)d family members") % {"n": facts.family_size})
    deals = facts.transfer_count + facts.licence_count
    values["prior_deals"] = (_cap(deals / DEALS_FULL), _("%(t)d transfers, %(l)d licences")
                             % {"t": facts.transfer_count, "l": facts.licence_count})
    fit, fit_detail = 0.0, _("outside the key industries")
    text = f"{facts.title} {facts.abstract}"
    for industry in industries:
        codes = industry.covering_ipc(facts.ipc_codes)
        if codes:
            fit, fit_detail = 1.0, _("%(industry)s (IPC %(codes)s)") % {"industry": industry.name,
                                                                       "codes": "、".join(codes[:3])}
            break
        words = industry.keywords_in(text)
        if words and fit < KEYWORD_ONLY_FIT:
            fit, fit_detail = KEYWORD_ONLY_FIT, _("%(industry)s (words: %(words)s)") % {
                "industry": industry.name, "words": "、".join(words[:3])}
    values["industry_fit"] = (fit, fit_detail)
    if len(facts.ratings) >= max(1, evaluation_min_count):
        mean = sum(facts.ratings) / len(facts.ratings)
        values["market"] = (_cap((mean - 1) / 4), ngettext("%(mean).1f of 5 from %(n)d enterprise",
                                                            "%(mean).1f of 5 from %(n)d enterprises",
                                                            len(facts.ratings)) % {"mean": mean, "n": len(facts.ratings)})
    else:
        values["market"] = (NEUTRAL_MARKET, _("not enough evaluations yet (%(n)d)") % {"n": len(facts.ratings)})
    return values


def fitting_industries(facts: PatentFacts, industries) -> list:
    text = f"{facts.title} {facts.abstract}"
    return [i for i in industries if i.covering_ipc(facts.ipc_codes) or i.keywords_in(text)]


def scaled_points(weights: dict) -> dict:
    """The factors' points, scaled so they add up to 100 (a factor missing from the weights is 0)."""
    total = sum(float(weights.get(f, 0) or 0) for f in FACTORS)
    return {f: (float(weights.get(f, 0) or 0) * 100 / total if total else 0.0) for f in FACTORS}


def grade_of(score: Decimal, thresholds: dict) -> str:
    for grade in ("A", "B", "C"):
        if score >= Decimal(str(thresholds[grade])):
            return grade
    return "D"


def grade_patent(facts: PatentFacts, *, industries, weights: dict, thresholds: dict, today: dt.date,
                 evaluation_min_count: int = 1) -> Graded:
    """The score, the grade and the explanation of one patent."""
    values = factor_values(facts, industries, today=today, evaluation_min_count=evaluation_min_count)
    points = scaled_points(weights)
    parts, score = [], Decimal("0")
    for factor, label in FACTORS.items():
        value, detail = values[factor]
        contribution = Decimal(str(value * points[factor])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        score += contribution
        parts.append({"factor": factor, "label": str(label), "value": round(value, 4),
                      "weight": round(points[factor], 2), "points": str(contribution), "detail": detail})
    return Graded(score=score, grade=grade_of(score, thresholds), parts=parts,
                  industries=[i.code for i in fitting_industries(facts, industries)])

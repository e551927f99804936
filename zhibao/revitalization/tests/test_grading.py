"""分级分类: every factor's value, the explanation adding up to the score, weights and grades."""

import datetime as dt
from decimal import Decimal

import pytest

from zhibao.patents.choices import LegalStatus, PatentType
from zhibao.revitalization.grading import (
    DEFAULT_WEIGHTS,
    FACTORS,
    PatentFacts,
    grade_of,
    grade_patent,
    scaled_points,
)
from zhibao.revitalization.models import KeyIndustry

TODAY = dt.date(2026, 12, 1)
THRESHOLDS = {"A": 80, "B": 65, "C": 50}
RARE_EARTH = KeyIndustry(code="rare_earth", name="稀土", ipc_prefixes=["H01F1/", "C22B59/"], keywords=["稀土"])
DAIRY = KeyIndustry(code="dairy", name="乳业", ipc_prefixes=["A23C"], keywords=["乳酸菌", "奶酪"])


def facts(**overrides) -> PatentFacts:
    values = {"patent_type": PatentType.INVENTION, "legal_status": LegalStatus.GRANTED,
              "application_date": dt.date(2020, 6, 1), "claims_count": 10, "ipc_codes": ("H01F 1/057", "C22C 38/00"),
              "citation_count": 3, "family_size": 2, "transfer_count": 0, "licence_count": 1,
              "title": "一种烧结钕铁硼稀土永磁材料", "abstract": "", "ratings": (4, 5)}
    values.update(overrides)
    return PatentFacts(**values)


def grade(f, weights=DEFAULT_WEIGHTS, industries=(RARE_EARTH, DAIRY)):
    return grade_patent(f, industries=list(industries), weights=weights, thresholds=THRESHOLDS, today=TODAY)


def part(graded, factor):
    return next(p for p in graded.parts if p["factor"] == factor)


def test_the_explanation_adds_up_to_the_score_in_factor_order():
    graded = grade(facts())
    assert [p["factor"] for p in graded.parts] == list(FACTORS)
    assert sum(Decimal(p["points"]) for p in graded.parts) == graded.score
    assert sum(p["weight"] for p in graded.parts) == pytest.approx(100)
    assert graded.grade == grade_of(graded.score, THRESHOLDS)


@pytest.mark.parametrize(("status", "value"), [(LegalStatus.GRANTED, 1.0), (LegalStatus.PENDING, 0.5),
                                               (LegalStatus.LAPSED, 0.0), (LegalStatus.EXPIRED, 0.0)])
def test_legal_status(status, value):
    graded = grade(facts(legal_status=status))
    assert part(graded, "legal_status")["value"] == value
    if value == 0:
        assert part(graded, "remaining_term")["value"] == 0  # a dead patent has no term left


def test_remaining_term_counts_from_the_filing_date_by_type():
    # an invention filed 2016-12-01 has 10 of 20 years left on 2026-12-01
    assert part(grade(facts(application_date=dt.date(2016, 12, 1))), "remaining_term")["value"] == pytest.approx(
        0.5, abs=0.001)
    # a utility model of the same day has expired its 10 years
    um = facts(patent_type=PatentType.UTILITY_MODEL, application_date=dt.date(2016, 12, 1))
    assert part(grade(um), "remaining_term")["value"] == 0


def test_type_claims_breadth_citations_family_deals_are_capped_at_one():
    big = grade(facts(claims_count=40, ipc_codes=("H01F 1/057", "C22C 38/00", "B22F 3/10", "C22B 59/00"),
                      citation_count=500, family_size=30, transfer_count=3, licence_count=3))
    for factor in ("claims", "ipc_breadth", "citations", "family", "prior_deals"):
        assert part(big, factor)["value"] == 1.0
    none = grade(facts(claims_count=0, ipc_codes=(), citation_count=0, family_size=1, transfer_count=0,
                       licence_count=0))
    for factor in ("claims", "ipc_breadth", "citations", "family", "prior_deals"):
        assert part(none, factor)["value"] == 0.0
    assert part(grade(facts(patent_type=PatentType.DESIGN)), "patent_type")["value"] == 0.4


def test_industry_fit_by_ipc_beats_a_keyword_and_names_the_industry():
    by_ipc = part(grade(facts()), "industry_fit")
    assert by_ipc["value"] == 1.0 and "稀土" in by_ipc["detail"] and "H01F" in by_ipc["detail"]
    by_word = part(grade(facts(ipc_codes=("G06F 16/00",), title="一种乳酸菌发酵奶酪的生产方法")), "industry_fit")
    assert by_word["value"] == 0.6 and "乳酸菌" in by_word["detail"]
    outside = part(grade(facts(ipc_codes=("G06F 16/00",), title="一种数据处理方法")), "industry_fit")
    assert outside["value"] == 0.0
    assert grade(facts()).industries == ["rare_earth"]


def test_market_evaluations_average_and_too_few_count_as_neutral():
    assert part(grade(facts(ratings=(5, 5))), "market")["value"] == 1.0
    assert part(grade(facts(ratings=(1,))), "market")["value"] == 0.0
    assert part(grade(facts(ratings=())), "market")["value"] == 0.5


def test_weights_change_the_score_and_are_scaled_to_100():
    only_status = dict.fromkeys(FACTORS, 0) | {"legal_status": 7}
    assert scaled_points(only_status)["legal_status"] == 100
    assert grade(facts(), weights=only_status).score == Decimal("100.00")
    assert grade(facts(legal_status=LegalStatus.LAPSED), weights=only_status).score == Decimal("0.00")


@pytest.mark.parametrize(("score", "expected"), [("80", "A"), ("79.99", "B"), ("65", "B"), ("50", "C"), ("49.99", "D")])
def test_grade_thresholds(score, expected):
    assert grade_of(Decimal(score), THRESHOLDS) == expected


def test_a_strong_granted_invention_in_a_key_industry_is_a_and_a_lapsed_utility_model_is_d():
    strong = facts(claims_count=15, ipc_codes=("H01F 1/057", "C22C 38/00", "B22F 3/10"), citation_count=20,
                   family_size=5, transfer_count=1, licence_count=1, application_date=dt.date(2022, 1, 1))
    assert grade(strong).grade == "A"
    weak = facts(patent_type=PatentType.UTILITY_MODEL, legal_status=LegalStatus.LAPSED, claims_count=2,
                 ipc_codes=("G06F 16/00",), title="一种支架", citation_count=0, family_size=1, licence_count=0,
                 ratings=())
    assert grade(weak).grade == "D"

"""Revitalization statistics: the figures from real records, year on year, filters, the page,
Excel and the API with their permission."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhibao.conftest import login
from zhibao.core.services.cases import case_submit
from zhibao.revitalization.choices import Answer, DealKind, DealState, MatchState
from zhibao.revitalization.models import Deal, Demand, Inventory, InventoryItem, KeyIndustry, Match
from zhibao.revitalization.services.pool import pool_add
from zhibao.revitalization.statistics import revitalization_statistics

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def inventory_of(org, user, patents, pooled):
    """A completed inventory with a line per patent, the first `pooled` of them pooled."""
    inventory, _ = case_submit(service="RVI", title="盘点", applicant=user, organization=org,
                               create_detail=lambda case: Inventory.objects.create(case=case, organization=org))
    for line, patent in enumerate(patents, start=1):
        InventoryItem.objects.create(inventory=inventory, line=line, number=patent.publication_number, patent=patent,
                                     institution_decision="pooled" if line <= pooled else "not_pooled")
    Inventory.objects.filter(pk=inventory.pk).update(state="completed")
    return inventory


def demand_of(org, user, *, published_at, key_industry=None):
    def create(case):
        return Demand.objects.create(case=case, organization=org, title="需要稀土永磁技术", description="…",
                                     modes=["licence"], contact_name="王", contact_phone="0472-1",
                                     key_industry=key_industry, published_at=published_at, state="published")

    return case_submit(service="RVD", title="需求", applicant=user, organization=org, create_detail=create)[0]


def deal_of(pool_patent, buyer, user, *, kind, amount, signed_on):
    def create(case):
        return Deal.objects.create(case=case, pool_patent=pool_patent, seller=pool_patent.holder, buyer=buyer,
                                   kind=kind, amount=Decimal(amount), signed_on=signed_on, state=DealState.CONTRACTED)

    return case_submit(service="RVT", title="交易", applicant=user, organization=buyer, create_detail=create)[0]


@pytest.fixture
def figures(people, corpus, uni_org, alice_org, operator):
    held = [p for p in corpus.values() if p.first_applicant == uni_org.name]  # six
    inventory_of(uni_org, people["uni"], held, pooled=4)
    pool = [pool_add(patent=p, holder=uni_org, actor=operator)[0] for p in held[:4]]
    rare_earth = KeyIndustry.objects.get(code="rare_earth")
    now = timezone.now()
    demand = demand_of(alice_org, people["alice"], published_at=now, key_industry=rare_earth)
    demand_of(alice_org, people["alice"], published_at=now.replace(year=YEAR - 1))
    Match.objects.create(demand=demand, pool_patent=pool[0], rank=1, score=1.0, state=MatchState.PUSHED,
                         pushed_at=now, demand_answer=Answer.INTERESTED, holder_answer=Answer.INTERESTED)
    Match.objects.create(demand=demand, pool_patent=pool[1], rank=2, score=0.5, state=MatchState.PUSHED,
                         pushed_at=now, demand_answer=Answer.NOT_INTERESTED)
    Match.objects.create(demand=demand, pool_patent=pool[2], rank=3, score=0.4)  # suggested, not pushed
    today = timezone.localdate()
    deal_of(pool[0], alice_org, people["alice"], kind=DealKind.LICENCE, amount="30", signed_on=today)
    deal_of(pool[1], alice_org, people["alice"], kind=DealKind.LICENCE, amount="20", signed_on=today)
    deal_of(pool[2], alice_org, people["alice"], kind=DealKind.ASSIGNMENT, amount="100", signed_on=today)
    deal_of(pool[3], alice_org, people["alice"], kind=DealKind.LICENCE, amount="10",
            signed_on=today.replace(year=YEAR - 1, day=min(today.day, 28)))
    return {"pool": pool, "rare_earth": rare_earth}


def test_the_figures_add_up(figures, uni_org):
    stats = revitalization_statistics()
    assert stats["inventory"] == {"inventoried": 6, "pooled": 4, "rate": 66.7}
    assert stats["pool"]["listed"] == 4 and sum(g["count"] for g in stats["pool"]["by_grade"]) == 4
    assert stats["demands"]["published"] == 1 and stats["demands"]["published_last_year"] == 1
    assert stats["matches"] == {"pushed": 2, "answered": 2, "accepted": 1, "both_interested": 1, "precision": 50.0}
    deals = stats["deals"]
    assert deals["count"] == 3 and deals["amount"] == 150.0 and deals["count_last_year"] == 1
    assert deals["count_change"] == 200.0 and deals["amount_change"] == 1400.0
    licence = next(k for k in deals["by_kind"] if k["kind"] == "licence")
    assert licence["count"] == 2 and licence["count_last_year"] == 1 and licence["change"] == 100.0
    month = stats["by_month"][timezone.localdate().month - 1]
    assert month["deals"] == 3 and month["pushed"] == 2 and month["accepted"] == 1 and month["demands"] == 1
    (row,) = stats["by_institution"]
    assert row["label"] == uni_org.name and row["inventoried"] == 6 and row["pooled"] == 4 and row["deals"] == 3
    rare = next(r for r in stats["by_industry"] if r["code"] == "rare_earth")
    assert rare["pooled"] >= 2 and rare["demands"] == 1


def test_filters_narrow_the_figures(figures, bob_org):
    assert revitalization_statistics(institution=bob_org)["deals"]["count"] == 0
    assert revitalization_statistics(year=YEAR - 1)["deals"]["count"] == 1
    dairy = KeyIndustry.objects.get(code="dairy")
    assert revitalization_statistics(key_industry=dairy)["demands"]["published"] == 0


def test_the_page_the_excel_and_the_api_for_operators_and_leaders(figures, people):
    for who in ("operator", "leader"):
        client = login(people[who])
        page = client.get(reverse("revitalization:statistics"))
        assert page.status_code == 200
        body = page.content.decode()
        assert 'data-figure="deals">3<' in body and 'id="statistics-data"' in body
        export = client.get(reverse("revitalization:statistics_export"))
        assert export.status_code == 200
        book = load_workbook(io.BytesIO(export.content))
        assert len(book.sheetnames) == 5
        api = client.get(reverse("api-rv-statistics"), {"year": YEAR})
        assert api.status_code == 200 and api.json()["deals"]["count"] == 3


@pytest.mark.parametrize("who", ["alice", "uni", "bob"])
def test_applicants_may_not_see_the_dashboard(figures, people, who):
    client = login(people[who])
    assert client.get(reverse("revitalization:statistics")).status_code == 403
    assert client.get(reverse("revitalization:statistics_export")).status_code == 403
    assert client.get(reverse("api-rv-statistics")).status_code == 403


def test_a_bad_filter_is_reported_and_ignored(figures, people):
    client = login(people["operator"])
    page = client.get(reverse("revitalization:statistics"), {"year": "abc"})
    assert page.status_code == 200 and 'data-figure="deals">3<' in page.content.decode()
    assert client.get(reverse("api-rv-statistics"), {"year": "abc"}).status_code == 400


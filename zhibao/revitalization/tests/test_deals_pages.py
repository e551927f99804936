"""Deal pages and API as owner and stranger: the parties and the center see a deal, anyone else
gets 404; the intent page opens a deal; the contract downloads as DOCX; Excel export."""

import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from zhibao.conftest import login
from zhibao.revitalization.choices import DealState
from zhibao.revitalization.models import Deal
from zhibao.revitalization.services.deals import deal_start
from zhibao.revitalization.services.pool import pool_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(corpus, uni_org, operator):
    return pool_add(patent=corpus["CN111000001B"], holder=uni_org, actor=operator)[0]


@pytest.fixture
def deal(listed, alice, alice_org):
    return deal_start(pool_patent=listed, buyer=alice_org, user=alice, kind="licence")[0]


def urls(deal):
    n = deal.case.number
    return [reverse("revitalization:deal_detail", args=[n]), reverse("revitalization:deal_contract", args=[n]),
            f"/api/v1/revitalization/deals/{n}", f"/api/v1/revitalization/deals/{n}/contract"]


@pytest.mark.parametrize(("persona", "status"), [("alice", 200), ("uni", 200), ("uni_member", 200),
                                                 ("operator", 200), ("leader", 200), ("bob", 404)])
def test_every_deal_endpoint_as_owner_and_stranger(persona, status, deal, people):
    client = login(people[persona])
    for url in urls(deal):
        assert client.get(url).status_code == status, url
    listing = client.get("/api/v1/revitalization/deals").json()
    assert (listing["count"] if "count" in listing else len(listing)) == (0 if persona == "bob" else 1)
    post = client.post(f"/api/v1/revitalization/deals/{deal.case.number}/transitions/negotiate", {},
                       content_type="application/json")
    assert post.status_code == {"bob": 404, "leader": 403}.get(persona, 200)


def test_the_intent_page_opens_a_deal_once(listed, alice, alice_org):
    client = login(alice)
    url = reverse("revitalization:pool_intent", args=[listed.pk])
    page = client.get(url)
    assert page.status_code == 200 and "intent-form" in page.content.decode()
    data = {"organization": alice_org.pk, "kind": "assignment", "note": "拟受让", "idempotency_key": "once"}
    response = client.post(url, data)
    deal = Deal.objects.get()
    assert response.status_code == 302 and response.url == reverse("revitalization:deal_detail",
                                                                  args=[deal.case.number])
    client.post(url, data)
    assert Deal.objects.count() == 1
    refused = client.post(url, {**data, "idempotency_key": "twice"})
    assert refused.status_code == 200 and "form-errors" in refused.content.decode()


def test_the_holder_signs_on_the_deal_page_and_downloads_the_contract(deal, uni, operator, alice_org):
    from django.utils import timezone

    client = login(uni)
    n = deal.case.number
    assert client.post(reverse("revitalization:deal_step", args=[n, "negotiate"]), {"comment": ""}).status_code == 302
    today = timezone.localdate().isoformat()
    client.post(reverse("revitalization:deal_step", args=[n, "sign"]), {
        "kind": "licence", "amount": "30", "signed_on": today, "starts_on": today, "ends_on": "2030-12-31"})
    deal.refresh_from_db()
    assert deal.state == DealState.CONTRACTED and deal.amount == 30
    page = client.get(reverse("revitalization:deal_detail", args=[n])).content.decode()
    attachment = deal.case.attachments.get(kind="rv_contract")
    assert reverse("revitalization:deal_file", args=[n, attachment.pk]) in page
    download = client.get(reverse("revitalization:deal_file", args=[n, attachment.pk]))
    text = "\n".join(c.text for t in Document(io.BytesIO(b"".join(download.streaming_content))).tables
                     for r in t.rows for c in r.cells)
    assert alice_org.name in text and alice_org.uscc in text


def test_deal_list_and_excel_export(deal, alice, bob):
    page = login(alice).get(reverse("revitalization:deal_list"))
    assert deal.case.number in page.content.decode()
    assert deal.case.number not in login(bob).get(reverse("revitalization:deal_list")).content.decode()
    export = login(alice).get(reverse("revitalization:deal_list") + "?format=xlsx")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == deal.case.number and len(rows) == 2


def test_the_api_starts_a_deal_with_an_idempotency_key(listed, alice, alice_org, uni, uni_org):
    client = login(alice)
    body = {"pool_patent": listed.pk, "organization": alice_org.pk, "kind": "licence"}
    first = client.post("/api/v1/revitalization/deals", body, content_type="application/json",
                        headers={"Idempotency-Key": "abc"})
    again = client.post("/api/v1/revitalization/deals", body, content_type="application/json",
                        headers={"Idempotency-Key": "abc"})
    assert first.status_code == 201 and again.status_code == 200 and first.json()["number"] == again.json()["number"]
    own = login(uni).post("/api/v1/revitalization/deals", {**body, "organization": uni_org.pk},
                          content_type="application/json")
    assert own.status_code == 400 and own.json()["code"] == "own_patent"
    stranger_org = client.post("/api/v1/revitalization/deals", {**body, "organization": uni_org.pk},
                               content_type="application/json")
    assert stranger_org.status_code == 400 and stranger_org.json()["code"] == "unknown_organization"
    sign = client.post(f"/api/v1/revitalization/deals/{first.json()['number']}/transitions/sign", {"payload": {}},
                       content_type="application/json")
    assert sign.status_code == 409 and sign.json()["code"] == "transition_not_allowed"


def test_the_portal_case_page_shows_the_deal_and_links_to_its_page(deal, alice):
    page = login(alice).get(deal.case.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200 and "deal-particulars" in html
    assert reverse("revitalization:deal_detail", args=[deal.case.number]) in html

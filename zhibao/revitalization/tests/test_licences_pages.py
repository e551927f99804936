"""Open-licence pages and API as owner and stranger; the public list's filters and Excel export;
taking a licence through the page and the API."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhibao.conftest import login
from zhibao.core.pdf import font_path
from zhibao.core.services.cases import case_transition
from zhibao.revitalization.models import OpenLicenceGrant
from zhibao.revitalization.services.licences import open_licence_declare
from zhibao.revitalization.services.pool import pool_add

pytestmark = pytest.mark.django_db
needs_font = pytest.mark.skipif(font_path() is None, reason="no CJK font on this machine (fonts-noto-cjk)")


@pytest.fixture
def declared(corpus, uni_org, uni, operator):
    listed = pool_add(patent=corpus["CN111000001B"], holder=uni_org, actor=operator)[0]
    return open_licence_declare(pool_patent=listed, user=uni, fee_method="lump_sum", lump_sum="8", term_years=3)[0]


@pytest.fixture
def published(declared, operator):
    return case_transition(detail=declared, name="publish", actor=operator)


def urls(ol):
    n = ol.case.number
    return [reverse("revitalization:open_licence_detail", args=[n]), f"/api/v1/revitalization/open-licences/{n}"]


@pytest.mark.parametrize(("persona", "status"), [("uni", 200), ("uni_member", 200), ("operator", 200),
                                                 ("leader", 200), ("alice", 404), ("bob", 404)])
def test_a_declaration_in_review_is_the_holders_and_the_centers(persona, status, declared, people):
    client = login(people[persona])
    for url in urls(declared):
        assert client.get(url).status_code == status, url


@pytest.mark.parametrize("persona", ["uni", "alice", "bob", "operator", "leader"])
def test_a_published_offer_is_public(persona, published, people):
    client = login(people[persona])
    for url in urls(published):
        assert client.get(url).status_code == 200, url
    assert published.case.number in client.get(reverse("revitalization:open_licence_list")).content.decode()


def test_the_public_list_filters_and_exports(published, alice):
    client = login(alice)
    url = reverse("revitalization:open_licence_list")
    assert published.case.number in client.get(url + "?patent_type=invention&fee_method=lump_sum").content.decode()
    assert published.case.number not in client.get(url + "?patent_type=design").content.decode()
    assert published.case.number not in client.get(url + "?fee_method=royalty").content.decode()
    rows = list(load_workbook(io.BytesIO(client.get(url + "?format=xlsx").content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == published.case.number and rows[1][6] == 8
    api = client.get("/api/v1/revitalization/open-licences?fee_method=royalty").json()
    assert api["count"] == 0


@needs_font
def test_taking_through_the_page_and_the_api(published, alice, alice_org, bob, bob_org):
    response = login(alice).post(reverse("revitalization:open_licence_take", args=[published.case.number]),
                                 {"organization": alice_org.pk})
    assert response.status_code == 302 and OpenLicenceGrant.objects.filter(licensee=alice_org).exists()
    api = login(bob).post(f"/api/v1/revitalization/open-licences/{published.case.number}/take",
                          {"organization": bob_org.pk}, content_type="application/json")
    assert api.status_code == 201 and api.json()["deal"].startswith("RVT-")
    again = login(bob).post(f"/api/v1/revitalization/open-licences/{published.case.number}/take",
                            {"organization": bob_org.pk}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_taken"


def test_api_steps_and_refusals(declared, people, uni_org, corpus, operator):
    n = declared.case.number
    forbidden = login(people["uni"]).post(f"/api/v1/revitalization/open-licences/{n}/transitions/publish", {},
                                          content_type="application/json")
    assert forbidden.status_code == 403
    ok = login(people["operator"]).post(f"/api/v1/revitalization/open-licences/{n}/transitions/publish", {},
                                        content_type="application/json")
    assert ok.status_code == 200 and ok.json()["state"] == "published"
    utility = pool_add(patent=corpus["CN211000003U"], holder=uni_org, actor=operator)[0]
    refused = login(people["uni"]).post("/api/v1/revitalization/open-licences", {
        "pool_patent": utility.pk, "fee_method": "royalty", "royalty_rate": "3", "term_years": 2})
    assert refused.status_code == 400 and refused.json()["code"] == "evaluation_report_required"
    stranger = login(people["alice"]).post("/api/v1/revitalization/open-licences", {
        "pool_patent": utility.pk, "fee_method": "royalty", "royalty_rate": "3", "term_years": 2})
    assert stranger.status_code == 403


def test_the_declaration_page(corpus, uni_org, uni, operator, alice):
    listed = pool_add(patent=corpus["CN111000002B"], holder=uni_org, actor=operator)[0]
    client = login(uni)
    url = reverse("revitalization:open_licence_new")
    assert listed.patent.publication_number in client.get(url).content.decode()
    response = client.post(url, {"pool_patent": listed.pk, "fee_method": "mixed", "lump_sum": "2",
                                 "royalty_rate": "1.5", "term_years": 5, "idempotency_key": "k"})
    assert response.status_code == 302
    # a stranger sees none of the holder's patents to declare
    assert listed.patent.publication_number not in login(alice).get(url).content.decode()


def test_the_portal_case_page_shows_the_declaration(declared, uni, operator):
    html = login(uni).get(declared.case.get_absolute_url()).content.decode()
    assert "licence-particulars" in html and reverse("revitalization:open_licence_detail",
                                                     args=[declared.case.number]) in html
    staff = login(operator).get(declared.case.get_absolute_url()).content.decode()
    assert 'data-transition="publish"' in staff

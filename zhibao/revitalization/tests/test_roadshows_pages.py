"""Roadshow pages and API: everyone signed in reads them, only operators create them and see
the registrations table (with its Excel export); enterprises register through page and API."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhibao.conftest import login
from zhibao.revitalization.models import Roadshow, RoadshowRegistration
from zhibao.revitalization.services import roadshows as service
from zhibao.revitalization.services.pool import pool_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def roadshow(corpus, uni_org, operator):
    listed = pool_add(patent=corpus["CN111000001B"], holder=uni_org, actor=operator)[0]
    return service.roadshow_create(actor=operator, title="乳业专利路演", starts_at=timezone.now() + dt.timedelta(days=3),
                                   online_url="https://meeting.example.org/1", patents=[listed])


@pytest.mark.parametrize("persona", ["uni", "alice", "bob", "operator", "leader"])
def test_everyone_signed_in_reads_roadshows(persona, roadshow, people):
    client = login(people[persona])
    assert "乳业专利路演" in client.get(reverse("revitalization:roadshow_list")).content.decode()
    assert client.get(reverse("revitalization:roadshow_detail", args=[roadshow.pk])).status_code == 200
    assert client.get(f"/api/v1/revitalization/roadshows/{roadshow.pk}").status_code == 200
    table = client.get(reverse("revitalization:roadshow_registrations", args=[roadshow.pk]))
    assert table.status_code == (200 if persona == "operator" else 403)


def test_anonymous_is_sent_to_login(roadshow, client):
    assert client.get(reverse("revitalization:roadshow_detail", args=[roadshow.pk])).status_code == 302


def test_registration_by_page_and_api_and_the_operators_export(roadshow, alice, alice_org, bob, bob_org, operator):
    login(alice).post(reverse("revitalization:roadshow_register", args=[roadshow.pk]),
                      {"organization": alice_org.pk, "attendees": 2})
    api = login(bob).post(f"/api/v1/revitalization/roadshows/{roadshow.pk}/register",
                          {"organization": bob_org.pk, "attendees": 4}, content_type="application/json")
    assert api.status_code == 201 and RoadshowRegistration.objects.count() == 2
    mine = login(bob).get(f"/api/v1/revitalization/roadshows/{roadshow.pk}/registrations").json()
    assert [r["organization"]["id"] for r in mine] == [bob_org.pk]
    export = login(operator).get(reverse("revitalization:roadshow_registrations", args=[roadshow.pk]) + "?format=xlsx")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert {rows[1][0], rows[2][0]} == {alice_org.name, bob_org.name}
    reg = RoadshowRegistration.objects.get(organization=bob_org)
    # a stranger cannot cancel another enterprise's registration (404: not theirs to see)
    url = f"/api/v1/revitalization/roadshows/{roadshow.pk}/registrations/{reg.pk}"
    assert login(alice).delete(url).status_code == 404
    assert login(bob).delete(url).status_code == 204


def test_only_operators_create_through_the_api(corpus, uni_org, operator, alice):
    body = {"title": "新能源专利路演", "starts_at": (timezone.now() + dt.timedelta(days=5)).isoformat(),
            "place": "鄂尔多斯"}
    assert login(alice).post("/api/v1/revitalization/roadshows", body, content_type="application/json"
                             ).status_code == 403
    created = login(operator).post("/api/v1/revitalization/roadshows", body, content_type="application/json")
    assert created.status_code == 201 and Roadshow.objects.filter(title="新能源专利路演").exists()
    page = login(operator).post(reverse("revitalization:roadshow_new"), {
        "title": "草业专利路演", "starts_at": (timezone.localtime() + dt.timedelta(days=9)).strftime("%Y-%m-%dT%H:%M"),
        "place": "呼和浩特"})
    assert page.status_code == 302 and Roadshow.objects.filter(title="草业专利路演").exists()

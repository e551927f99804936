"""The roadshows list's Excel export (“导出 Excel”): one FilterSet drives the page, the API and
the export, so the rows are the page's for every filter; the figures per roadshow (patents
presented, enterprises and people registered, enterprises attended once recorded, intents);
who may see the list may export it, and an intent (a deal) counts only for whoever may see it."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhibao.conftest import login
from zhibao.revitalization.models import KeyIndustry, Roadshow
from zhibao.revitalization.services import roadshows as service
from zhibao.revitalization.services.pool import pool_add

pytestmark = pytest.mark.django_db

HEADER = ["编号", "标题", "开始时间", "地点", "线上地址", "重点产业", "状态", "路演专利数", "报名企业数", "报名人数",
          "到场企业数", "意向数"]


def started(roadshow):
    Roadshow.objects.filter(pk=roadshow.pk).update(starts_at=timezone.now() - dt.timedelta(days=2))
    roadshow.refresh_from_db()
    return roadshow


@pytest.fixture
def shows(corpus, uni_org, operator, alice, alice_org, bob, bob_org):
    """Three roadshows: two upcoming (rare earth in Baotou with two registrations, dairy online)
    and one past, held, where alice's enterprise attended and expressed an intent (a deal)."""
    magnet, powder, milk = (pool_add(patent=corpus[n], holder=uni_org, actor=operator)[0]
                            for n in ("CN111000001B", "CN111000002B", "CN111000005B"))
    soon = timezone.now() + dt.timedelta(days=3)
    rare = service.roadshow_create(actor=operator, title="稀土新材料专利路演", starts_at=soon + dt.timedelta(days=4),
                                   place="包头市稀土高新区会展中心", key_industry=KeyIndustry.objects.get(code="rare_earth"),
                                   patents=[magnet, powder])
    service.roadshow_register(roadshow=rare, organization=alice_org, user=alice, attendees=2)
    service.roadshow_register(roadshow=rare, organization=bob_org, user=bob, attendees=3)
    dairy = service.roadshow_create(actor=operator, title="乳业专利线上路演", starts_at=soon,
                                    online_url="https://meeting.example.org/dairy",
                                    key_industry=KeyIndustry.objects.get(code="dairy"), patents=[milk])
    held = service.roadshow_create(actor=operator, title="高校专利成果路演（第一期）", starts_at=soon,
                                   place="呼和浩特市 内蒙古工业大学", patents=[magnet, milk])
    alice_reg, _ = service.roadshow_register(roadshow=held, organization=alice_org, user=alice, attendees=4)
    bob_reg, _ = service.roadshow_register(roadshow=held, organization=bob_org, user=bob, attendees=1)
    started(held)
    service.roadshow_attendance_record(roadshow=held, actor=operator, attended={alice_reg.pk: True,
                                                                                  bob_reg.pk: False})
    service.roadshow_intent(roadshow=held, pool_patent=milk, buyer=alice_org, user=alice, kind="licence",
                            note="希望获得许可")
    return {"rare": rare, "dairy": dairy, "held": held}


def export(user, **params):
    response = login(user).get(reverse("revitalization:roadshow_export"), params)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert re.search(r'filename.*roadshows-\d{8}-\d{4}\.xlsx', response["Content-Disposition"])
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    return rows[0], rows[1:]


def page_ids(user, **params) -> list[int]:
    html = login(user).get(reverse("revitalization:roadshow_list"), params).content.decode()
    return [int(pk) for pk in re.findall(r'data-roadshow="(\d+)"', html)]


def test_the_operator_exports_the_upcoming_roadshows_with_their_figures(shows, operator):
    header, rows = export(operator)
    assert list(header) == HEADER
    rare, dairy = shows["rare"], shows["dairy"]
    assert [r[0] for r in rows] == [dairy.pk, rare.pk]  # upcoming: the soonest first, as on the page
    by_id = {r[0]: r for r in rows}
    assert by_id[rare.pk][1:] == (
        "稀土新材料专利路演", timezone.localtime(rare.starts_at).strftime("%Y-%m-%d %H:%M"), "包头市稀土高新区会展中心", None,
        "稀土", "计划中", 2, 2, 5, None, 0)  # attendance: not recorded yet
    assert by_id[dairy.pk][3:6] == (None, "https://meeting.example.org/dairy", "乳业")
    assert by_id[dairy.pk][7:] == (1, 0, 0, None, 0)


def test_a_held_roadshow_shows_attendance_and_intents(shows, operator, leader):
    for user in (operator, leader):
        _header, rows = export(user, when="past")
        assert [r[0] for r in rows] == [shows["held"].pk]
        assert rows[0][6] == "已举办" and rows[0][7:] == (2, 2, 5, 1, 1)


@pytest.mark.parametrize("params", [
    {}, {"when": "upcoming"}, {"when": "past"}, {"key_industry": "dairy"}, {"q": "稀土"}, {"q": "内蒙古工业大学",
                                                                                      "when": "past"},
    {"state": "held", "when": "past"}, {"state": "cancelled"}, {"key_industry": "rare_earth", "when": "past"},
])
@pytest.mark.parametrize("persona", ["alice", "bob", "operator"])
def test_the_rows_are_the_pages_and_the_apis_for_every_filter(shows, people, persona, params):
    user = people[persona]
    _header, rows = export(user, **params)
    assert [r[0] for r in rows] == page_ids(user, **params)
    api = login(user).get("/api/v1/revitalization/roadshows", {"when": "upcoming", **params}).json()
    results = api["results"] if isinstance(api, dict) else api
    assert [r["id"] for r in results] == [r[0] for r in rows]


def test_the_filters_choose_the_rows(shows, alice):
    assert [r[0] for r in export(alice, key_industry="dairy")[1]] == [shows["dairy"].pk]
    assert [r[0] for r in export(alice, q="会展中心")[1]] == [shows["rare"].pk]
    assert [r[0] for r in export(alice, when="past", q="稀土")[1]] == []
    assert export(alice, when="someday")[1] == []  # an invalid filter gives no rows, never all of them
    assert page_ids(alice, when="someday") == []


def test_a_stranger_gets_what_the_list_shows_and_no_one_elses_intents(shows, alice, bob, uni, client):
    """Roadshows are announced to every signed-in user; the deal opened at the held roadshow is
    known to its parties (alice's enterprise, the university) and the center only."""
    held = shows["held"].pk
    intents = {user.username: export(user, when="past")[1][0][11] for user in (alice, bob, uni)}
    assert intents == {"alice": 1, "bob": 0, "uni": 1}
    _header, rows = export(bob, when="past")
    assert [r[0] for r in rows] == page_ids(bob, when="past") == [held]
    assert client.get(reverse("revitalization:roadshow_export")).status_code == 302  # anonymous: log in first


def test_the_page_offers_the_export_of_what_it_shows(shows, bob):
    html = login(bob).get(reverse("revitalization:roadshow_list"), {"when": "past", "q": "路演"}).content.decode()
    href = re.search(r'href="([^"]+)" id="export-roadshows"', html).group(1)
    assert href.startswith(reverse("revitalization:roadshow_export") + "?")
    assert "when=past" in href and "q=%E8%B7%AF%E6%BC%94" in href
    assert "导出Excel" in html

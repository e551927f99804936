"""技术需求 (RVD): posting, the center's review, editing a returned demand, closing, the
deadline sweep, the published list and its Excel export — through the services and the pages,
as alice (the enterprise), bob (another enterprise), the university, the operator and the leader."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from zhibao.conftest import login
from zhibao.core.models import Industry, Region
from zhibao.core.services.cases import WorkflowError, case_transition
from zhibao.revitalization.choices import CooperationMode, DemandState
from zhibao.revitalization.models import Demand, KeyIndustry
from zhibao.revitalization.services.demands import demand_submit, demand_sweep, demand_update

pytestmark = pytest.mark.django_db

TITLE = "稀土永磁电机磁钢的低重稀土化技术"
DESCRIPTION = "需要降低烧结钕铁硼磁体中镝、铽等重稀土用量，同时保持矫顽力，用于新能源汽车驱动电机。"


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    from zhibao.revitalization.services import matching

    settings.VAR_DIR = tmp_path / "var"
    matching._loaded.clear()
    yield settings.VAR_DIR
    matching._loaded.clear()


@pytest.fixture
def industries(db):
    """A few classes of GB/T 4754-2017, stored as the standard numbers them (digits after the section)."""
    def add(code, name, level, parent=None):
        return Industry.objects.create(code=code, name=name, level=level, parent=parent)

    section = add("C", "制造业", 1)
    division = add("38", "电气机械和器材制造业", 2, section)
    klass = add("3812", "电动机制造", 4, add("381", "电机制造", 3, division))
    dairy = add("144", "乳制品制造", 3, add("14", "食品制造业", 2, section))
    add("3985", "电子专用材料制造", 4, add("398", "电子元件及电子专用材料制造", 3,
                                    add("39", "计算机、通信和其他电子设备制造业", 2, section)))  # make_org's
    return {"C": section, "C38": division, "C3812": klass, "C144": dairy}


def values(industries, **overrides) -> dict:
    """A valid demand's fields, as the services take them."""
    data = {
        "title": TITLE, "description": DESCRIPTION, "industry": industries["C3812"],
        "key_industry": KeyIndustry.objects.get(code="rare_earth"), "league": Region.objects.get(code="150200"),
        "budget_min": "50", "budget_max": "200", "modes": [CooperationMode.LICENCE, CooperationMode.ASSIGNMENT],
        "deadline": timezone.localdate() + dt.timedelta(days=90), "contact_name": "王经理",
        "contact_phone": "13800001234",
    }
    data.update(overrides)
    return data


def submitted(user, org, industries, **overrides) -> Demand:
    demand, created = demand_submit(user=user, organization=org, **values(industries, **overrides))
    assert created
    return demand


def moved(demand, name, actor, comment="") -> Demand:
    case_transition(detail=demand, name=name, actor=actor, comment=comment)
    demand.refresh_from_db()
    return demand


def published(demand, operator) -> Demand:
    return moved(demand, "publish", operator)


def klass_pk(industries) -> str:
    return industries["C3812"].pk


def form_data(org, industries, **overrides) -> dict:
    """The page's POST of a valid demand."""
    data = {
        "organization": org.pk, "title": TITLE, "description": DESCRIPTION, "industry": klass_pk(industries),
        "key_industry": "rare_earth", "league": "150200", "budget_min": "50", "budget_max": "200",
        "modes": ["licence", "assignment"], "deadline": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
        "contact_name": "王经理", "contact_phone": "13800001234", "idempotency_key": "k-1",
    }
    data.update(overrides)
    return data


# --- posting ---------------------------------------------------------------------------------------


def test_alice_posts_a_demand_that_waits_for_the_operator(alice, alice_org, operator, industries):
    demand = submitted(alice, alice_org, industries)
    assert demand.state == DemandState.SUBMITTED
    assert demand.case.service == "RVD" and demand.case.number.startswith("RVD-")
    assert demand.case.assignee_role == "operator" and demand.case.deadline is not None
    assert demand.modes == ["assignment", "licence"]  # in the choices' order
    assert str(demand.budget_min) == "50.00" and demand.league.name == "包头市"


def test_a_replayed_submit_creates_nothing_twice(alice, alice_org, industries):
    first, created = demand_submit(user=alice, organization=alice_org, idempotency_key="same",
                                   **values(industries))
    again, created_again = demand_submit(user=alice, organization=alice_org, idempotency_key="same",
                                         **values(industries, title="another"))
    assert created and not created_again and first.pk == again.pk
    assert Demand.objects.count() == 1


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"budget_min": "300", "budget_max": "100"}, "budget_max", "budget_range"),
    ({"budget_min": "-5"}, "budget_min", "bad_budget"),
    ({"deadline": dt.date(2020, 1, 1)}, "deadline", "bad_deadline"),
    ({"deadline": None}, "deadline", "deadline_required"),
    ({"modes": []}, "modes", "no_mode"),
    ({"modes": ["barter"]}, "modes", "unknown_mode"),
    ({"industry": "Z999"}, "industry", "unknown_industry"),
    ({"league": "110000"}, "league", "unknown_league"),  # Beijing is not a league of Inner Mongolia
    ({"title": "  "}, "title", "required"),
])
def test_invalid_demands_are_refused_with_the_field_named(alice, alice_org, industries, overrides, field, code):
    with pytest.raises(WorkflowError) as exc:
        demand_submit(user=alice, organization=alice_org, **values(industries, **overrides))
    assert exc.value.code == code and exc.value.status == 400 and field in exc.value.fields
    assert Demand.objects.count() == 0


def test_several_faults_are_reported_together(alice, alice_org, industries):
    with pytest.raises(WorkflowError) as exc:
        demand_submit(user=alice, organization=alice_org,
                      **values(industries, budget_min="9", budget_max="1", modes=[], deadline=dt.date(2000, 1, 1)))
    assert set(exc.value.fields) == {"budget_max", "modes", "deadline"}


def test_only_members_of_verified_enterprises_post(alice, alice_org, bob, uni, uni_org, industries):
    with pytest.raises(WorkflowError) as exc:
        demand_submit(user=bob, organization=alice_org, **values(industries))
    assert exc.value.code == "unknown_organization"
    with pytest.raises(WorkflowError) as exc:
        demand_submit(user=uni, organization=uni_org, **values(industries))
    assert exc.value.code == "not_enterprise"
    from zhibao.conftest import make_org

    fresh = make_org(bob, "未认证的企业有限公司", 10000009)
    with pytest.raises(WorkflowError) as exc:
        demand_submit(user=bob, organization=fresh, **values(industries))
    assert exc.value.code == "organization_not_verified"


def test_a_member_of_the_enterprise_may_post_too(alice_org, industries):
    from zhibao.accounts.services import organization_join
    from zhibao.conftest import make_user

    carol = make_user("carol")
    organization_join(user=carol, join_code=alice_org.join_code)
    assert submitted(carol, alice_org, industries).organization == alice_org


# --- the workflow, every transition for every persona -------------------------------------------------

CENTER_STEPS = [("publish", ""), ("return_for_correction", "请补充技术指标。"), ("reject", "不属于技术需求。")]


@pytest.mark.parametrize(("name", "comment"), CENTER_STEPS)
@pytest.mark.parametrize("who", ["uni", "uni_member", "alice", "bob", "leader", "system"])
def test_only_the_operator_reviews_a_demand(people, industries, alice_org, name, comment, who):
    demand = submitted(people["alice"], alice_org, industries)
    with pytest.raises(WorkflowError) as exc:
        case_transition(detail=demand, name=name, actor=people[who], comment=comment)
    assert exc.value.code == "forbidden"
    demand.refresh_from_db()
    assert demand.state == DemandState.SUBMITTED


@pytest.mark.parametrize(("name", "comment", "target"), [
    ("publish", "", DemandState.PUBLISHED), ("return_for_correction", "请补充技术指标。", DemandState.RETURNED),
    ("reject", "不属于技术需求。", DemandState.REJECTED)])
def test_the_operator_publishes_returns_or_rejects(people, industries, alice_org, name, comment, target):
    demand = moved(submitted(people["alice"], alice_org, industries), name, people["operator"], comment)
    assert demand.state == target
    assert demand.case.events.last().actor == people["operator"]
    if target == DemandState.PUBLISHED:
        assert demand.published_at is not None
    else:
        assert demand.decision_reason == comment


@pytest.mark.parametrize("name", ["return_for_correction", "reject"])
def test_returning_or_rejecting_needs_a_reason(people, industries, alice_org, name):
    demand = submitted(people["alice"], alice_org, industries)
    with pytest.raises(WorkflowError) as exc:
        case_transition(detail=demand, name=name, actor=people["operator"])
    assert exc.value.code == "comment_required"


@pytest.mark.parametrize(("who", "allowed"), [("alice", True), ("uni", False), ("uni_member", False),
                                              ("bob", False), ("operator", False), ("leader", False),
                                              ("system", False)])
def test_only_the_enterprise_resubmits(people, industries, alice_org, who, allowed):
    demand = moved(submitted(people["alice"], alice_org, industries), "return_for_correction", people["operator"],
                   "请补充。")
    if allowed:
        assert moved(demand, "resubmit", people[who]).state == DemandState.SUBMITTED
    else:
        with pytest.raises(WorkflowError) as exc:
            case_transition(detail=demand, name="resubmit", actor=people[who])
        assert exc.value.code == "forbidden"


@pytest.mark.parametrize(("who", "allowed"), [("alice", True), ("operator", True), ("uni", False),
                                              ("uni_member", False), ("bob", False), ("leader", False),
                                              ("system", False)])
def test_the_enterprise_or_the_operator_closes_a_published_demand(people, industries, alice_org, who, allowed):
    demand = published(submitted(people["alice"], alice_org, industries), people["operator"])
    if allowed:
        demand = moved(demand, "close", people[who], "已找到合作方。")
        assert demand.state == DemandState.CLOSED and demand.closed_at is not None
        assert demand.case.closed_at is not None
    else:
        with pytest.raises(WorkflowError) as exc:
            case_transition(detail=demand, name="close", actor=people[who])
        assert exc.value.code == "forbidden"


@pytest.mark.parametrize("who", ["alice", "uni", "uni_member", "bob", "operator", "leader"])
def test_no_person_takes_the_expiry_step(people, industries, alice_org, who):
    demand = published(submitted(people["alice"], alice_org, industries), people["operator"])
    with pytest.raises(WorkflowError) as exc:
        case_transition(detail=demand, name="expire", actor=people[who])
    assert exc.value.code == "forbidden"


@pytest.mark.parametrize(("state_steps", "name"), [
    ([], "resubmit"), ([], "close"), ([], "expire"),
    ([("publish", "")], "publish"), ([("publish", "")], "return_for_correction"), ([("publish", "")], "resubmit"),
    ([("reject", "否")], "publish"), ([("reject", "否")], "close"),
    ([("publish", ""), ("close", "")], "publish"), ([("publish", ""), ("close", "")], "close"),
])
def test_steps_out_of_their_state_are_refused(people, industries, alice_org, state_steps, name):
    demand = submitted(people["alice"], alice_org, industries)
    for step, comment in state_steps:
        demand = moved(demand, step, people["operator"], comment)
    actor = {"resubmit": people["alice"], "expire": None}.get(name, people["operator"])
    with pytest.raises(WorkflowError) as exc:
        case_transition(detail=demand, name=name, actor=actor, comment="理由")
    assert exc.value.code == "transition_not_allowed"


def test_the_operator_never_reviews_a_demand_of_its_own_organization(people, industries, alice_org):
    from zhibao.accounts.services import organization_join

    organization_join(user=people["operator"], join_code=alice_org.join_code)
    demand = submitted(people["alice"], alice_org, industries)
    with pytest.raises(WorkflowError) as exc:
        case_transition(detail=demand, name="publish", actor=people["operator"])
    assert exc.value.code == "forbidden"


# --- editing a returned demand ----------------------------------------------------------------------


def test_alice_edits_a_returned_demand_and_resubmits(alice, alice_org, operator, industries):
    demand = moved(submitted(alice, alice_org, industries), "return_for_correction", operator, "请补充指标。")
    demand = demand_update(demand=demand, user=alice, budget_max="500", title="低重稀土永磁体技术", resubmit=True)
    assert demand.state == DemandState.SUBMITTED and demand.budget_max == 500
    assert demand.case.title.endswith("低重稀土永磁体技术")
    assert list(demand.case.events.values_list("transition", flat=True)) == [
        "submit", "return_for_correction", "resubmit"]


def test_editing_is_refused_outside_returned_and_to_others(alice, alice_org, bob, operator, industries):
    demand = submitted(alice, alice_org, industries)
    with pytest.raises(WorkflowError) as exc:
        demand_update(demand=demand, user=alice, title="x")
    assert exc.value.code == "not_editable"
    demand = moved(demand, "return_for_correction", operator, "请补充。")
    for who in (bob, operator):
        with pytest.raises(WorkflowError) as exc:
            demand_update(demand=demand, user=who, title="x")
        assert exc.value.code == "forbidden"
    with pytest.raises(WorkflowError) as exc:  # a bad edit stores nothing
        demand_update(demand=demand, user=alice, title="新标题", budget_min="900", budget_max="1")
    assert exc.value.code == "budget_range"
    demand.refresh_from_db()
    assert demand.title == TITLE


# --- the deadline sweep -----------------------------------------------------------------------------


def test_the_sweep_closes_published_demands_past_their_deadline(alice, alice_org, operator, industries):
    import time_machine

    soon = timezone.localdate() + dt.timedelta(days=3)
    expiring = published(submitted(alice, alice_org, industries, deadline=soon), operator)
    later = published(submitted(alice, alice_org, industries, deadline=soon + dt.timedelta(days=60)), operator)
    waiting = submitted(alice, alice_org, industries, deadline=soon)
    assert demand_sweep() == {"expired": 0}
    with time_machine.travel(soon + dt.timedelta(days=1), tick=False):
        from zhibao.core.sweeps import sweeps_run

        assert sweeps_run(["revitalization_demands"]) == {"revitalization_demands": {"expired": 1}}
        assert demand_sweep() == {"expired": 0}  # idempotent
    expiring.refresh_from_db(), later.refresh_from_db(), waiting.refresh_from_db()
    assert expiring.state == DemandState.CLOSED and expiring.closed_at is not None
    event = expiring.case.events.last()
    assert event.transition == "expire" and event.actor is None
    assert later.state == DemandState.PUBLISHED and waiting.state == DemandState.SUBMITTED


# --- pages ------------------------------------------------------------------------------------------


def test_the_new_demand_page_posts_once_and_shows_the_case(alice, alice_org, industries):
    client = login(alice)
    page = client.get(reverse("revitalization:demand_new"))
    assert page.status_code == 200 and alice_org.name in page.content.decode()
    response = client.post(reverse("revitalization:demand_new"), form_data(alice_org, industries))
    demand = Demand.objects.get()
    assert response.status_code == 302 and response["Location"] == demand.case.get_absolute_url()
    again = client.post(reverse("revitalization:demand_new"), form_data(alice_org, industries))
    assert again.status_code == 302 and Demand.objects.count() == 1
    case_page = client.get(demand.case.get_absolute_url())
    body = case_page.content.decode()
    assert case_page.status_code == 200 and 'id="demand-particulars"' in body and DESCRIPTION in body


def test_the_form_shows_the_services_reasons_in_the_platform_language(alice, alice_org, industries):
    client = login(alice)
    response = client.post(reverse("revitalization:demand_new"), form_data(
        alice_org, industries, budget_min="300", budget_max="100", modes=[], deadline="2020-01-01"),
        HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.content.decode()
    assert response.status_code == 200 and Demand.objects.count() == 0
    with translation.override("zh-hans"):
        for msgid in ("The budget's upper limit must not be below its lower limit.",
                      "Choose at least one cooperation mode.", "The date must be after today.",
                      "Please correct the marked fields."):
            assert escape(gettext(msgid)) in body
    assert 'data-error-for="modes"' in body and 'data-error-for="budget_max"' in body
    # The form's own check (a number) is Django's, already in Chinese.
    response = client.post(reverse("revitalization:demand_new"), form_data(alice_org, industries, budget_min="abc"),
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "输入一个数字" in response.content.decode()


def test_a_university_is_told_demands_are_for_enterprises(uni, uni_org):
    body = login(uni).get(reverse("revitalization:demand_new")).content.decode()
    assert 'id="no-enterprise"' in body


def test_the_edit_page_while_returned(alice, alice_org, bob, operator, industries):
    demand = submitted(alice, alice_org, industries)
    url = reverse("revitalization:demand_edit", args=[demand.pk])
    assert login(alice).get(url).status_code == 302  # not returned: back to the case with a message
    assert login(bob).get(url).status_code == 404
    moved(demand, "return_for_correction", operator, "请补充指标。")
    client = login(alice)
    assert 'id="edit-demand"' in client.get(demand.case.get_absolute_url()).content.decode()
    assert 'id="edit-demand"' not in login(operator).get(demand.case.get_absolute_url()).content.decode()
    page = client.get(url)
    assert page.status_code == 200 and "请补充指标。" in page.content.decode()
    bad = client.post(url, {**form_data(alice_org, industries), "deadline": "2001-01-01", "resubmit": "1"})
    assert bad.status_code == 200
    demand.refresh_from_db()
    assert demand.state == DemandState.RETURNED
    response = client.post(url, {**form_data(alice_org, industries), "title": "改后的需求", "resubmit": "1"})
    demand.refresh_from_db()
    assert response.status_code == 302 and demand.state == DemandState.SUBMITTED and demand.title == "改后的需求"
    assert login(operator).get(url).status_code == 404


def test_detail_pages_are_404_to_strangers_until_published(alice, alice_org, bob, operator, leader, industries):
    demand = submitted(alice, alice_org, industries)
    url = reverse("revitalization:demand_detail", args=[demand.pk])
    assert login(bob).get(url).status_code == 404
    assert login(bob).get(demand.case.get_absolute_url()).status_code == 404
    for who in (alice, operator, leader):
        assert login(who).get(url).status_code == 200
    published(demand, operator)
    page = login(bob).get(url)
    body = page.content.decode()
    assert page.status_code == 200 and TITLE in body and "13800001234" not in body  # no contact for strangers
    assert "13800001234" in login(alice).get(url).content.decode()
    case_page = login(operator).get(demand.case.get_absolute_url()).content.decode()
    assert 'id="review-matches"' in case_page and 'data-transition="close"' in case_page
    assert 'id="review-matches"' not in login(alice).get(demand.case.get_absolute_url()).content.decode()
    assert login(leader).get(reverse("revitalization:demand_matches", args=[demand.pk])).status_code == 200
    assert login(bob).get(reverse("revitalization:demand_matches", args=[demand.pk])).status_code == 404


def test_the_published_list_filters_and_exports(alice, alice_org, bob, bob_org, operator, industries):
    from openpyxl import load_workbook

    magnet = published(submitted(alice, alice_org, industries), operator)
    dairy = published(submitted(bob, bob_org, industries, title="酸奶发酵菌种", industry=industries["C144"],
                                key_industry=KeyIndustry.objects.get(code="dairy"),
                                league=Region.objects.get(code="150100"), modes=["joint"]), operator)
    submitted(alice, alice_org, industries, title="未发布的需求")
    client = login(bob)
    url = reverse("revitalization:demand_list")

    def shown(**query):
        body = client.get(url, query).content.decode()
        return {d.pk for d in (magnet, dairy) if f'data-demand="{d.pk}"' in body}, body

    everything, body = shown()
    assert everything == {magnet.pk, dairy.pk} and "未发布的需求" not in body
    assert shown(industry="38")[0] == {magnet.pk}  # a division finds its classes' demands
    assert shown(key_industry="dairy")[0] == {dairy.pk}
    assert shown(league="150200")[0] == {magnet.pk}
    assert shown(mode="joint")[0] == {dairy.pk}
    assert shown(q="酸奶")[0] == {dairy.pk}
    assert client.get(url, {"mode": "nonsense"}).status_code == 200  # an invalid filter shows its error
    response = client.get(reverse("revitalization:demand_export"), {"key_industry": "rare_earth"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert len(rows) == 2 and rows[1][0] == magnet.case.number and rows[1][1] == TITLE
    assert not rows[1][13]  # bob may not see alice's contact phone
    mine = load_workbook(io.BytesIO(login(alice).get(reverse("revitalization:demand_mine_export")).content)).active
    mine_rows = list(mine.values)
    assert len(mine_rows) == 3 and "13800001234" in [r[-1] for r in mine_rows]


def test_my_demands_lists_every_state_of_my_enterprises_only(alice, alice_org, bob, bob_org, operator, industries):
    mine = submitted(alice, alice_org, industries)
    theirs = submitted(bob, bob_org, industries, title="鄂尔多斯的需求")
    body = login(alice).get(reverse("revitalization:demand_mine")).content.decode()
    assert f'data-demand="{mine.pk}"' in body and f'data-demand="{theirs.pk}"' not in body
    body = login(alice).get(reverse("revitalization:demand_mine"), {"state": "submitted"}).content.decode()
    assert f'data-demand="{mine.pk}"' in body

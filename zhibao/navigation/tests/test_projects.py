"""A navigation project (NAV) on the case index: opened by an analyst, with a lead and a team of
analysts; its details and conclusions change only while it is in progress and only by the team;
every state step allowed and forbidden, each written as a case event."""

import pytest

from zhibao.conftest import make_user
from zhibao.core.choices import Role
from zhibao.core.models import CaseEvent
from zhibao.core.selectors import cases_visible_to, worklist_for
from zhibao.core.services.cases import WorkflowError, available_transitions, case_transition
from zhibao.navigation.choices import ProjectState, RunState
from zhibao.navigation.models import NavigationReport, Snapshot
from zhibao.navigation.selectors import projects_visible_to
from zhibao.navigation.services.projects import conclusions_update, project_create, project_update


@pytest.fixture
def lead(db):
    return make_user("nav-lead", [Role.ANALYST])


@pytest.fixture
def member(db):
    return make_user("nav-member", [Role.ANALYST])


@pytest.fixture
def creator(db):
    return make_user("nav-creator", [Role.ANALYST])


@pytest.fixture
def project(creator, lead, member):
    return project_create(user=creator, title="稀土永磁产业专利导航", industry="稀土永磁", lead=lead,
                          team=[member], scope_query="AD>=2005")[0]


def with_report(project, user):
    snapshot = Snapshot.objects.create(project=project, number=1, taken_by=user, state=RunState.READY)
    return NavigationReport.objects.create(project=project, snapshot=snapshot, version=1, created_by=user,
                                           state=RunState.READY)


def test_an_analyst_opens_a_project_on_the_case_index(project, creator, lead, member):
    case = project.case
    assert case.service == "NAV" and case.number.startswith("NAV-") and case.status == ProjectState.ACTIVE
    assert case.title == "专利导航：稀土永磁产业专利导航" or "稀土永磁产业专利导航" in case.title
    assert case.assignee == lead and case.assignee_role == Role.ANALYST
    assert set(project.team.all()) == {creator, lead, member}
    assert project.region_id == "150000" and project.scope_query == "AD>=2005"
    assert CaseEvent.objects.filter(case=case, transition="submit").exists()
    assert case in worklist_for(lead)  # the lead works on it; the creator sees it in "my cases"


def test_only_analysts_open_projects_and_teams_are_analysts(db, bob, lead):
    with pytest.raises(WorkflowError) as caught:
        project_create(user=bob, title="外人的项目", industry="稀土")
    assert caught.value.status == 403
    with pytest.raises(WorkflowError) as caught:
        project_create(user=lead, title="带外人", industry="稀土", team=[bob])
    assert caught.value.code == "not_analyst"


def test_bad_fields_are_named(lead):
    with pytest.raises(WorkflowError) as caught:
        project_create(user=lead, title="", industry="", scope_query="AD>>", gap_lq="2", strength_lq="1",
                       region="999999")
    assert set(caught.value.fields) >= {"title", "industry", "scope_query", "strength_lq", "region"}


def test_a_replayed_creation_creates_nothing_twice(lead):
    first, created = project_create(user=lead, title="导航", industry="储能", idempotency_key="k-1")
    again, created_again = project_create(user=lead, title="导航", industry="储能", idempotency_key="k-1")
    assert created and not created_again and first.pk == again.pk


def test_who_reads_a_project(project, lead, bob, leader):
    stranger_analyst = make_user("nav-other", [Role.ANALYST])
    assert project in projects_visible_to(lead)
    assert project in projects_visible_to(stranger_analyst)  # analysts read each other's work
    assert project in projects_visible_to(leader)
    assert project not in projects_visible_to(bob)
    assert project.case not in cases_visible_to(bob)


def test_the_client_organization_reads_its_project(lead, alice, alice_org, bob):
    project = project_create(user=lead, title="企业导航", industry="乳业", client=alice_org.pk,
                             purpose="enterprise_operation")[0]
    assert project.client == alice_org and project.case.organization == alice_org
    assert project in projects_visible_to(alice) and project not in projects_visible_to(bob)


def test_update_and_conclusions_by_the_team_only(project, member, bob):
    project_update(project=project, user=member, title="稀土永磁导航（修订）", gap_lq="0.4")
    project.refresh_from_db()
    assert project.title == "稀土永磁导航（修订）" and str(project.gap_lq) == "0.40"
    conclusions_update(project=project, user=member, sections={"summary": "包头稀土永磁优势明显。"})
    project.refresh_from_db()
    assert project.conclusions == {"summary": "包头稀土永磁优势明显。"}
    for call in (lambda: project_update(project=project, user=bob, title="x"),
                 lambda: conclusions_update(project=project, user=bob, sections={"summary": "x"})):
        with pytest.raises(WorkflowError) as caught:
            call()
        assert caught.value.status == 403
    with pytest.raises(WorkflowError) as caught:
        conclusions_update(project=project, user=member, sections={"poem": "x"})
    assert caught.value.code == "unknown_section"


def test_only_the_lead_changes_the_lead_and_the_team(project, lead, member, creator):
    # A member naming themselves lead would gain the lead's transitions (complete, cancel, archive).
    team = set(project.team.all())
    for change in ({"lead": member.pk}, {"team": []}):
        with pytest.raises(WorkflowError) as caught:
            project_update(project=project, user=member, **change)
        assert caught.value.status == 403
    project.refresh_from_db()
    assert project.lead == lead and set(project.team.all()) == team and member in team
    project_update(project=project, user=member, team=[u.pk for u in team if u != lead])  # the same team
    other = make_user("nav-other", [Role.ANALYST])
    project_update(project=project, user=lead, lead=other)
    project.refresh_from_db()
    assert project.lead == other and other in project.team.all()  # a new lead joins the team
    assert project.case.assignee == other


def test_complete_needs_a_report(project, lead):
    with pytest.raises(WorkflowError):
        case_transition(detail=project, name="complete", actor=lead)
    with_report(project, lead)
    assert "complete" in [t["name"] for t in available_transitions(project, lead)]
    case_transition(detail=project, name="complete", actor=lead)
    project.refresh_from_db()
    assert project.state == ProjectState.COMPLETED and project.case.closed_at is not None
    with pytest.raises(WorkflowError) as caught:
        conclusions_update(project=project, user=lead, sections={"summary": "晚了"})
    assert caught.value.code == "not_editable"


def test_reopen_archive_and_cancel(project, lead, creator):
    with_report(project, lead)
    case_transition(detail=project, name="complete", actor=lead)
    with pytest.raises(WorkflowError) as caught:
        case_transition(detail=project, name="reopen", actor=lead)  # a reason is required
    assert caught.value.code == "comment_required"
    case_transition(detail=project, name="reopen", actor=lead, comment="补充 2026 年数据")
    project.refresh_from_db()
    assert project.state == ProjectState.ACTIVE and project.case.closed_at is None
    case_transition(detail=project, name="complete", actor=creator)  # the creator leads too
    case_transition(detail=project, name="archive", actor=lead)
    project.refresh_from_db()
    assert project.state == ProjectState.ARCHIVED
    with pytest.raises(WorkflowError):
        case_transition(detail=project, name="reopen", actor=lead, comment="x")


def test_members_and_strangers_do_not_move_the_state(project, member, bob, leader, lead):
    with_report(project, lead)
    for user in (member, bob, leader):
        with pytest.raises(WorkflowError):
            case_transition(detail=project, name="complete", actor=user)
        with pytest.raises(WorkflowError):
            case_transition(detail=project, name="cancel", actor=user, comment="不做了")
    case_transition(detail=project, name="cancel", actor=lead, comment="需求方撤回")
    project.refresh_from_db()
    assert project.state == ProjectState.CANCELLED
    assert CaseEvent.objects.filter(case=project.case, transition="cancel", comment="需求方撤回").exists()

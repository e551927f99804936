"""A run hands the project's own reading thresholds to the analytics (services.runs), and a
report's context reads the region maps where core keeps them (services.reports)."""

import pytest

from zhibao.navigation.choices import RunState
from zhibao.navigation.models import NavigationReport
from zhibao.navigation.services.projects import project_update
from zhibao.navigation.services.reports import report_context

pytestmark = pytest.mark.django_db


def verdicts(snapshot) -> dict:
    return {n["key"]: n["verdict"] for n in snapshot.analytics["nodes"]}


def test_the_projects_thresholds_decide_the_verdicts(project, analyst, run_project):
    first = run_project(project, analyst)
    assert first.state == RunState.READY, first.error
    # 30 patents: no branch reaches the default 20 patents, so none is judged
    assert set(verdicts(first).values()) == {"neutral"}
    project_update(project=project, user=analyst, min_node_patents=4, gap_lq="0.7", strength_lq="1.2")
    second = run_project(project, analyst)
    assert second.state == RunState.READY, second.error
    # 永磁电机: 2 of the region's 12 patents against 6 of 23 in China (LQ 0.64); 晶界扩散: LQ 1.28
    assert verdicts(second) == {"1": "neutral", "1.1": "neutral", "1.1.1": "strength", "1.2": "neutral",
                                "2": "gap", "2.1": "gap"}


def test_a_report_context_has_the_maps_slot_for_each_map(project, analyst, run_project):
    snapshot = run_project(project, analyst)
    report = NavigationReport.objects.create(project=project, snapshot=snapshot, version=1, created_by=analyst)
    context = report_context(report)
    assert set(context["maps"]) == {"china", "neimenggu", "neimenggu_counties"}  # None until `zhibao load-maps`
    assert context["snapshot"]["corpus_size"] == 30 and context["project"]["number"] == project.case.number
    assert context["analytics"]["node_results"]["1.1.1"]["total"] == 6


def test_a_run_job_reports_progress_branch_by_branch(project, analyst, run_project):
    from zhibao.core.models import Job

    snapshot = run_project(project, analyst)
    job = Job.objects.get(pk=snapshot.job_id)
    assert job.status == "succeeded" and job.progress == 100
    assert job.result["number"] == snapshot.number and job.result["patents"] == snapshot.total


def test_snapshot_execute_calls_progress_after_each_branch(project, analyst):
    from zhibao.navigation.services.runs import project_run, snapshot_execute

    calls = []
    snapshot_execute(project_run(project=project, user=analyst), progress=lambda done, total: calls.append((done, total)))
    assert calls == [(i, 6) for i in range(1, 7)]  # the six branches of the conftest tree, in order


def test_a_run_left_running_by_a_stopped_worker_blocks_nothing(project, analyst):
    from zhibao.core.models import Job
    from zhibao.navigation.services.runs import project_run

    stuck = project_run(project=project, user=analyst)
    assert project_run(project=project, user=analyst) == stuck  # a double click starts nothing twice
    Job.objects.filter(pk=stuck.job_id).update(status="failed", error="worker killed")
    fresh = project_run(project=project, user=analyst)
    stuck.refresh_from_db()
    assert fresh.number == stuck.number + 1 and stuck.state == RunState.FAILED


def test_a_failed_run_tells_readers_why_in_their_language(project, analyst, monkeypatch):
    from zhibao.navigation import analytics
    from zhibao.navigation.services.runs import project_run, snapshot_execute

    def broken(*args, **kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(analytics, "project_analytics", broken)
    snapshot = project_run(project=project, user=analyst)
    with pytest.raises(RuntimeError):
        snapshot_execute(snapshot)
    snapshot.refresh_from_db()
    assert snapshot.state == RunState.FAILED and "database is locked" not in snapshot.error
    assert "管理员" in snapshot.error

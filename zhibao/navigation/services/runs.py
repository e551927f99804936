"""Running a navigation project: a dated snapshot of every branch's patent set and figures.

A run is a job (`navigation.run`): the tree is frozen when the run is asked for (what the
analyst saw), then the worker asks the corpus engine for every branch's patents and
aggregations (analytics.project_analytics) and stores them on the Snapshot and its
SnapshotNodes. The dashboard and the report read only the snapshot, so they are instant and a
report always names the data it was made from. Two snapshots are compared branch by branch.
"""

import logging
import time

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibao.core.services.cases import WorkflowError
from zhibao.core.services.jobs import job_start

from ..choices import RunState
from ..models import BreakdownNode, NavigationProject, Snapshot, SnapshotNode
from .tree import project_check_editable, tree_nodes

logger = logging.getLogger(__name__)
RUN_JOB = "navigation.run"


def _effective(nodes: list[dict], scope: str) -> list[dict]:
    from ..analytics import effective_queries

    queries = effective_queries(nodes)
    out = []
    for node in nodes:
        query = queries.get(node["key"], "")
        if query and scope:
            query = f"({query}) AND ({scope})"
        out.append({**node, "effective_query": query})
    return out


@transaction.atomic
def project_run(*, project: NavigationProject, user) -> Snapshot:
    """Ask for a run: freeze the tree and queue the job. While a run of the project is queued
    or running, asking again returns that run (a double click starts nothing twice)."""
    project = NavigationProject.objects.select_for_update().select_related("case").get(pk=project.pk)
    project_check_editable(project=project, user=user)
    pending = pending_or_stale(project.snapshots.all())
    if pending is not None:
        return pending
    nodes = tree_nodes(project)
    if not any(n["query"] for n in nodes):
        raise WorkflowError("empty_tree", _(
            "Add at least one branch with a search query before running the project."), status=400)
    number = (project.snapshots.aggregate(m=Max("number"))["m"] or 0) + 1
    snapshot = Snapshot.objects.create(
        project=project, number=number, taken_by=user, tree=_effective(nodes, project.scope_query),
        scope_query=project.scope_query)
    snapshot.job = job_start(name=RUN_JOB, owner=user, params={"snapshot_id": snapshot.pk},
                             title=_("Navigation run %(n)d: %(title)s") % {"n": number, "title": project.title})
    snapshot.save(update_fields=["job"])
    return snapshot


def snapshot_execute(snapshot: Snapshot, *, progress=None) -> Snapshot:
    """The job's work: every branch's figures from the engine, stored on the snapshot."""
    project = snapshot.project
    Snapshot.objects.filter(pk=snapshot.pk).update(state=RunState.RUNNING)
    try:
        return _snapshot_store(snapshot, project, progress)
    except Exception as exc:
        Snapshot.objects.filter(pk=snapshot.pk).update(state=RunState.FAILED, error=failure_message(exc))
        raise


def failure_message(exc: Exception) -> str:
    """What the project's readers see of a failed run or report: a query's or a rule's own
    words, else a plain sentence (the details are in the job's error and the server log)."""
    from zhibao.patents.search import QuerySyntaxError

    from ..report.fonts import ReportError

    if isinstance(exc, QuerySyntaxError | WorkflowError):
        return exc.message[:2000]
    if isinstance(exc, ReportError):  # a missing Chinese font: the message says what to install
        return str(exc)[:2000]
    logger.exception("navigation job failed")
    return _("The job failed on the server; the administrator can read why in the log. Try again later.")


def pending_or_stale(queryset):
    """The run or report of a project still queued or running, if any. One whose job has ended
    without finishing it (the worker was stopped) is marked failed, so it blocks nothing."""
    from zhibao.core.choices import JobStatus

    for item in queryset.filter(state__in=(RunState.QUEUED, RunState.RUNNING)).select_related("job"):
        if item.job is not None and item.job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            type(item).objects.filter(pk=item.pk).update(
                state=RunState.FAILED, error=item.job.error[:2000] if item.job.error else _("The job stopped."))
            continue
        return item
    return None


def _snapshot_store(snapshot: Snapshot, project: NavigationProject, progress) -> Snapshot:
    from zhibao.patents.search import get_engine

    from ..analytics import project_analytics

    started = time.perf_counter()
    engine = get_engine()
    corpus_size = engine.count("")
    result = project_analytics(
        snapshot.tree, project_scope=snapshot.scope_query, region_code=project.region_id,
        gap_lq=float(project.gap_lq), strength_lq=float(project.strength_lq),
        min_patents=project.min_node_patents, progress=progress)
    node_results = result.pop("node_results", {})
    numbers = result.pop("publication_numbers", {})
    by_key = {n["key"]: n for n in snapshot.tree}
    # Branches deleted since the run was asked for keep their figures but lose the link.
    live = set(BreakdownNode.objects.filter(pk__in=[n.get("node_id") for n in by_key.values() if n.get("node_id")])
               .values_list("pk", flat=True))
    with transaction.atomic():
        SnapshotNode.objects.filter(snapshot=snapshot).delete()
        SnapshotNode.objects.bulk_create([
            SnapshotNode(snapshot=snapshot, key=key, node_id=node.get("node_id") if node.get("node_id") in live else None,
                         name=node["name"],
                         depth=node["depth"], total=(node_results.get(key) or {}).get("total", 0),
                         numbers_blob=SnapshotNode.pack(numbers.get(key, ())), analytics=node_results.get(key) or {})
            for key, node in by_key.items()])
        snapshot.analytics = result
        snapshot.total = (result.get("overall") or {}).get("total", 0)
        snapshot.corpus_size = corpus_size
        snapshot.taken_at = timezone.now()
        snapshot.took_ms = (time.perf_counter() - started) * 1000
        snapshot.state = RunState.READY
        snapshot.error = ""
        snapshot.save()
    return snapshot


def snapshot_latest(project: NavigationProject) -> Snapshot | None:
    return project.snapshots.filter(state=RunState.READY).order_by("-number").first()


def snapshot_compare(older: Snapshot, newer: Snapshot, *, sample: int = 10) -> list[dict]:
    """Branch by branch (matched by the branch, else by name and place): patents in each run,
    patents that came and went, a few of each as examples."""
    if older.project_id != newer.project_id:
        raise WorkflowError("other_project", _("Only runs of the same project can be compared."), status=400)
    old_sets = {n.key: n for n in older.node_sets.all()}
    old_by_node = {n.node_id: n for n in old_sets.values() if n.node_id}
    rows = []
    seen = set()
    for node in newer.node_sets.all().order_by("pk"):
        before = old_by_node.get(node.node_id) if node.node_id else None
        if before is None:
            candidate = old_sets.get(node.key)
            before = candidate if candidate is not None and candidate.name == node.name else None
        new_numbers = set(node.publication_numbers)
        old_numbers = set(before.publication_numbers) if before else set()
        if before is not None:
            seen.add(before.pk)
        added, removed = sorted(new_numbers - old_numbers), sorted(old_numbers - new_numbers)
        rows.append({"key": node.key, "name": node.name, "depth": node.depth,
                     "before": len(old_numbers) if before else None, "after": len(new_numbers),
                     "added": len(added), "removed": len(removed), "added_sample": added[:sample],
                     "removed_sample": removed[:sample], "status": "new" if before is None else "kept"})
    for node in old_sets.values():
        if node.pk not in seen:
            numbers = node.publication_numbers
            rows.append({"key": node.key, "name": node.name, "depth": node.depth, "before": len(numbers),
                         "after": None, "added": 0, "removed": len(numbers), "added_sample": [],
                         "removed_sample": sorted(numbers)[:sample], "status": "gone"})
    return rows

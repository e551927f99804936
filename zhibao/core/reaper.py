"""Lease-expiry reaper: tasks whose worker died go back to the queue.

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again, so
a worker killed mid-task (`kill -9`, the OOM killer, a power cut) leaves the task RUNNING and
its `core.Job` spinning forever. Every `zhibao worker` therefore:

- claims tasks under its heartbeat name (``host:pid``, the db_worker ``--worker-id``), so a
  task's last ``worker_ids`` entry names the `core.WorkerHeartbeat` row of the process running it;
- writes that heartbeat every few seconds from a thread (the lease is renewed while the task runs);
- runs `tasks_reap` at start and after each heartbeat: a RUNNING task whose worker's heartbeat is
  older than the lease (or missing) is put back to READY, and its Job back to QUEUED, so the next
  free worker runs it again from the start. After `max_attempts` claims it is failed instead, so a
  task that kills its worker every time (out of memory) cannot loop forever.

A worker of this machine whose process is still a running worker is never reaped, however old
its heartbeat: on SQLite a long write transaction in the job can hold up its own heartbeat, and
the process table is the better witness there. A worker starting under the name of an earlier
process (its pid was reused) takes that process's tasks back at once. Workers on other machines
are judged by the heartbeat alone, so their clocks must agree (NTP) to well within the lease.

`jobs_reconcile` covers the other way a Job is orphaned, on any queue: its task finished (failed)
without the job recording it — a worker stopped hard twice with SIGTERM mid-task, or RQ moving an
abandoned job to its failed registry — or its task never reached the queue at all.

Only the database queue is reaped; RQ has its own abandoned-job handling (its started-job
registry moves a job whose work-horse died to the failed registry), which `jobs_reconcile` follows.
"""

import contextlib
import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

DEFAULT_LEASE_SECONDS = 60.0
DEFAULT_MAX_ATTEMPTS = 3
RUN_JOB_TASK = "zhibao.core.tasks.run_job"


class WorkerLost(Exception):
    """Recorded as the error of a task whose worker died too many times while running it."""


@dataclass
class ReapReport:
    requeued: list[str] = field(default_factory=list)  # task ids put back to READY
    failed: list[str] = field(default_factory=list)  # task ids failed after max_attempts
    jobs_requeued: int = 0
    jobs_failed: int = 0

    def __bool__(self) -> bool:
        return bool(self.requeued or self.failed or self.jobs_failed)


def lease_seconds_default() -> float:
    return float(getattr(settings, "ZHIBAO_WORKER_LEASE", DEFAULT_LEASE_SECONDS))


def max_attempts_default() -> int:
    return int(getattr(settings, "ZHIBAO_TASK_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def database_backend_alias(alias: str = "default") -> str | None:
    """The alias if that task backend is the database queue, else None."""
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    try:
        backend = task_backends[alias]
    except Exception:  # an unknown alias: nothing of ours to reap
        return None
    return alias if isinstance(backend, DatabaseBackend) else None


def worker_name() -> str:
    """This process's heartbeat name and db_worker id: ``host:pid`` (db_worker allows 64 characters)."""
    pid = str(os.getpid())
    return f"{socket.gethostname()[: 63 - len(pid)]}:{pid}"


def _process_is_worker(pid: int) -> bool:
    """Whether process `pid` of this machine exists and is a task worker (pids get reused)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, belongs to another user
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                return False  # killed, and its parent has not collected it yet
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return b"worker" in cmdline.read()
    except (OSError, IndexError):
        return True  # no /proc to ask: the process exists, trust that


def _worker_alive(worker: str, fresh: set[str]) -> bool:
    """A fresh heartbeat, or (for a worker of this machine) its process still running."""
    if worker in fresh:
        return True
    host, _sep, pid = worker.rpartition(":")
    if not (host and pid.isdigit()):
        return False
    local = socket.gethostname()[: 63 - len(pid)]  # the same truncation as worker_name()
    return host == local and _process_is_worker(int(pid))


def _job_filter(task) -> Q:
    """The core.Job a task runs: by the task id recorded on the job, or the run_job argument."""
    match = Q(task_result_id=str(task.id))
    if task.task_path == RUN_JOB_TASK:
        args = (task.args_kwargs or {}).get("args") or []
        with contextlib.suppress(IndexError, ValueError):
            match |= Q(pk=uuid.UUID(str(args[0])))
    return match


def tasks_reap(
    *,
    lease_seconds: float | None = None,
    max_attempts: int | None = None,
    own_worker: str = "",
    previous_worker: str = "",
    now: datetime | None = None,
    backend_alias: str = "default",
) -> ReapReport:
    """Requeue the database-queue tasks whose worker's lease expired; return what was done.

    `own_worker`: the calling worker, whose tasks are never taken. `previous_worker`: a worker
    starting under a name (``host:pid``) an earlier process had: that process is gone, so the
    tasks claimed under the name are taken at once. Safe to run from every worker at once: the
    decision is taken again under the write lock (row locks on PostgreSQL, the IMMEDIATE
    transaction on SQLite), so a task is requeued once.
    """
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from .choices import JobStatus
    from .models import Job, WorkerHeartbeat

    report = ReapReport()
    alias = database_backend_alias(backend_alias)
    if alias is None:
        return report
    lease = lease_seconds_default() if lease_seconds is None else float(lease_seconds)
    attempts_max = max_attempts_default() if max_attempts is None else int(max_attempts)
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=lease)

    def lost(rows) -> list:
        fresh = set(WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("name", flat=True))
        out = []
        for row in rows:
            worker = row.worker_ids[-1] if row.worker_ids else ""
            if worker and worker == own_worker:
                continue
            predecessor = bool(worker) and worker == previous_worker
            # Otherwise a task claimed less than a lease ago is left alone whatever the heartbeats say.
            expired = row.started_at is not None and row.started_at < cutoff and not _worker_alive(worker, fresh)
            if predecessor or expired:
                out.append(row)
        return out

    # A plain read first: on SQLite a write transaction shuts out every other writer, so take
    # one only when something looks lost. RUNNING tasks are few: one per busy worker.
    running = DBTaskResult.objects.running().filter(backend_name=alias)
    suspects = lost(running.only("id", "worker_ids", "started_at"))
    if not suspects:
        return report

    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        rows = running.filter(pk__in=[row.pk for row in suspects]).select_for_update(skip_locked=True)
        for task in lost(list(rows)):
            worker = task.worker_ids[-1] if task.worker_ids else "?"
            attempts = len(task.worker_ids)
            jobs = Job.objects.filter(_job_filter(task)).exclude(status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED])
            if attempts >= attempts_max:
                task.status = TaskResultStatus.FAILED
                task.finished_at = now
                task.exception_class_path = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"
                task.traceback = (
                    f"WorkerLost: the worker running this task stopped {attempts} times "
                    f"(last: {worker}); not retried again.\n"
                )
                task.return_value = None
                task.save(update_fields=["status", "finished_at", "exception_class_path", "traceback",
                                         "return_value"])
                report.failed.append(str(task.pk))
                report.jobs_failed += jobs.update(
                    status=JobStatus.FAILED, finished_at=now,
                    message=_("Failed: the worker stopped %(count)d times while running this job.")
                    % {"count": attempts},
                    error=task.traceback,
                )
                logger.error("task %s failed: worker %s lost, attempt %d of %d", task.pk, worker, attempts,
                             attempts_max)
            else:
                # Back to the queue. worker_ids is kept: it is the attempt history, and the next
                # claim appends the new worker, so the last entry always names the live one.
                task.status = TaskResultStatus.READY
                task.started_at = None
                task.save(update_fields=["status", "started_at"])
                report.requeued.append(str(task.pk))
                report.jobs_requeued += jobs.update(
                    status=JobStatus.QUEUED, progress=0, started_at=None,
                    message=_("The worker stopped while running this job; it was queued again "
                              "(attempt %(attempt)d of %(max)d).") % {"attempt": attempts + 1, "max": attempts_max},
                )
                logger.warning("task %s requeued: worker %s lost (heartbeat older than %.0f s)", task.pk, worker,
                               lease)
    return report


def jobs_reconcile(*, lease_seconds: float | None = None, now: datetime | None = None, limit: int = 500) -> int:
    """Fail the unfinished Jobs whose task can no longer finish them; return how many.

    A Job QUEUED or RUNNING for longer than the lease is failed when its task has finished
    (failed, or succeeded without the job recording it), no longer exists, or was never
    queued (no task id: the enqueue after commit failed). Works on every task backend.
    """
    from django_tasks import default_task_backend
    from django_tasks.exceptions import TaskResultDoesNotExist

    from .choices import JobStatus
    from .models import Job

    lease = lease_seconds_default() if lease_seconds is None else float(lease_seconds)
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=lease)
    candidates = Job.objects.filter(
        Q(status=JobStatus.RUNNING, started_at__lt=cutoff) | Q(status=JobStatus.QUEUED, created_at__lt=cutoff)
    ).order_by("created_at")[:limit]
    failed = 0
    with translation.override(settings.LANGUAGE_CODE):
        for job in candidates:
            if not job.task_result_id:
                error = "The job's task was never queued."
            else:
                try:
                    result = default_task_backend.get_result(job.task_result_id)
                except TaskResultDoesNotExist:
                    error = "The job's task no longer exists in the queue."
                else:
                    if not result.is_finished:
                        continue
                    last = result.errors[-1] if result.errors else None
                    status = getattr(result.status, "value", result.status)
                    error = (f"The job's task ended ({status}) without finishing the job"
                             + (f": {last.exception_class_path}" if last else "") + ".")
            failed += Job.objects.filter(pk=job.pk, status=job.status).update(
                status=JobStatus.FAILED, finished_at=now,
                message=_("Failed: the worker stopped before the job finished."), error=error,
            )
            logger.error("job %s (%s) failed: %s", job.pk, job.name, error)
    return failed


def heartbeats_prune(*, older_than: timedelta = timedelta(days=7)) -> int:
    """Forget workers not seen for a week (each restart adds a row: host:pid)."""
    from .models import WorkerHeartbeat

    deleted, _by_model = WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - older_than).delete()
    return deleted

"""`zhibao worker`: the task worker (database queue, or RQ when REDIS_URL is set).

Besides running tasks it writes a `core.WorkerHeartbeat` row (name ``host:pid``) that /healthz
reads, and on the database queue it is also the lease keeper: it claims tasks under its
heartbeat name and reaps the tasks of workers whose heartbeat went silent (zhibao.core.reaper).
"""

import importlib
import logging
import threading
import time

from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command
from django.db import close_old_connections, connection
from django.utils import timezone

from zhibao.core.reaper import (
    database_backend_alias,
    heartbeats_prune,
    jobs_reconcile,
    lease_seconds_default,
    tasks_reap,
    worker_name,
)
from zhibao.core.sweeps import sweeps_run_due

logger = logging.getLogger("zhibao.worker")
HEARTBEAT_SECONDS = 10.0


def _heartbeat_write(name: str, backend: str) -> None:
    from zhibao.core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"backend": backend, "seen_at": timezone.now()})


def _reap(name: str, lease: float, database_queue: bool, *, starting: bool = False, reconcile: bool = True) -> None:
    if database_queue:
        # Starting, a task under this very name was claimed by an earlier process with the same
        # pid, which is gone; afterwards the tasks under this name are this process's own.
        report = (tasks_reap(lease_seconds=lease, previous_worker=name) if starting
                  else tasks_reap(lease_seconds=lease, own_worker=name))
        if report:
            logger.warning("reaper: %d task(s) requeued, %d failed after too many attempts",
                           len(report.requeued), len(report.failed))
    if reconcile:
        jobs_reconcile(lease_seconds=lease)


def _beat(name: str, backend: str, stop: threading.Event, interval: float, lease: float, database_queue: bool) -> None:
    reconciled_at = time.monotonic()
    try:
        while not stop.wait(interval):
            try:
                _heartbeat_write(name, backend)
            except Exception:  # a missed beat must never kill the worker; /healthz shows it
                logger.warning("heartbeat of %s not written", name, exc_info=True)
            try:
                # Lost tasks after every beat; orphaned jobs (a lookup per old job) once a lease.
                reconcile = time.monotonic() - reconciled_at >= lease
                _reap(name, lease, database_queue, reconcile=reconcile)
                if reconcile:
                    reconciled_at = time.monotonic()
            except Exception:
                logger.warning("reaper pass failed", exc_info=True)
            close_old_connections()
    finally:
        connection.close()  # this thread's own connection


def _sweep(stop: threading.Event) -> None:
    """The services' deadline sweeps, every few minutes, in a thread of their own: a long
    sweep must never hold up the heartbeat that keeps this worker's tasks leased."""
    try:
        while not stop.wait(30.0):
            try:
                sweeps_run_due()
            except Exception:
                logger.warning("sweep pass failed", exc_info=True)
    finally:
        connection.close()


class Command(BaseCommand):
    help = "Run the task worker (database queue, or RQ when REDIS_URL is set) with a heartbeat for /healthz."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Process what is queued, then exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls of an empty queue.")
        parser.add_argument("--simple", action="store_true",
                            help="RQ only: run jobs in this process instead of a forked child (tests, debugging).")
        parser.add_argument("--lease", type=float, default=None,
                            help="Seconds without a heartbeat after which a worker's running task is requeued "
                                 "(default: ZHIBAO_WORKER_LEASE or 60).")
        parser.add_argument("--heartbeat", type=float, default=None,
                            help="Seconds between heartbeats (default: 10, or a third of the lease if shorter).")
        parser.add_argument("--import", dest="imports", action="append", default=[], metavar="MODULE",
                            help="Import this module first, e.g. to register the job functions it defines.")

    def handle(self, *args, batch=False, interval=1.0, simple=False, lease=None, heartbeat=None, imports=(),
               **options):
        lease = lease_seconds_default() if lease is None else lease
        heartbeat = min(HEARTBEAT_SECONDS, lease / 3) if heartbeat is None else heartbeat
        if lease <= 0 or heartbeat <= 0:
            raise CommandError("--lease and --heartbeat must be positive.")
        if heartbeat * 2 >= lease:
            # Otherwise a live worker's task could be requeued between two of its beats.
            raise CommandError(f"--heartbeat ({heartbeat:g} s) must be less than half the lease ({lease:g} s).")
        for module in imports:
            importlib.import_module(module)

        backend = settings.TASKS["default"]["BACKEND"]
        database_queue = database_backend_alias() is not None
        name = worker_name()
        # The first beat is written before any task is claimed, so a claimed task always has
        # a heartbeat row to be judged by; then the leftovers of dead workers are reaped.
        _heartbeat_write(name, backend)
        try:
            _reap(name, lease, database_queue, starting=True)
            heartbeats_prune()
        except Exception:
            logger.warning("reaper pass at start failed", exc_info=True)

        stop = threading.Event()
        beat = threading.Thread(target=_beat, args=(name, backend, stop, heartbeat, lease, database_queue),
                                name="zhibao-heartbeat", daemon=True)
        beat.start()
        if not batch:
            threading.Thread(target=_sweep, args=(stop,), name="zhibao-sweeps", daemon=True).start()
        try:
            if "RQBackend" in backend:
                extra = {"worker_class": "rq.worker.SimpleWorker"} if simple else {}
                call_command("rqworker", *settings.TASKS["default"]["QUEUES"], burst=batch, with_scheduler=False,
                             job_class="django_tasks_rq.backend.Job", **extra)
            else:
                # Claim under the heartbeat name: the reaper reads it back from worker_ids.
                call_command("db_worker", batch=batch, interval=interval, reload=False, worker_id=name)
        finally:
            stop.set()
            beat.join(timeout=heartbeat + 5)

"""Reliability: a job survives `kill -9` of its worker, backups are taken while the platform
writes and restore cleanly, and SQLite loses no update under concurrent read-modify-write.

The durable-job test drives real `zhibao worker` processes against the test database (the
database queue only: RQ handles abandoned jobs itself, see docs/deploy.md). With `-s` it prints
`BENCH` lines: the recovery time after the kill, backup and restore timings.
"""

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from zhibao.core.choices import JobStatus
from zhibao.core.models import CaseSequence, Job, WorkerHeartbeat
from zhibao.core.reaper import jobs_reconcile, tasks_reap
from zhibao.core.services.jobs import job_function, job_progress, job_start

USING_DB_QUEUE = "django_tasks_db" in settings.TASKS["default"]["BACKEND"]
VENDOR = "sqlite" if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") else "postgresql"
ZHIBAO = Path(sys.executable).with_name("zhibao")
LEASE = 3.0  # seconds; production uses ZHIBAO_WORKER_LEASE (60 s by default)

needs_db_queue = pytest.mark.skipif(not USING_DB_QUEUE, reason="the lease reaper is for the database queue; "
                                    "RQ moves abandoned jobs to its failed registry itself")


def bench(name: str, value: float, unit: str) -> None:
    print(f"\nBENCH {name} {value:.2f} {unit}", flush=True)


@job_function("test_slow")
def slow_job(job, *, marker: str, steps: int = 12, delay: float = 0.25):
    """Sleeps in steps, reporting progress; writes one line when it starts and one when it finishes."""
    with open(marker, "a", encoding="ascii") as f:
        f.write(f"start {os.getpid()}\n")
    for step in range(steps):
        job_progress(job, 100 * step // steps, f"step {step + 1}/{steps}")
        time.sleep(delay)
    with open(marker, "a", encoding="ascii") as f:
        f.write(f"finish {os.getpid()}\n")
    return {"steps": steps}


def wait_for(predicate, *, timeout: float, what: str, logs=lambda: ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{logs()}")


def worker_env() -> dict:
    """The environment of a worker process that works on this test's database."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(ZHIBAO_ENV="test", ZHIBAO_VAR_DIR=str(settings.VAR_DIR))
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        # Django's plain SQLite engine from the URL; the test database is already in WAL mode
        # (a property of the file), and the URL carries the busy timeout and IMMEDIATE mode.
        env["DATABASE_URL"] = f"sqlite:///{Path(db['NAME']).resolve()}?timeout=30&transaction_mode=IMMEDIATE"
    else:
        env["DATABASE_URL"] = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + db["NAME"]))
    return env


# --- 1. Durable jobs ----------------------------------------------------------------------


@needs_db_queue
def test_a_job_whose_worker_is_killed_is_requeued_and_completes_exactly_once(transactional_db, tmp_path):
    from django_tasks_db.models import DBTaskResult

    marker = tmp_path / "runs.txt"
    env = worker_env()
    procs, logs = [], []

    def start_worker():
        log = tmp_path / f"worker{len(procs) + 1}.log"
        logs.append(log)
        procs.append(subprocess.Popen(
            [str(ZHIBAO), "worker", "--lease", str(LEASE), "--heartbeat", "0.5", "--interval", "0.2",
             "--import", __name__],
            env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=settings.BASE_DIR,
        ))
        return procs[-1]

    def worker_logs() -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in logs if log.exists())

    try:
        job = job_start(name="test_slow", title="慢任务", params={"marker": str(marker), "steps": 12, "delay": 0.25})
        first = start_worker()
        wait_for(lambda: Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, progress__gte=25).exists(),
                 timeout=20, what="the job to run halfway in the first worker", logs=worker_logs)
        job.refresh_from_db()
        task = DBTaskResult.objects.get(pk=job.task_result_id)
        assert task.status == "RUNNING" and task.worker_ids == [f"{socket.gethostname()}:{first.pid}"]

        os.kill(first.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        first.wait(timeout=10)
        second = start_worker()

        def requeued_or_done():
            task.refresh_from_db()
            return task.status != "RUNNING" or len(task.worker_ids) > 1

        wait_for(requeued_or_done, timeout=LEASE + 10, what="the reaper to requeue the task", logs=worker_logs)
        requeued_at = time.monotonic()
        wait_for(lambda: Job.objects.filter(pk=job.pk, status=JobStatus.SUCCEEDED).exists(), timeout=20,
                 what="the job to succeed in the second worker", logs=worker_logs)
        succeeded_at = time.monotonic()
        wait_for(lambda: DBTaskResult.objects.filter(pk=task.pk, status="SUCCESSFUL").exists(), timeout=5,
                 what="the task to be marked successful", logs=worker_logs)
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=15) == 0, worker_logs()
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    # It started twice (the killed run and the rerun, from the start) and finished once.
    runs = marker.read_text().split("\n")
    assert [line for line in runs if line] == [f"start {first.pid}", f"start {second.pid}", f"finish {second.pid}"]
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.progress == 100 and job.result == {"steps": 12}, job.error
    task.refresh_from_db()
    assert [w.rsplit(":", 1)[1] for w in task.worker_ids] == [str(first.pid), str(second.pid)]
    assert DBTaskResult.objects.count() == 1  # requeued, not enqueued a second time
    assert WorkerHeartbeat.objects.filter(name=task.worker_ids[-1]).exists()
    bench("jobs.reaper_requeue_s", requeued_at - killed_at, f"s (kill -9 -> requeued, lease {LEASE:g} s)")
    bench("jobs.reaper_recovery_s", succeeded_at - killed_at, f"s (kill -9 -> succeeded, lease {LEASE:g} s, "
          "job of 3 s rerun from the start)")


def _queued_job(title: str, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(name="test_slow", title=title, params={"marker": "/dev/null"})
    job.refresh_from_db()
    return job, DBTaskResult.objects.get(pk=job.task_result_id)


def _dead_local_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _sleeping_process(*argv: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", *argv])


@needs_db_queue
def test_the_reaper_takes_back_only_tasks_of_dead_workers(db, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    long_ago = now - timedelta(minutes=5)
    host = socket.gethostname()
    live_worker, pid_reused = _sleeping_process("worker"), _sleeping_process("something-else")
    try:
        workers = {
            "remote_dead": "worker-b.invalid:41",  # another machine, heartbeat stale: dead
            "remote_live": "worker-c.invalid:42",  # another machine, fresh heartbeat: alive
            "local_live": f"{host}:{live_worker.pid}",  # this machine, stale heartbeat, a worker process: alive
            "local_dead": f"{host}:{_dead_local_pid()}",  # this machine, process gone, no heartbeat: dead
            "local_reused": f"{host}:{pid_reused.pid}",  # this machine, the pid is another program's now: dead
        }
        WorkerHeartbeat.objects.create(name=workers["remote_dead"], backend="db", seen_at=long_ago)
        WorkerHeartbeat.objects.create(name=workers["remote_live"], backend="db", seen_at=now)
        WorkerHeartbeat.objects.create(name=workers["local_live"], backend="db", seen_at=long_ago)
        tasks, jobs = {}, {}
        for key, worker in workers.items():
            jobs[key], tasks[key] = _queued_job(key, django_capture_on_commit_callbacks)
            tasks[key].claim(worker)
            Job.objects.filter(pk=jobs[key].pk).update(status=JobStatus.RUNNING, progress=40, started_at=long_ago)
        DBTaskResult.objects.update(started_at=long_ago)

        report = tasks_reap(lease_seconds=60, now=now)
    finally:
        for proc in (live_worker, pid_reused):
            proc.kill()
            proc.wait()

    dead = ("remote_dead", "local_dead", "local_reused")
    assert sorted(report.requeued) == sorted(str(tasks[key].pk) for key in dead)
    assert report.jobs_requeued == 3 and not report.failed
    for key in workers:
        tasks[key].refresh_from_db()
        jobs[key].refresh_from_db()
    for key in dead:
        assert tasks[key].status == "READY" and tasks[key].started_at is None
        assert tasks[key].worker_ids == [workers[key]]  # the attempt history stays
        assert jobs[key].status == JobStatus.QUEUED and jobs[key].progress == 0 and jobs[key].started_at is None
        assert "2" in jobs[key].message and "3" in jobs[key].message  # attempt 2 of 3
    for key in ("remote_live", "local_live"):
        assert tasks[key].status == "RUNNING" and jobs[key].status == JobStatus.RUNNING
    # Its process now gone, the local worker's task is taken back on the next pass; then nothing is
    # left to take, and a task claimed less than a lease ago is never touched.
    assert tasks_reap(lease_seconds=60, now=now).requeued == [str(tasks["local_live"].pk)]
    assert not tasks_reap(lease_seconds=60, now=now)
    assert not tasks_reap(lease_seconds=600, now=now + timedelta(minutes=6))


@needs_db_queue
def test_a_worker_restarted_under_a_reused_name_takes_its_predecessors_task_back(
        db, django_capture_on_commit_callbacks):
    job, task = _queued_job("pid reused", django_capture_on_commit_callbacks)
    name = f"{socket.gethostname()}:{os.getpid()}"
    task.claim(name)  # just now, by the earlier process that had this pid
    WorkerHeartbeat.objects.create(name=name, backend="db", seen_at=timezone.now())
    assert not tasks_reap(lease_seconds=60, own_worker=name)  # a running worker never takes its own
    assert tasks_reap(lease_seconds=60, previous_worker=name).requeued == [str(task.pk)]  # at start it does


@needs_db_queue
def test_a_task_that_keeps_killing_its_worker_fails_after_max_attempts(db, django_capture_on_commit_callbacks):
    job, task = _queued_job("poison", django_capture_on_commit_callbacks)
    for n in range(3):
        task.claim(f"worker-{n}.invalid:{n}")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    now = timezone.now() + timedelta(minutes=5)

    report = tasks_reap(lease_seconds=60, max_attempts=3, now=now)

    assert report.failed == [str(task.pk)] and report.jobs_failed == 1
    task.refresh_from_db()
    job.refresh_from_db()
    assert task.status == "FAILED" and task.exception_class_path == "zhibao.core.reaper.WorkerLost"
    assert job.status == JobStatus.FAILED and job.finished_at and "3" in job.message


@needs_db_queue
def test_jobs_whose_task_can_no_longer_finish_them_are_failed(db, django_capture_on_commit_callbacks):
    stopped, stopped_task = _queued_job("stopped twice", django_capture_on_commit_callbacks)
    stopped_task.claim("w.invalid:1")
    stopped_task.set_failed(SystemExit(1))  # db_worker's answer to a second SIGTERM mid-task
    never_queued = Job.objects.create(name="test_slow", title="never queued")
    running, running_task = _queued_job("still running", django_capture_on_commit_callbacks)
    running_task.claim("w.invalid:2")
    long_ago = timezone.now() - timedelta(minutes=5)
    Job.objects.filter(pk__in=[stopped.pk, running.pk]).update(status=JobStatus.RUNNING, started_at=long_ago)
    Job.objects.filter(pk=never_queued.pk).update(created_at=long_ago)

    assert jobs_reconcile(lease_seconds=60) == 2

    for job in (stopped, never_queued, running):
        job.refresh_from_db()
    assert stopped.status == JobStatus.FAILED and "SystemExit" in stopped.error
    assert never_queued.status == JobStatus.FAILED and "never queued" in never_queued.error
    assert running.status == JobStatus.RUNNING


# --- 2. Backups -----------------------------------------------------------------------------


class Writer(threading.Thread):
    """Inserts CaseSequence rows W0, W1, … one transaction each, until stopped."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop, self.written, self.error = threading.Event(), 0, None

    def run(self):
        try:
            while not self.stop.is_set():
                CaseSequence.objects.create(service=f"W{self.written}", year=2026)
                self.written += 1
        except Exception as exc:  # reported by the test
            self.error = exc
        finally:
            connection.close()


def _backup_while_writing(tmp_path, capsys):
    writer = Writer()
    writer.start()
    try:
        wait_for(lambda: writer.written >= 50 or writer.error, timeout=20, what="the writer to get going")
        before = writer.written
        start = time.perf_counter()
        call_command("backup", str(tmp_path / "backups") + "/")
        took = time.perf_counter() - start
        during = writer.written - before
        wait_for(lambda: writer.written >= before + during + 20 or writer.error, timeout=20, what="more writes")
    finally:
        writer.stop.set()
        writer.join(timeout=10)
    assert writer.error is None, writer.error
    out = capsys.readouterr().out
    path = Path(out.split("Backup: ", 1)[1].split("\n", 1)[0])
    assert "SHA-256: " in out and "Size: " in out and path.exists()
    assert (path.parent / (path.name + ".sha256")).read_text().split()[0] in out
    assert path.stat().st_mode & 0o077 == 0  # personal data: owner-only
    return path, before, writer.written, took


def _check_restored_rows(rows: list[str], before: int, total: int, live_regions: int, regions: int) -> None:
    # The backup is one snapshot: every row committed before it, and a prefix of the writes.
    assert before <= len(rows) <= total
    assert sorted(rows, key=lambda s: int(s[1:])) == [f"W{i}" for i in range(len(rows))]
    assert regions == live_regions > 0


@pytest.mark.skipif(VENDOR != "sqlite", reason="SQLite online backup; the PostgreSQL test covers pg_dump")
def test_sqlite_backup_while_writing_restores_into_a_scratch_database(transactional_db, tmp_path, capsys):
    from zhibao.core.models import Region

    path, before, total, took = _backup_while_writing(tmp_path, capsys)
    target = tmp_path / "scratch.sqlite3"
    start = time.perf_counter()
    call_command("restore", str(path), into=str(target))
    restore_took = time.perf_counter() - start
    out = capsys.readouterr().out
    assert "integrity_check: ok" in out and "migrate --check: ok" in out and "SHA-256 verified" in out

    with sqlite3.connect(target) as restored:
        rows = [r[0] for r in restored.execute("SELECT service FROM core_casesequence WHERE service LIKE 'W%'")]
        regions = restored.execute("SELECT COUNT(*) FROM core_region").fetchone()[0]
        assert restored.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    _check_restored_rows(rows, before, total, Region.objects.count(), regions)
    bench("backup.sqlite_s", took, f"s (test database, {path.stat().st_size // 1024} KiB, while writing)")
    bench("restore.sqlite_s", restore_took, "s (restore + integrity_check + migrate --check)")


@pytest.mark.skipif(VENDOR != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://…)")
def test_postgresql_backup_while_writing_restores_into_a_scratch_database(transactional_db, tmp_path, capsys):
    import psycopg

    from zhibao.core.models import Region

    path, before, total, took = _backup_while_writing(tmp_path, capsys)
    db = connection.settings_dict
    scratch = f"{db['NAME']}_restore"
    params = {"host": db["HOST"] or None, "port": db["PORT"] or None, "user": db["USER"] or None,
              "password": db["PASSWORD"] or None}
    try:
        start = time.perf_counter()
        call_command("restore", str(path))  # the default target: <name>_restore on the same server
        restore_took = time.perf_counter() - start
        out = capsys.readouterr().out
        assert f"into {scratch}" in out and "migrate --check: ok" in out and "SHA-256 verified" in out
        with psycopg.connect(dbname=scratch, **params) as restored:
            rows = [r[0] for r in restored.execute("SELECT service FROM core_casesequence WHERE service LIKE 'W%'")]
            regions = restored.execute("SELECT COUNT(*) FROM core_region").fetchone()[0]
        _check_restored_rows(rows, before, total, Region.objects.count(), regions)
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as maint:
            maint.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    bench("backup.postgresql_s", took, f"s (pg_dump -Fc of the test database, {path.stat().st_size // 1024} KiB)")
    bench("restore.postgresql_s", restore_took, "s (createdb + pg_restore + migrate --check)")


def test_restore_refuses_the_live_database_and_a_damaged_file(transactional_db, tmp_path, capsys):
    call_command("backup", str(tmp_path / "b") + "/")
    path = Path(capsys.readouterr().out.split("Backup: ", 1)[1].split("\n", 1)[0])
    live = connection.settings_dict["NAME"]
    with pytest.raises(CommandError, match="live database"):
        call_command("restore", str(path), into=str(live))
    damaged = tmp_path / "damaged" / path.name
    damaged.parent.mkdir()
    shutil.copy(path, damaged)
    shutil.copy(path.with_name(path.name + ".sha256"), damaged.with_name(path.name + ".sha256"))
    with damaged.open("r+b") as f:
        f.seek(damaged.stat().st_size // 2)
        byte = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(CommandError, match="SHA-256 mismatch"):
        call_command("restore", str(damaged), into=str(tmp_path / "x.sqlite3"))
    (tmp_path / "junk").write_bytes(b"not a backup")
    with pytest.raises(CommandError, match="neither"):
        call_command("restore", str(tmp_path / "junk"))


# --- 3. Concurrency -------------------------------------------------------------------------


def test_concurrent_read_modify_write_transactions_lose_no_update(transactional_db):
    """8 threads × 50 transactions each read the counter, add one and save it."""
    threads_n, per_thread = 8, 50
    CaseSequence.objects.create(service="RMW", year=2026, last=0)
    errors: list[str] = []
    barrier = threading.Barrier(threads_n)

    def work():
        try:
            barrier.wait()
            for _ in range(per_thread):
                with transaction.atomic():
                    rows = CaseSequence.objects.filter(service="RMW", year=2026)
                    if connection.vendor == "postgresql":
                        rows = rows.select_for_update()  # PostgreSQL: lock the row we will write
                    # SQLite: the IMMEDIATE transaction already holds the write lock at BEGIN.
                    row = rows.get()
                    row.last += 1
                    row.save(update_fields=["last"])
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(threads_n)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.perf_counter() - start
    assert errors == []  # no "database is locked", no serialization failure
    assert CaseSequence.objects.get(service="RMW", year=2026).last == threads_n * per_thread
    bench(f"{connection.vendor}.rmw_tx_per_s", threads_n * per_thread / elapsed,
          f"tx/s ({threads_n} threads x {per_thread} read-then-write transactions, no lost update)")

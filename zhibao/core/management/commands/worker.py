import os
import socket
import threading
import time

from django.conf import settings
from django.core.management import BaseCommand, call_command
from django.db import close_old_connections
from django.utils import timezone


def _beat(name: str, backend: str, stop: threading.Event, interval: float) -> None:
    from zhibao.core.models import WorkerHeartbeat

    while not stop.is_set():
        try:
            WorkerHeartbeat.objects.update_or_create(name=name, defaults={"backend": backend, "seen_at": timezone.now()})
        except Exception:  # noqa: S110 — a missed beat must never kill the worker; /healthz shows it
            pass
        finally:
            close_old_connections()
        stop.wait(interval)


class Command(BaseCommand):
    help = "Run the task worker (database queue, or RQ when REDIS_URL is set) with a heartbeat for /healthz."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Process what is queued, then exit.")
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--simple", action="store_true",
                            help="RQ only: run jobs in this process instead of a forked child (tests, debugging).")

    def handle(self, *args, batch=False, interval=1.0, simple=False, **options):
        backend = settings.TASKS["default"]["BACKEND"]
        name = f"{socket.gethostname()}:{os.getpid()}"
        stop = threading.Event()
        beat = threading.Thread(target=_beat, args=(name, backend, stop, 10.0), daemon=True)
        beat.start()
        try:
            if "RQBackend" in backend:
                extra = {"worker_class": "rq.worker.SimpleWorker"} if simple else {}
                call_command("rqworker", *settings.TASKS["default"]["QUEUES"], burst=batch, with_scheduler=False,
                             job_class="django_tasks_rq.backend.Job", **extra)
            else:
                call_command("db_worker", batch=batch, interval=interval, reload=False)
        finally:
            stop.set()
            time.sleep(0)

"""Long work as jobs: a `core.Job` row users can watch, run by the task worker.

A service registers its long-running function with `@job_function("name")`; the function
gets the Job and reports progress with `job_progress`. `job_start` creates the row and
queues it after the transaction commits, on whatever task backend is configured (the
database queue by default, RQ on Redis when scaled out).
"""

import logging
import traceback
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import JobStatus
from ..models import Job

logger = logging.getLogger(__name__)
JOB_FUNCTIONS: dict[str, Callable] = {}


def job_function(name: str):
    def register(func: Callable) -> Callable:
        JOB_FUNCTIONS[name] = func
        return func

    return register


def job_start(*, name: str, title: str, owner=None, params: dict | None = None) -> Job:
    if name not in JOB_FUNCTIONS:
        raise ValueError(f"unknown job function {name!r}")
    job = Job.objects.create(name=name, title=title[:200], owner=owner, params=params or {})

    def enqueue() -> None:
        from ..tasks import run_job

        result = run_job.enqueue(str(job.pk))
        Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id)[:64])

    transaction.on_commit(enqueue)
    return job


def job_progress(job: Job, percent: int, message: str = "") -> None:
    """Record progress; written at once (outside any caller transaction) so pages see it."""
    percent = max(0, min(100, int(percent)))
    job.progress, job.message = percent, message[:300]
    Job.objects.filter(pk=job.pk).update(progress=percent, message=job.message)


def job_execute(job_id: str) -> None:
    """Run a job's function in the worker and record its outcome; never raises."""
    job = Job.objects.get(pk=job_id)
    if job.is_finished:
        return  # a redelivered task must not run finished work twice
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    try:
        result = JOB_FUNCTIONS[job.name](job, **job.params) or {}
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.name)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            message=_("Failed: %(error)s") % {"error": str(exc)[:200]},
            error="".join(traceback.format_exception_only(type(exc), exc))[:5000],
        )
        return
    job.refresh_from_db(fields=["result_file"])
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED, finished_at=timezone.now(), progress=100,
        message=_("Done"), result=result,
    )

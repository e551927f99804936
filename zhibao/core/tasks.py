"""Thin task wrappers: the worker runs these; the work itself lives in services."""

from django_tasks import task


@task()
def run_job(job_id: str) -> None:
    from .services.jobs import job_execute

    job_execute(job_id)

"""Jobs end to end on the configured queue: the database queue by default, RQ on Redis
when REDIS_URL is set (CI runs this file both ways) — with a real worker each time."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from openpyxl import load_workbook

from zhibao.conftest import login
from zhibao.core.choices import JobStatus
from zhibao.core.models import Job, WorkerHeartbeat
from zhibao.core.services.jobs import job_function, job_progress, job_start

USING_RQ = "RQBackend" in settings.TASKS["default"]["BACKEND"]


@job_function("test_fails")
def failing_job(job, *, reason: str):
    job_progress(job, 40, "halfway")
    raise ValueError(reason)


@pytest.fixture
def run_worker(transactional_db):
    if USING_RQ:
        import django_rq

        django_rq.get_connection("default").flushdb()

    def run():
        call_command("worker", batch=True, simple=True, interval=0.1)

    return run


def test_export_job_runs_on_the_worker_and_reports_progress(run_worker, alice, alice_case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(name="cases_export", title="导出", owner=alice, params={"scope": "mine", "filters": {}})
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.task_result_id
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.progress == 100 and job.result == {"rows": 1} and job.finished_at
    # The worker said it was alive while it ran.
    assert WorkerHeartbeat.objects.filter(backend=settings.TASKS["default"]["BACKEND"]).exists()
    # The owner downloads an Excel file with the case in it …
    response = login(alice).get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == alice_case.number
    # … the page and the API show it finished …
    assert b'id="job-download"' in login(alice).get(f"/jobs/{job.pk}/").content
    progress = login(alice).get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    assert b"<html" not in progress.content and b"hx-trigger" not in progress.content


def test_a_stranger_cannot_see_or_download_anothers_job(run_worker, alice, bob, alice_case):
    job = Job.objects.create(name="cases_export", title="导出", owner=alice)
    for url in (f"/jobs/{job.pk}/", f"/jobs/{job.pk}/download/", f"/api/v1/jobs/{job.pk}"):
        assert login(bob).get(url).status_code == 404, url


def test_a_failing_job_records_its_error_and_progress(run_worker, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(name="test_fails", title="会失败", owner=alice, params={"reason": "第3行日期格式错误"})
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "第3行日期格式错误" in job.error and job.progress == 40
    api = login(alice).get(f"/api/v1/jobs/{job.pk}").json()
    assert api["status"] == "failed" and "第3行日期格式错误" in api["message"]


def test_the_export_page_starts_a_job_with_the_page_filters(transactional_db, alice, alice_case):
    response = login(alice).post("/cases/export/", {"scope": "mine", "service": "ORG", "bogus": "x"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.params == {"scope": "mine", "filters": {"service": "ORG"}}
    page = login(alice).get(f"/jobs/{job.pk}/")
    assert b'hx-trigger="every 1s"' in page.content  # polls until finished


def test_the_queue_is_the_one_the_environment_asks_for():
    import os

    assert bool(os.environ.get("REDIS_URL")) == USING_RQ

"""The grant match: an import of CNIPA's data that brings the granted patent of a case filed at
CNIPA closes the case as granted — by the platform (actor None), with the grant's date and
number — through the job the import queues, or the sweep; a pending patent closes nothing."""

import csv
import datetime as dt

import pytest
from django.utils import timezone

from zhibao.core.models import Job, Notification
from zhibao.core.services.jobs import job_execute
from zhibao.patents.importing.services import patents_import
from zhibao.patents.models import Patent
from zhibao.pre_exam.choices import PreExamState as S
from zhibao.pre_exam.jobs import GRANT_MATCH_JOB
from zhibao.pre_exam.models import PreExamCase
from zhibao.pre_exam.services.grants import grant_match
from zhibao.pre_exam.services.sweep import pre_exam_sweep

from .test_workflow import bring_to

pytestmark = pytest.mark.django_db

# The generic Chinese export's header (as the patent tests import it), with the grant columns.
HEADER = ["公开(公告)号", "标题", "摘要", "申请人", "申请号", "申请日", "IPC", "法律状态", "授权公告号", "授权公告日"]






@pytest.fixture(autouse=True)
def patent_index(patent_index, settings, tmp_path):
    """An empty search index of the test's own (zhibao/conftest.py), and an imports folder."""
    settings.PATENT_IMPORT_DIR = tmp_path / "imports"
    return patent_index


@pytest.fixture
def filed(people, alice_pe):
    """alice's invention, pre-examined, qualified and filed at CNIPA today."""
    return bring_to(S.FILED, alice_pe, people)


def import_rows(tmp_path, rows, name="cnipa.csv"):
    path = tmp_path / name
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    # The search index is not what the match reads: the database rows are.
    return patents_import(path=path, rejected_path=tmp_path / "rejected.csv", workers=0, index=False)


def granted_row(detail, *, granted_on, number="CN118000001B", status="有权", spelling=None):
    return [number, detail.title, detail.abstract, detail.case.organization.name,
            spelling or detail.cnipa_application_number, detail.cnipa_filed_on.isoformat(), "H01F1/057", status,
            number, granted_on.isoformat() if granted_on else ""]


def run_grant_job() -> Job:
    job = Job.objects.get(name=GRANT_MATCH_JOB, status="queued")
    job_execute(str(job.pk))
    job.refresh_from_db()
    return job


def test_an_import_of_the_grant_closes_the_filed_case(filed, tmp_path, alice):
    granted_on = timezone.localdate()
    notes = Notification.objects.filter(recipient=alice, case=filed.case).count()
    report = import_rows(tmp_path, [granted_row(filed, granted_on=granted_on)])
    assert report.created == 1 and report.rejected == 0
    assert Patent.objects.get(publication_number="CN118000001B").grant_date == granted_on
    job = run_grant_job()  # the import queued it
    assert job.status == "succeeded" and job.result == {"granted": 1}, job.error
    detail = PreExamCase.objects.select_related("case").get(pk=filed.pk)
    assert detail.state == detail.case.status == S.GRANTED
    assert (detail.granted_on, detail.grant_publication_number) == (granted_on, "CN118000001B")
    assert detail.grant_cycle_days == 0 and detail.case.closed_at is not None
    event = detail.case.events.latest("id")
    assert (event.transition, event.actor, event.from_state, event.to_state) == (
        "record_grant", None, S.FILED, S.GRANTED)
    assert "CN118000001B" in event.comment and event.payload["granted_on"] == granted_on.isoformat()
    assert Notification.objects.filter(recipient=alice, case=filed.case).count() == notes + 1
    # a second pass (the sweep, another import) finds nothing more to do
    assert grant_match() == 0 and pre_exam_sweep()["granted"] == 0


def test_any_spelling_of_the_application_number_matches(filed, tmp_path):
    bare = filed.cnipa_application_number[2:].replace(".", "")  # 2026100000011 → CN202610000001.1
    import_rows(tmp_path, [granted_row(filed, granted_on=timezone.localdate(), spelling=bare)])
    assert pre_exam_sweep()["granted"] == 1
    assert PreExamCase.objects.get(pk=filed.pk).state == S.GRANTED


def test_a_pending_patent_does_not_close_the_case(filed, tmp_path):
    # the application's publication: under examination, no grant date yet
    row = granted_row(filed, granted_on=None, number="CN118000001A", status="审中-实质审查")
    row[8] = ""
    report = import_rows(tmp_path, [row])
    assert report.created == 1
    assert run_grant_job().result == {"granted": 0}
    assert PreExamCase.objects.get(pk=filed.pk).state == S.FILED
    # the grant comes with the next import
    import_rows(tmp_path, [granted_row(filed, granted_on=timezone.localdate())], name="next.csv")
    assert run_grant_job().result == {"granted": 1}
    assert PreExamCase.objects.get(pk=filed.pk).state == S.GRANTED


def test_a_rejected_application_does_not_close_the_case_as_granted(filed, tmp_path):
    import_rows(tmp_path, [granted_row(filed, granted_on=timezone.localdate(), number="CN118000001A",
                                       status="驳回")])
    assert grant_match() == 0 and PreExamCase.objects.get(pk=filed.pk).state == S.FILED


def test_a_grant_before_the_filing_is_a_data_error_that_is_skipped(filed, tmp_path):
    import_rows(tmp_path, [granted_row(filed, granted_on=filed.cnipa_filed_on - dt.timedelta(days=30))])
    job = run_grant_job()
    assert job.status == "succeeded" and job.result == {"granted": 0}
    assert PreExamCase.objects.get(pk=filed.pk).state == S.FILED


def test_only_filed_cases_are_matched(people, alice, alice_filed, submit_case, tmp_path):
    qualified = bring_to(S.QUALIFIED, submit_case(alice, alice_filed), people)
    Patent.objects.create(publication_number="CN118000009B", application_number="CN202610000009.3",
                          patent_type="invention", title=qualified.title, grant_date=timezone.localdate(),
                          legal_status="granted")
    assert grant_match() == 0 and PreExamCase.objects.get(pk=qualified.pk).state == S.QUALIFIED


def test_the_imports_are_matched_once_per_queue(filed, tmp_path):
    import_rows(tmp_path, [granted_row(filed, granted_on=None, number="CN118000001A", status="审中")], name="a.csv")
    import_rows(tmp_path, [granted_row(filed, granted_on=None, number="CN118000002A", status="审中")], name="b.csv")
    assert Job.objects.filter(name=GRANT_MATCH_JOB, status="queued").count() == 1

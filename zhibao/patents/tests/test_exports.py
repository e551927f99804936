"""Result exports: Excel and CSV at once up to the sync limit, a job above it, capped."""

import csv
import io

import pytest
from openpyxl import load_workbook

from zhibao.conftest import login
from zhibao.core.choices import JobStatus
from zhibao.core.models import Job
from zhibao.core.services.jobs import job_execute
from zhibao.patents import exports

from .test_search_pages import corpus  # noqa: F401  (the fixture)

HEADER = ["Publication number", "Application number", "Patent type", "Title", "Applicants", "Application date",
          "Publication date", "Main IPC", "IPC", "Legal status", "Province"]


@pytest.fixture
def alice_client(alice, settings):
    settings.LANGUAGE_CODE = "en"
    client = login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_xlsx_export_has_the_header_and_one_row_per_result_in_order(alice_client, corpus):  # noqa: F811
    response = alice_client.post("/patents/export/", {"q": "稀土", "sort": "application_date", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(_content(response))).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == HEADER
    assert [r[0] for r in rows[1:]] == ["CN111000001A", "CN111000002B", "CN211000003U", "CN111000004A"]
    first = dict(zip(HEADER, rows[1], strict=True))
    assert first["Applicants"] == "包头稀土研究院; 内蒙古科技大学"
    assert first["Patent type"] == "Invention" and first["Legal status"] == "Pending"
    assert first["Application date"] == "2019-05-01" and first["IPC"] == "H01F1/057; C22C38/00"
    assert first["Main IPC"] == "H01F1/057" and first["Province"] == "内蒙古自治区"


def test_csv_export_is_utf8_with_bom_and_honours_the_filters(alice_client, corpus):  # noqa: F811
    response = alice_client.post("/patents/export/", {"q": "稀土", "type": "utility_model", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    raw = _content(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    assert rows[1:] == [["CN211000003U", "2020100000001", "Utility model", "稀土抛光粉分级装置",
                         "包头天骄清美稀土抛光粉有限公司", "2021-01-10", "2021-07-29", "B07B1/00", "B07B1/00", "Granted",
                         "内蒙古自治区"]]


def test_export_above_the_sync_limit_becomes_a_job_that_writes_the_file(alice, alice_client, corpus, settings,  # noqa: F811
                                                                        tmp_path):
    settings.PATENT_EXPORT_SYNC_MAX = 2
    settings.MEDIA_ROOT = tmp_path
    response = alice_client.post("/patents/export/", {"q": "稀土", "format": "csv"})
    job = Job.objects.get(name="patents.export")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.owner == alice and job.params == {"q": "稀土", "filters": {}, "sort": "relevance", "fmt": "csv"}
    job_execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result == {"rows": 4, "format": "csv", "capped": False}
    rows = list(csv.reader(io.StringIO(job.result_file.read().decode("utf-8-sig"))))
    assert len(rows) == 5 and rows[0] == HEADER
    download = alice_client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200


def test_job_export_is_capped_with_a_message(alice_client, corpus, settings, tmp_path):  # noqa: F811
    settings.PATENT_EXPORT_SYNC_MAX = 1
    settings.PATENT_EXPORT_MAX = 3
    settings.MEDIA_ROOT = tmp_path
    response = alice_client.post("/patents/export/", {"q": "稀土", "format": "xlsx"}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("first 3" in m for m in messages), messages
    job = Job.objects.get(name="patents.export")
    job_execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result["rows"] == 3 and job.result["capped"] is True
    ws = load_workbook(job.result_file.path).active
    assert ws.max_row == 4


def test_nothing_to_export_and_bad_queries_go_back_to_the_search(alice_client, corpus):  # noqa: F811
    response = alice_client.post("/patents/export/", {"q": "不存在的词语", "format": "csv"})
    assert response.status_code == 302 and response["Location"].startswith("/patents/?q=")
    response = alice_client.post("/patents/export/", {"q": "TI=(", "format": "csv"}, follow=True)
    assert response.status_code == 200 and list(response.context["messages"])
    assert alice_client.post("/patents/export/", {"q": "稀土", "format": "pdf"}).status_code == 404
    assert not Job.objects.exists()


def test_rows_are_read_in_batches_and_keep_the_engine_order(corpus, django_assert_num_queries):  # noqa: F811
    numbers = ["CN111000006A", "CN111000001A", "CN000000000X", "CN111000005A"]
    with django_assert_num_queries(2):
        rows = list(exports.patent_rows(numbers, batch_size=2))
    assert [r[0] for r in rows] == ["CN111000006A", "CN111000001A", "CN111000005A"]

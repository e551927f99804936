"""The upload journey as the operator: upload → mapping → preset → start → report → rejected rows."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhibao.conftest import login
from zhibao.core.models import Job
from zhibao.core.services.jobs import job_execute
from zhibao.patents.models import ImportPreset, Patent

CSV = (
    "编号,题目,申请人,申请日,分类\n"
    "CN218751475U,一种无人机机载多功能盒,中科大数据研究院,2022-12-02,B64U20/80\n"
    "CN116245100A,一种文本处理方法,内蒙古大学,2022-13-45,G06F40/289\n"
).encode("utf-8-sig")


def upload(client, content=CSV, name="mine.csv"):
    return client.post("/patents/import/", {"file": SimpleUploadedFile(name, content), "format": "auto"})


def test_the_operator_uploads_maps_saves_a_preset_and_imports(operator, tmp_path, settings):
    settings.PATENT_IMPORT_DIR = tmp_path / "imports"
    client = login(operator)
    assert client.get("/patents/import/").status_code == 200
    response = upload(client)
    assert response.status_code == 302
    mapping_url = response["Location"]
    page = client.get(mapping_url)
    content = page.content.decode()
    assert page.status_code == 200 and 'id="detected-format">csv<' in content and "utf-8-sig" in content
    assert "编号" in content and 'id="import-missing"' in content  # 编号 and 题目 are not known headers
    # The uploaded file lives under PATENT_IMPORT_DIR with a random name.
    stored = list((tmp_path / "imports" / "uploads").glob("*.data"))
    assert len(stored) == 1 and "mine" not in stored[0].name
    # Map the columns by hand (申请人 and 申请日 were proposed), save them as a preset …
    choice = {"map-0": "publication_number", "map-1": "title", "map-2": "applicants", "map-3": "application_date",
              "map-4": "ipc_codes"}
    response = client.post(mapping_url, {**choice, "action": "save_preset", "preset_name": "我的格式"})
    assert response.status_code == 200
    assert ImportPreset.objects.get(name="我的格式").mapping == {"编号": "publication_number", "题目": "title",
                                                             "申请人": "applicants", "申请日": "application_date",
                                                             "分类": "ipc_codes"}
    # … then start: a job, and the report page follows it.
    response = client.post(mapping_url, {**choice, "action": "start"})
    job = Job.objects.get(name="patents.import")
    assert response.status_code == 302 and response["Location"] == f"/patents/import/jobs/{job.pk}/"
    assert job.owner == operator and job.params["source_name"] == "mine.csv"
    assert b"hx-trigger" in client.get(response["Location"]).content  # polls while queued
    job_execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert (job.result["rows_read"], job.result["created"], job.result["rejected"]) == (2, 1, 1)
    assert Patent.objects.filter(publication_number="CN218751475U").exists()
    report = client.get(f"/patents/import/jobs/{job.pk}/").content.decode()
    assert 'id="import-counts"' in report and 'id="rejected-download"' in report and "2022-13-45" in report
    assert f"/jobs/{job.pk}/" in report  # the link to core's job page
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:5] == ["编号", "题目", "申请人", "申请日", "分类"] and len(rows) == 2
    assert rows[1][0] == "CN116245100A" and "2022-13-45" in rows[1][-1]
    # The upload is gone once imported; its mapping page with it.
    assert not stored[0].exists() and client.get(mapping_url).status_code == 404


def test_a_saved_preset_maps_the_next_upload(operator, tmp_path, settings):
    settings.PATENT_IMPORT_DIR = tmp_path / "imports"
    ImportPreset.objects.create(name="我的格式", mapping={"编号": "publication_number", "题目": "title"})
    client = login(operator)
    mapping_url = upload(client)["Location"]
    content = client.get(mapping_url + "?preset=我的格式").content.decode()
    assert 'id="import-missing"' not in content


def test_a_file_that_is_not_importable_is_refused_on_upload(operator, tmp_path, settings):
    settings.PATENT_IMPORT_DIR = tmp_path / "imports"
    response = upload(login(operator), content=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10, name="x.csv")
    assert response.status_code == 200 and b"invalid-feedback" in response.content
    assert not list((tmp_path / "imports" / "uploads").glob("*.data"))


@pytest.mark.parametrize("url", ["/patents/import/", "/patents/import/" + "a" * 32 + "/",
                                 "/patents/import/jobs/00000000-0000-0000-0000-000000000000/"])
def test_an_applicant_gets_403_on_the_import_pages(alice, url):
    assert login(alice).get(url).status_code == 403


def test_another_operator_cannot_use_my_upload(operator, tmp_path, settings):
    from zhibao.conftest import make_user
    from zhibao.core.choices import Role

    settings.PATENT_IMPORT_DIR = tmp_path / "imports"
    mapping_url = upload(login(operator))["Location"]
    other = make_user("operator2", roles=[Role.OPERATOR])
    assert login(other).get(mapping_url).status_code == 404


def test_a_double_click_on_start_queues_one_import(operator, tmp_path, settings):
    settings.PATENT_IMPORT_DIR = tmp_path / "imports"
    client = login(operator)
    mapping_url = upload(client)["Location"]
    choice = {"map-0": "publication_number", "map-1": "title", "map-2": "applicants", "map-3": "application_date",
              "map-4": "ipc_codes", "action": "start"}
    assert client.post(mapping_url, choice).status_code == 302
    assert client.post(mapping_url, choice).status_code == 404  # the second click finds the upload started
    assert Job.objects.filter(name="patents.import").count() == 1


def test_a_preset_of_another_operator_is_not_overwritten(operator, tmp_path, settings):
    from django.core.exceptions import ValidationError

    from zhibao.conftest import make_user
    from zhibao.core.choices import Role
    from zhibao.patents.importing.services import import_preset_save

    mapping = {"编号": "publication_number", "题目": "title"}
    import_preset_save(name="格式甲", mapping=mapping, owner=operator)
    other = make_user("operator2", roles=[Role.OPERATOR])
    with pytest.raises(ValidationError):
        import_preset_save(name="格式甲", mapping={"号": "publication_number", "名": "title"}, owner=other)
    assert ImportPreset.objects.get(name="格式甲").mapping == mapping
    import_preset_save(name="格式甲", mapping={"号": "publication_number", "名": "title"}, owner=operator)  # the owner may

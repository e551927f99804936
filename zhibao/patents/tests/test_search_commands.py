"""The reindex and search commands, the reindex job, and IPC= on the real-title dev sample."""

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from zhibao.core.services.jobs import JOB_FUNCTIONS
from zhibao.patents.models import Patent
from zhibao.patents.normalize import normalize_patent_type, normalize_publication_number
from zhibao.patents.search import get_engine

pytestmark = pytest.mark.django_db

DEV_SAMPLE = Path("/work/shared/data/patents/cn_title_ipc_dev.csv")


def _patent(number: str, title: str, **fields) -> Patent:
    defaults = {
        "publication_number": number, "application_number": f"CN20201{number[2:9]}0.1", "patent_type": "invention",
        "title": title, "abstract": "", "applicants": [{"name": "内蒙古大学"}], "first_applicant": "内蒙古大学",
        "province": "内蒙古", "ipc_codes": ["H01M4/36"], "ipc_main": "H01M4/36",
        "application_date": dt.date(2020, 3, 1),
    }
    defaults.update(fields)
    return Patent.objects.create(**defaults)


@pytest.fixture
def two_patents():
    return [_patent("CN111111111A", "一种锂离子电池负极材料"),
            _patent("CN222222222U", "一种牧草播种机", patent_type="utility_model", ipc_codes=["A01C7/00"],
                    ipc_main="A01C7/00", application_date=dt.date(2021, 4, 2))]


def test_reindex_command_rebuilds_from_the_database(two_patents, capsys):
    call_command("reindex")
    out = capsys.readouterr().out
    assert "2" in out.splitlines()[-1]
    assert get_engine().count("") == 2


def test_search_command_prints_hits_counts_and_json(two_patents, capsys):
    call_command("reindex")
    capsys.readouterr()
    call_command("search", "牧草")
    out = capsys.readouterr().out
    assert "CN222222222U" in out and "2021-04-02" in out and "内蒙古大学" in out and "一种牧草播种机" in out
    call_command("search", "IPC=H01M OR 牧草", "--count")
    assert capsys.readouterr().out.strip() == "2"
    call_command("search", "", "--json", "--limit", "1", "--sort", "application_date")
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 2 and len(data["hits"]) == 1
    assert data["hits"][0]["publication_number"] == "CN111111111A"
    assert data["hits"][0]["application_date"] == "2020-03-01"


def test_search_command_shows_a_caret_under_a_syntax_error(two_patents):
    with pytest.raises(CommandError) as info:
        call_command("search", "TI=(电池")
    lines = str(info.value).splitlines()
    assert "7" in lines[0] and ")" in lines[0]
    assert lines[1].strip() == "TI=(电池"
    assert lines[2].index("^") - lines[1].index("T") == 8  # 电池 takes four terminal columns


def test_reindex_job_reports_progress(two_patents):
    import zhibao.patents.jobs  # noqa: F401  (registers the job functions)
    from zhibao.core.models import Job

    job = Job.objects.create(name="patents.reindex", title="reindex", params={})
    result = JOB_FUNCTIONS["patents.reindex"](job)
    assert result == {"indexed": 2}
    job.refresh_from_db()
    assert job.progress == 99 and "2" in job.message
    assert get_engine().count("") == 2


@pytest.mark.skipif(not DEV_SAMPLE.exists(), reason="the shared dev sample cn_title_ipc_dev.csv is not present")
def test_ipc_prefix_on_the_real_title_sample():
    """Real titles and subclasses: IPC=H01M returns exactly the records that carry H01M."""
    with DEV_SAMPLE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    patents, expected = [], set()
    for row in rows:
        number = normalize_publication_number(row["publication_number"])
        subclasses = [s.strip() for s in row["ipc_subclasses"].split("|") if s.strip()]
        patents.append(Patent(
            publication_number=number, application_number="", title=row["title"], ipc_codes=subclasses,
            ipc_main=subclasses[0] if subclasses else "",
            patent_type=normalize_patent_type("", publication_number=number),
        ))
        if "H01M" in subclasses:
            expected.add(number)
    Patent.objects.bulk_create(patents, ignore_conflicts=True)
    engine = get_engine()
    engine.rebuild()
    assert engine.count("") == len({p.publication_number for p in patents})
    assert expected
    assert set(engine.publication_numbers("IPC=H01M")) == expected
    assert engine.count("IPC=H") >= len(expected)
    titles_with_battery = {p.publication_number for p in patents if "电池" in p.title}
    found = set(engine.publication_numbers("TI=电池"))
    assert len(found & titles_with_battery) >= 0.9 * len(titles_with_battery)

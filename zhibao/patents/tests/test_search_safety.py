"""The index is never left locked or out of step with the database, and no request can make
the engine allocate without bound."""

import fcntl

import pytest

from zhibao.core.models import Job
from zhibao.core.services.jobs import job_execute
from zhibao.patents.importing.services import patents_import
from zhibao.patents.models import Patent
from zhibao.patents.search import MAX_RESULT_WINDOW, IndexLockedError, PatentSearchEngine, get_engine

from .test_import_formats import GOOD, write_csv
from .test_search_engine import make_patent

pytestmark = pytest.mark.django_db


class Broken:
    publication_number = "CN000000001A"

    def __getattr__(self, name):
        raise RuntimeError("a record that cannot be indexed")


def test_a_failed_write_rolls_back_and_releases_the_lock(patent_index):
    engine = get_engine()
    with pytest.raises(RuntimeError):
        engine.index_patents([make_patent(), Broken()])
    other = PatentSearchEngine(patent_index, lock_timeout=0.2)  # would raise IndexLockedError if still held
    other.index_patents([make_patent()])
    other.commit()
    assert other.count("") == 1  # the failed batch left nothing behind


def test_deep_pages_are_clamped_to_the_result_window():
    engine = get_engine()
    engine.index_patents([make_patent() for _ in range(3)])
    engine.commit()
    result = engine.search("", page=10**12, page_size=20)
    assert result.page == MAX_RESULT_WINDOW // 20 and result.hits == []


def test_an_import_whose_index_is_locked_queues_a_sync(patent_index, tmp_path, django_capture_on_commit_callbacks):
    patent_index.mkdir(parents=True, exist_ok=True)
    get_engine().lock_timeout = 0.2
    with open(patent_index / "zhibao-writer.lock", "a+") as lock:  # another writer holds the index
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        with django_capture_on_commit_callbacks(execute=False), pytest.raises(IndexLockedError):
            patents_import(path=write_csv(tmp_path / "a.csv", GOOD), rejected_path=tmp_path / "r.csv", workers=0)
        fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
    assert Patent.objects.count() == len(GOOD)  # the database has the rows …
    assert get_engine().count("") == 0  # … the index does not
    job = Job.objects.get(name="patents.reindex")
    assert "since" in job.params
    job_execute(str(job.pk))
    assert get_engine().count("") == len(GOOD)

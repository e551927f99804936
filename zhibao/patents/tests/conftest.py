"""Every corpus test gets an empty search index of its own (the index lives outside the
database, so the test database's rollback does not clean it)."""

import pytest


@pytest.fixture(autouse=True)
def patent_index(settings, tmp_path):
    from zhibao.patents.search import reset_engine

    settings.PATENT_INDEX_DIR = tmp_path / "patent-index"
    reset_engine()
    yield settings.PATENT_INDEX_DIR
    reset_engine()

"""Every corpus test gets an empty search index of its own (the index lives outside the
database, so the test database's rollback does not clean it)."""

import pytest


@pytest.fixture(autouse=True)
def patent_index(patent_index):
    """Every test here gets a search index of its own (zhibao/conftest.py)."""
    return patent_index

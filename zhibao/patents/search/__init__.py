"""Patent search and analytics: one engine interface over a tantivy index (see engine.py)."""

from .engine import (
    ANALYTICS_DIMENSIONS,
    DEFAULT_FACETS,
    DIMENSIONS,
    MAX_RESULT_WINDOW,
    SORTS,
    Bucket,
    Hit,
    IndexLockedError,
    Matrix,
    PatentSearchEngine,
    SearchResult,
    get_engine,
    reset_engine,
)
from .query import QuerySyntaxError, parse_query
from .tokenize import tokenize

__all__ = [
    "ANALYTICS_DIMENSIONS", "DEFAULT_FACETS", "DIMENSIONS", "MAX_RESULT_WINDOW", "SORTS", "Bucket", "Hit", "IndexLockedError", "Matrix",
    "PatentSearchEngine", "QuerySyntaxError", "SearchResult", "get_engine", "parse_query", "reset_engine",
    "tokenize",
]

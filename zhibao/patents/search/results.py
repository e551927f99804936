"""What a search answers: hits, facet buckets, matrices, and the highlighting of hits.

Kept apart from the engine (engine.py) so that pages, API and exports can name these types
without the tantivy machinery.
"""

import datetime as dt
import functools
import html
import logging
import math
import re
from dataclasses import dataclass, field

from ..choices import ApplicantType, LegalStatus, PatentType
from .query import text_terms
from .tokenize import tokenize

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    count: int


@dataclass
class Hit:
    publication_number: str
    score: float
    title: str
    title_html: str
    abstract_html: str
    abstract: str
    applicants: list[str]
    inventors: list[str]
    ipc_main: str
    ipc_codes: list[str]
    patent_type: str
    legal_status: str
    application_number: str
    application_date: dt.date | None
    publication_date: dt.date | None
    grant_date: dt.date | None
    province: str
    city: str
    league_code: str
    applicant_type: str

    @property
    def first_applicant(self) -> str:
        return self.applicants[0] if self.applicants else ""

    @property
    def patent_type_label(self) -> str:
        return _label("type", self.patent_type)

    @property
    def legal_status_label(self) -> str:
        return _label("legal_status", self.legal_status)

    def as_dict(self) -> dict:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        for name in ("application_date", "publication_date", "grant_date"):
            data[name] = data[name].isoformat() if data[name] else None
        return data


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, list[Bucket]]
    took_ms: float
    page: int = 1
    page_size: int = 20
    sort: str = "relevance"

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size)) if self.page_size else 1


@dataclass
class Matrix:
    """`cells[i][j]` is the number of documents with rows[i] and columns[j]."""

    x: str
    y: str
    rows: list[Bucket]
    columns: list[Bucket]
    cells: list[list[int]] = field(default_factory=list)


# --- Labels -----------------------------------------------------------------------------------

_CHOICE_LABELS = {"type": PatentType, "legal_status": LegalStatus, "applicant_type": ApplicantType}
_label_cache: dict[tuple[str, str], str] = {}


def _label(dimension: str, key) -> str:
    choices = _CHOICE_LABELS.get(dimension)
    if choices is not None:
        try:
            return str(choices(key).label)
        except ValueError:
            return str(key)
    return _label_cache.get((dimension, str(key)), str(key))


def _load_labels(dimension: str, keys: list[str]) -> None:
    """IPC titles and league and banner names come from the database, once per key per process."""
    missing = [k for k in keys if (dimension, k) not in _label_cache]
    if not missing:
        return
    found: dict[str, str] = {}
    try:
        if dimension.startswith("ipc_"):
            from ..models import IpcCode

            found = dict(IpcCode.objects.filter(code__in=missing).values_list("code", "title"))
        elif dimension in ("league", "banner"):
            from zhibao.core.models import Region

            found = dict(Region.objects.filter(code__in=missing).values_list("code", "name"))
    except Exception:  # labels are decoration: a missing table must not break a search
        logger.debug("no labels for %s", dimension, exc_info=True)
        return
    for key in missing:
        title = found.get(key, "")
        _label_cache[(dimension, key)] = f"{key} {title[:30]}".strip() if dimension.startswith("ipc_") else (
            title or key)


def _buckets(dimension: str, raw: list[dict]) -> list[Bucket]:
    keys = [str(b["key"]) for b in raw]
    if dimension.startswith("ipc_") or dimension in ("league", "banner"):
        _load_labels(dimension, keys)
    return [Bucket(key, _label(dimension, key), int(b["doc_count"])) for key, b in zip(keys, raw, strict=True)]


# --- Highlighting -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _highlighter(terms: tuple[str, ...]) -> re.Pattern | None:
    words = sorted({w for w in terms if w.strip()}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def _highlight_terms(node) -> tuple[str, ...]:
    words: list[str] = []
    for value in text_terms(node):
        words.append(value.strip())
        words.extend(tokenize(value))
    return tuple(dict.fromkeys(w for w in words if w))


def highlight(text: str, pattern: re.Pattern | None) -> str:
    """HTML-escaped text with the query's words wrapped in <mark>."""
    if not text:
        return ""
    if pattern is None:
        return html.escape(text)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[last:match.start()]))
        out.append(f"<mark>{html.escape(match.group())}</mark>")
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def snippet(text: str, pattern: re.Pattern | None, width: int = 160) -> str:
    """A window of the abstract around the first hit (the start when there is none)."""
    if not text:
        return ""
    match = pattern.search(text) if pattern is not None else None
    start = max(0, match.start() - 40) if match else 0
    end = min(len(text), start + width)
    body = highlight(text[start:end], pattern)
    return ("…" if start else "") + body + ("…" if end < len(text) else "")


def _date(value) -> dt.date | None:
    if not value:
        return None
    return dt.date(value // 10000, value // 100 % 100, value % 100)



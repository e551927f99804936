"""The patent search engine: the one interface pages, API, exports, collections and jobs call.

It owns an on-disk tantivy index in settings.PATENT_INDEX_DIR. Writes (upserts, deletes, a
rebuild) take an exclusive fcntl lock in that directory, so a web request, an import job and a
`zhibao reindex` never write at the same time; a second writer waits up to
PATENT_INDEX_LOCK_TIMEOUT seconds, then fails with IndexLockedError. Readers never lock: each
search checks the index's meta.json (one stat) and reloads the searcher only when another
writer committed. Facets and analytics are tantivy aggregations over fast fields — one
aggregation call per request, never a Python loop over hits — which keeps the full analytics
set of a query over a million documents within ~100 ms.
"""

import bisect
import contextlib
import datetime as dt
import fcntl
import html
import json
import logging
import math
import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import tantivy
from django.conf import settings
from django.utils.translation import gettext as _

from . import tantivy_backend as backend
from .query import parse_query
from .results import (
    Bucket,
    Hit,
    Matrix,
    SearchResult,
    _buckets,
    _date,
    _highlight_terms,
    _highlighter,
    highlight,
    snippet,
)
from .tokenize import load_ipc_words, tokenize

logger = logging.getLogger(__name__)

DEFAULT_FACETS = ("year", "ipc_subclass", "applicant", "province", "type", "legal_status")
FACET_SIZE = 20
SORTS = {
    "relevance": (None, None),
    "application_date": ("ad", tantivy.Order.Asc),
    "-application_date": ("ad", tantivy.Order.Desc),
    "publication_date": ("pd", tantivy.Order.Asc),
    "-publication_date": ("pd", tantivy.Order.Desc),
}
# Aggregation dimension → fast field.
DIMENSIONS = {
    "year": "year", "applicant": "applicant", "ipc_subclass": "ipc_subclass", "ipc_group": "ipc_group",
    "ipc_section": "ipc_section", "province": "province", "city": "city", "league": "league", "banner": "banner",
    "type": "type", "legal_status": "status", "applicant_type": "applicant_type",
}
ANALYTICS_DIMENSIONS = ("year", "applicant", "ipc_subclass", "ipc_group", "ipc_section", "province", "league",
                        "banner", "type", "legal_status", "applicant_type")
ANALYTICS_MATRICES = (("year", "ipc_subclass"), ("applicant", "ipc_subclass"))
BATCH = 2000
# Deep pages cost the engine offset + page_size slots: nobody reads past the 10,000th hit, and
# an unbounded offset lets one request exhaust memory (exports use publication_numbers instead).
MAX_RESULT_WINDOW = 10_000
WRITER_HEAP = 256_000_000


class IndexLockedError(RuntimeError):
    """Another process (an import, a reindex) is writing the index."""



class PatentSearchEngine:
    def __init__(self, path: Path, *, lock_timeout: float | None = None):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.lock_timeout = lock_timeout if lock_timeout is not None else getattr(
            settings, "PATENT_INDEX_LOCK_TIMEOUT", 60)
        self.schema = backend.build_schema()
        self._writer = None
        self._lock_file = None
        self._check_version()
        self.index = tantivy.Index(self.schema, path=str(self.path))
        self.compiler = backend.Compiler(self.schema)
        self._meta_mtime = self._stat_meta()
        self._write_lock = threading.RLock()
        if getattr(settings, "PATENT_SEARCH_IPC_WORDS", True):
            load_ipc_words()

    # -- files and locks

    def _check_version(self) -> None:
        """An index written with another schema is discarded (a rebuild fills it again)."""
        marker = self.path / "zhibao-schema.json"
        version = {"schema": backend.SCHEMA_VERSION}
        if marker.exists():
            try:
                if json.loads(marker.read_text()) == version:
                    return
            except ValueError:
                pass
        if (self.path / "meta.json").exists():
            # Only the lock holder may empty it: an import or reindex may be writing right now.
            try:
                self._acquire()
            except IndexLockedError:
                logger.error("patent index at %s has an old schema and is being written; left as it is", self.path)
                return
            try:
                logger.warning("patent index at %s has an old schema: emptied, run `zhibao reindex`", self.path)
                for child in self.path.iterdir():
                    if child.name != "zhibao-writer.lock":
                        shutil.rmtree(child) if child.is_dir() else child.unlink()
                marker.write_text(json.dumps(version))
            finally:
                self._release()
            return
        marker.write_text(json.dumps(version))

    def _stat_meta(self) -> int:
        try:
            return os.stat(self.path / "meta.json").st_mtime_ns
        except FileNotFoundError:
            return 0

    def _acquire(self) -> None:
        lock_file = open(self.path / "zhibao-writer.lock", "a+")  # noqa: SIM115 (held until release)
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    lock_file.close()
                    raise IndexLockedError(
                        _("The patent index is being written by another process (an import or a reindex); "
                          "try again when it has finished.")
                    ) from None
                time.sleep(0.05)
        lock_file.seek(0)
        lock_file.truncate()
        lock_file.write(f"{os.getpid()}\n")
        lock_file.flush()
        self._lock_file = lock_file

    def _release(self) -> None:
        if self._lock_file is not None:
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    def writer(self):
        """The open writer, taking the lock first; released by commit() or rollback()."""
        with self._write_lock:
            if self._writer is None:
                self._acquire()
                try:
                    self._writer = self.index.writer(WRITER_HEAP, 1)
                except Exception:
                    self._release()
                    raise
            return self._writer

    def commit(self) -> None:
        """Publish pending writes, wait for merges, release the lock; readers see them next search."""
        with self._write_lock:
            if self._writer is None:
                return
            writer, self._writer = self._writer, None
            try:
                writer.commit()
                writer.wait_merging_threads()
            finally:
                del writer
                self._release()
            self._refresh(force=True)

    def rollback(self) -> None:
        with self._write_lock:
            if self._writer is None:
                return
            writer, self._writer = self._writer, None
            try:
                writer.rollback()
            finally:
                del writer
                self._release()

    def close(self) -> None:
        self.rollback()

    @contextlib.contextmanager
    def _rollback_on_error(self):
        """A write that fails half-way is rolled back and the lock released, so no writer is
        left holding the index (every other writer would wait for it, then fail)."""
        try:
            yield
        except BaseException:
            self.rollback()
            raise

    def _refresh(self, force: bool = False) -> None:
        mtime = self._stat_meta()
        if force or mtime != self._meta_mtime:
            self.index.reload()
            self._meta_mtime = mtime

    def searcher(self) -> tantivy.Searcher:
        self._refresh()
        return self.index.searcher()

    # -- writing

    def index_patents(self, patents: Iterable) -> int:
        """Upsert: each publication number's old document is deleted, the new one added.

        Call commit() afterwards (once per batch or at the end) to publish and release the lock.
        """
        writer = self.writer()
        count = 0
        with self._rollback_on_error():
            for patent in patents:
                writer.delete_documents_by_term("pn", patent.publication_number)
                writer.add_document(backend.patent_document(patent, self.schema))
                count += 1
        return count

    def index_values(self, items: Iterable[tuple[tuple, bool]]) -> int:
        """Add documents built from (tantivy_backend.index_values(record), is_update) pairs: an
        update's old document is deleted first, a new record has none to delete."""
        writer = self.writer()
        schema, build = self.schema, backend.document_from_values
        count = 0
        with self._rollback_on_error():
            for values, update in items:
                if update:
                    writer.delete_documents_by_term("pn", values[0])
                writer.add_document(build(values, schema))
                count += 1
        return count

    def delete(self, publication_numbers: Iterable[str], *, commit: bool = True) -> int:
        writer = self.writer()
        count = 0
        with self._rollback_on_error():
            for number in publication_numbers:
                writer.delete_documents_by_term("pn", number)
                count += 1
        if commit:
            self.commit()
        return count

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Re-create every document from the database, streaming (memory stays flat).

        The old documents stay searchable until the single commit at the end.
        """
        from ..models import Patent

        total = Patent.objects.count()
        writer = self.writer()
        try:
            writer.delete_all_documents()
            done = 0
            batch = []
            for patent in Patent.objects.order_by("pk").iterator(chunk_size=BATCH):
                batch.append(patent)
                if len(batch) >= BATCH:
                    done += self._add(writer, batch)
                    batch = []
                    if progress:
                        progress(done, total)
            done += self._add(writer, batch)
            if progress:
                progress(done, total)
        except BaseException:
            self.rollback()
            raise
        self.commit()
        return done

    def _add(self, writer, patents: list) -> int:
        for patent in patents:
            writer.add_document(backend.patent_document(patent, self.schema))
        return len(patents)

    def sync_since(self, since: dt.datetime) -> int:
        """Reindex the patents changed (updated_at) after `since`; commits. Returns the count."""
        from ..models import Patent

        count = 0
        batch = []
        for patent in Patent.objects.filter(updated_at__gt=since).order_by("pk").iterator(chunk_size=BATCH):
            batch.append(patent)
            if len(batch) >= BATCH:
                count += self.index_patents(batch)
                batch = []
        if batch:
            count += self.index_patents(batch)
        self.commit()
        return count

    # -- reading

    def build_query(self, q, filters: dict | None = None):
        """The tantivy query of a query string (or a tree search.query.parse_query made, such as
        navigation's union of many node queries) and facet filters; raises QuerySyntaxError."""
        node = parse_query(q or "") if q is None or isinstance(q, str) else q
        query = self.compiler.compile(node)
        extra = backend.filter_queries(self.schema, filters)
        if extra:
            query = tantivy.Query.boolean_query([(tantivy.Occur.Must, item) for item in [query, *extra]])
        return node, query

    def search(self, q: str, *, filters: dict | None = None, sort: str = "relevance", page: int = 1,
               page_size: int = 20, facets: Iterable[str] | None = DEFAULT_FACETS,
               highlight: bool = True) -> SearchResult:
        started = time.perf_counter()
        if sort not in SORTS:
            raise ValueError(f"unknown sort {sort!r}; known: {', '.join(SORTS)}")
        page_size = max(1, min(int(page_size), 1000))
        page = max(1, min(int(page), MAX_RESULT_WINDOW // page_size))
        node, query = self.build_query(q, filters)
        searcher = self.searcher()
        field_name, order = SORTS[sort]
        offset = (page - 1) * page_size
        if field_name:
            result = searcher.search(query, page_size, count=True, order_by_field=field_name, offset=offset,
                                     order=order)
        else:
            result = searcher.search(query, page_size, count=True, offset=offset)
        pattern = _highlighter(_highlight_terms(node)) if highlight else None
        hits = [self._hit(searcher, score, address, pattern, highlight, field_name is None)
                for score, address in result.hits]
        facet_buckets = self._facets(searcher, query, tuple(facets or ())) if result.count else {
            name: [] for name in (facets or ())}
        return SearchResult(
            query=q or "", total=result.count, hits=hits, facets=facet_buckets,
            took_ms=(time.perf_counter() - started) * 1000, page=page, page_size=page_size, sort=sort,
        )

    def _hit(self, searcher, score, address, pattern, with_html: bool, scored: bool) -> Hit:
        doc = searcher.doc(address)
        payload = json.loads(doc.get_first("payload"))
        title, abstract = payload["t"], payload["a"]
        return Hit(
            publication_number=doc.get_first("pn"),
            score=float(score) if scored else 0.0,
            title=title,
            title_html=highlight(title, pattern) if with_html else html.escape(title),
            abstract_html=snippet(abstract, pattern) if with_html else html.escape(abstract[:160]),
            abstract=abstract,
            applicants=payload["ap"], inventors=payload["in"], ipc_main=payload["im"], ipc_codes=payload["ic"],
            patent_type=payload["ty"], legal_status=payload["ls"], application_number=payload["an"],
            application_date=_date(payload["ad"]), publication_date=_date(payload["pd"]),
            grant_date=_date(payload["gd"]), province=payload["pr"], city=payload["ci"],
            league_code=payload["lg"], applicant_type=payload["at"],
        )

    def _facets(self, searcher, query, names: tuple[str, ...]) -> dict[str, list[Bucket]]:
        if not names:
            return {}
        aggs = {name: self._terms_agg(name, FACET_SIZE) for name in names}
        raw = searcher.aggregate(query, aggs)
        return {name: self._ordered(name, _buckets(name, raw[name]["buckets"]), descending_years=True)
                for name in names}

    @staticmethod
    def _terms_agg(dimension: str, size: int) -> dict:
        if dimension not in DIMENSIONS:
            raise ValueError(f"unknown dimension {dimension!r}; known: {', '.join(DIMENSIONS)}")
        if dimension == "year":
            size = max(size, 100)  # every year, then ordered by year
        return {"terms": {"field": DIMENSIONS[dimension], "size": size, "segment_size": max(size * 10, 200)}}

    @staticmethod
    def _ordered(dimension: str, buckets: list[Bucket], *, descending_years: bool = False) -> list[Bucket]:
        if dimension == "year":
            return sorted(buckets, key=lambda b: int(b.key), reverse=descending_years)
        return buckets

    def count(self, q: str, filters: dict | None = None) -> int:
        _, query = self.build_query(q, filters)
        return self.searcher().search(query, 1, count=True).count

    def publication_numbers(self, q: str, filters: dict | None = None, limit: int | None = None,
                            sort: str = "relevance") -> list[str]:
        """Every matching publication number (or the first `limit`), for exports and collections."""
        _, query = self.build_query(q, filters)
        searcher = self.searcher()
        if limit is None:
            limit = searcher.search(query, 1, count=True).count
        if limit <= 0:
            return []
        field_name, order = SORTS[sort]
        if field_name:
            result = searcher.search(query, limit, count=False, order_by_field=field_name, order=order)
        else:
            result = searcher.search(query, limit, count=False)
        return [searcher.doc(address).get_first("pn") for _, address in result.hits]

    def publication_number_set(self, q, filters: dict | None = None) -> list[str]:
        """Every matching publication number, sorted — a navigation snapshot's patent set.

        Read from the column store, not from the stored documents: one search ordered by the
        `pn_code` fast field answers every hit's packed number as its sort key, unpacked in
        Python (tantivy_backend.pn_code); the rare number that does not pack (code 0) is read
        from its document. Measured on 200,000 generated records for 47,400 hits (bench/
        navigation_run.py): this ~60 ms, a terms aggregation on the `pn` fast field ~120 ms
        (and tantivy refuses one of more than 65,000 buckets), fetching each document ~1,000 ms.
        """
        _, query = self.build_query(q, filters)
        searcher = self.searcher()
        total = searcher.search(query, 1, count=True).count
        if total == 0:
            return []
        hits = searcher.search(query, total, count=False, order_by_field="pn_code", order=tantivy.Order.Asc).hits
        codes = [code for code, _ in hits]
        unpacked = bisect.bisect_right(codes, 0)  # ascending: the numbers that did not pack come first
        numbers = backend.pn_decode(codes[unpacked:])
        numbers.extend(searcher.doc(address).get_first("pn") for _, address in hits[:unpacked])
        numbers.sort()
        return numbers

    def aggregate_raw(self, q: str, aggs: dict, *, filters: dict | None = None) -> tuple[int, dict]:
        """(hit count, tantivy's aggregation result) of a query and a dict of aggregations in
        tantivy's (Elasticsearch-style) JSON form, over the fast fields of DIMENSIONS,
        tantivy_backend.COUNT_FIELDS, `year`, `ad`, `gd` and `key`: many figures in one pass."""
        _, query = self.build_query(q, filters)
        searcher = self.searcher()
        total = searcher.search(query, 1, count=True).count
        if not total or not aggs:
            return total, {}
        return total, searcher.aggregate(query, aggs)

    def co_applicants(self, q, names: list[str], *, filters: dict | None = None) -> dict[tuple[str, str], int]:
        """{(a, b): patents a and b applied for together} among `names` (a before b in their
        order), for the hits of a query: one aggregation over the co-applied hits only (the
        `applicant_n` fast field), each of the names a bucket with the others as sub-buckets."""
        names = list(dict.fromkeys(n for n in names if n))
        if len(names) < 2:
            return {}
        _, query = self.build_query(q, filters)
        Query, Occur = tantivy.Query, tantivy.Occur
        co_applied = Query.boolean_query([
            (Occur.Must, query),
            (Occur.Must, Query.range_query(self.schema, "applicant_n", tantivy.FieldType.Unsigned, 2, None)),
        ])
        size = len(names)
        raw = self.searcher().aggregate(co_applied, {"net": {
            "terms": {"field": "applicant", "size": size, "segment_size": size, "include": names},
            "aggs": {"co": {"terms": {"field": "applicant", "size": size, "segment_size": size, "include": names}}}}})
        rank = {name: i for i, name in enumerate(names)}
        pairs: dict[tuple[str, str], int] = {}
        for bucket in raw["net"]["buckets"]:
            source = bucket["key"]
            for co in bucket["co"]["buckets"]:
                target = co["key"]
                if target != source:
                    pair = (source, target) if rank[source] < rank[target] else (target, source)
                    pairs[pair] = max(pairs.get(pair, 0), int(co["doc_count"]))
        return pairs

    def key_patents(self, q: str, limit: int = 20, *, filters: dict | None = None) -> list[dict]:
        """The hits with the highest key score (tantivy_backend.key_score), best first: one
        search ordered by the `key` fast field; the indicators come from the fast fields."""
        _, query = self.build_query(q, filters)
        searcher = self.searcher()
        result = searcher.search(query, max(1, int(limit)), count=False, order_by_field=backend.KEY_FIELD,
                                 order=tantivy.Order.Desc)
        addresses = [address for _, address in result.hits]
        if not addresses:
            return []
        columns = {name: searcher.fast_field_values(name, addresses) for name in backend.COUNT_FIELDS.values()}
        rows = []
        for i, (score, address) in enumerate(result.hits):
            doc = searcher.doc(address)
            payload = json.loads(doc.get_first("payload"))
            date = _date(payload["ad"])
            rows.append({
                "publication_number": doc.get_first("pn"), "title": payload["t"],
                "first_applicant": payload["ap"][0] if payload["ap"] else "",
                "application_date": date.isoformat() if date else "", "patent_type": payload["ty"],
                "legal_status": payload["ls"],
                **{name: int(values[i] or 0) for name, values in columns.items()},
                "score": float(score),
            })
        return rows

    def get(self, publication_number: str) -> Hit | None:
        searcher = self.searcher()
        result = searcher.search(tantivy.Query.term_query(self.schema, "pn", publication_number), 1)
        if not result.hits:
            return None
        return self._hit(searcher, 0.0, result.hits[0][1], None, False, False)

    # -- analytics

    def aggregate(self, q: str, by: str, *, size: int = 20, filters: dict | None = None) -> list[Bucket]:
        """Document counts per value of a dimension (years in order, others by count)."""
        _, query = self.build_query(q, filters)
        raw = self.searcher().aggregate(query, {"agg": self._terms_agg(by, size)})
        return self._ordered(by, _buckets(by, raw["agg"]["buckets"]))

    def _matrix_aggs(self, x: str, y: str, size_x: int, size_y: int) -> dict:
        inner = self._terms_agg(y, max(size_y * 20, 500))
        outer = self._terms_agg(x, size_x)
        outer["aggs"] = {"y": inner}
        return {"rows": outer, "columns": self._terms_agg(y, size_y)}

    def _matrix_from(self, x: str, y: str, raw_rows: list[dict], raw_columns: list[dict], size_y: int) -> Matrix:
        rows = self._ordered(x, _buckets(x, raw_rows))
        columns = self._ordered(y, _buckets(y, raw_columns[:size_y] if y == "year" else raw_columns))
        counts = {str(r["key"]): {str(c["key"]): c["doc_count"] for c in r["y"]["buckets"]} for r in raw_rows}
        cells = [[int(counts.get(row.key, {}).get(col.key, 0)) for col in columns] for row in rows]
        return Matrix(x=x, y=y, rows=rows, columns=columns, cells=cells)

    def matrix(self, q: str, x: str, y: str, *, size_x: int = 20, size_y: int = 10,
               filters: dict | None = None) -> Matrix:
        """Rows = the top values of x, columns = the top values of y, cells = co-occurrence counts."""
        _, query = self.build_query(q, filters)
        raw = self.searcher().aggregate(query, self._matrix_aggs(x, y, size_x, size_y))
        return self._matrix_from(x, y, raw["rows"]["buckets"], raw["columns"]["buckets"], size_y)

    def analytics(self, q: str, filters: dict | None = None, *, size: int = 20) -> dict:
        """Every dimension and both matrices of one query in a single aggregation pass."""
        started = time.perf_counter()
        _, query = self.build_query(q, filters)
        searcher = self.searcher()
        aggs = {f"by_{name}": self._terms_agg(name, size) for name in ANALYTICS_DIMENSIONS}
        for x, y in ANALYTICS_MATRICES:
            for key, agg in self._matrix_aggs(x, y, 20, 10).items():
                aggs[f"m_{x}_{y}_{key}"] = agg
        total = searcher.search(query, 1, count=True).count
        raw = searcher.aggregate(query, aggs)
        result: dict = {"total": total}
        for name in ANALYTICS_DIMENSIONS:
            result[name] = self._ordered(name, _buckets(name, raw[f"by_{name}"]["buckets"]))
        for x, y in ANALYTICS_MATRICES:
            result[f"{x}_x_{y}"] = self._matrix_from(
                x, y, raw[f"m_{x}_{y}_rows"]["buckets"], raw[f"m_{x}_{y}_columns"]["buckets"], 10)
        result["took_ms"] = (time.perf_counter() - started) * 1000
        return result

    def more_like_this(self, publication_number: str, limit: int = 10) -> list[Hit]:
        """Patents sharing the document's most distinctive title and abstract words (tf·idf)."""
        searcher = self.searcher()
        own = tantivy.Query.term_query(self.schema, "pn", publication_number)
        found = searcher.search(own, 1)
        if not found.hits:
            return []
        payload = json.loads(searcher.doc(found.hits[0][1]).get_first("payload"))
        counts = Counter(tokenize(payload["t"]) * 2 + tokenize(payload["a"]))
        total_docs = max(searcher.num_docs, 1)
        scored = []
        for term, tf in counts.items():
            if len(term) < 2 and term.isascii():
                continue
            df = searcher.doc_freq("title", term) + searcher.doc_freq("abstract", term)
            if df <= 1:
                continue  # only in this document: nothing to share
            scored.append((tf * math.log(1 + total_docs / df), term))
        terms = [term for _, term in sorted(scored, reverse=True)[:15]]
        if not terms:
            return []
        Query, Occur = tantivy.Query, tantivy.Occur
        clauses = []
        for term in terms:
            clauses.append((Occur.Should, Query.boost_query(Query.term_query(self.schema, "title", term), 2.0)))
            clauses.append((Occur.Should, Query.term_query(self.schema, "abstract", term)))
        clauses.append((Occur.MustNot, own))
        result = searcher.search(Query.boolean_query(clauses), limit)
        return [self._hit(searcher, score, address, None, False, True) for score, address in result.hits]


_engines: dict[str, PatentSearchEngine] = {}
_engines_lock = threading.Lock()


def get_engine() -> PatentSearchEngine:
    """The process's engine for settings.PATENT_INDEX_DIR (one per directory)."""
    key = str(Path(settings.PATENT_INDEX_DIR).resolve())
    engine = _engines.get(key)
    if engine is None:
        with _engines_lock:
            engine = _engines.get(key)
            if engine is None:
                engine = _engines[key] = PatentSearchEngine(Path(key))
    return engine


def reset_engine() -> None:
    """Forget every engine (releasing any writer lock): tests point PATENT_INDEX_DIR elsewhere."""
    with _engines_lock:
        for engine in _engines.values():
            try:
                engine.close()
            except Exception:
                logger.exception("closing the patent index at %s", engine.path)
        _engines.clear()

"""Supply–demand matching (供需对接): patents of the convertible pool ranked for a demand, and back.

The engine knows nothing of models: it indexes plain documents (`PoolDoc`: a key, a title, an
abstract, IPC codes, an optional grade) and answers plain text, so the same class serves both
directions — a pool index answers "which patents for this demand", a demand index (demands are
documents too, with the IPC codes `infer_ipc` gives them) answers "which demands for this
patent". Jobs build an index and `save` it (numpy .npz, no pickle); web processes `load` it.

A match's score is the sum of three parts, each kept so a page can say why:

* ``text`` — BM25 (k1 = `BM25_K1`, b = `BM25_B`; title terms count `TITLE_WEIGHT` times) of the
  query's rjieba tokens (search mode, the corpus index's `tokenize_index`, fillers dropped), as
  a share of the best text match of the pool, times `TEXT_WEIGHT`;
* ``ipc`` — how much of the query's IPC profile the patent's subclasses cover, times
  `IPC_WEIGHT`. A patent as a query brings its own codes; a demand brings none, so its profile
  is inferred from the pool: the subclasses of the top `FEEDBACK_DOCS` text matches weighted by
  their BM25 score (pseudo-relevance feedback), blended with a term → subclass association
  learned from the pool's classified documents (`ASSOCIATION_SHARE`);
* ``grade`` — the patent's grade (0–1, from the grading model) times `GRADE_WEIGHT`, only for a
  patent that matched on text or IPC, so a good grade orders relevant patents and never lifts
  an unrelated one.

`exclude` leaves documents out as if they were not in the pool: out of the results, the
feedback and the learned association (so a held-out patent's own labels never help find it).

Measured on the 4,873 real dev titles (bench/matching.py, each title held out as the demand,
relevant = a pool patent sharing a subclass) and on a 100,000-patent synthetic pool: see the
table in the bench's docstring.
"""

from __future__ import annotations

import json
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhibao.patents.search.tokenize import STOP_WORDS, tokenize_index

FORMAT_VERSION = 1
BM25_K1 = 1.2
BM25_B = 0.75
TITLE_WEIGHT = 2.0  # a title term counts as two abstract terms: the title states the invention
TEXT_WEIGHT = 1.0
IPC_WEIGHT = 2.0  # see the bench: more favours the subclass further, less the shared words
GRADE_WEIGHT = 0.05
FEEDBACK_DOCS = 20  # text matches whose subclasses make a demand's inferred IPC profile
ASSOCIATION_SHARE = 0.5  # the learned term → subclass association's share of the profile
PROFILE_SUBCLASSES = 5  # a profile keeps its strongest subclasses only: the tail is noise
CHUNK = 64  # queries scored together by match_many between progress reports

# The parts of a score, as a page names them when it explains a match.
PART_LABELS = {
    "text": gettext_lazy("Shared technical terms"),
    "ipc": gettext_lazy("IPC classification overlap"),
    "grade": gettext_lazy("Patent grade"),
}

_SUBCLASS = re.compile(r"^[A-H]\d\d[A-Z]$")


@dataclass(frozen=True)
class PoolDoc:
    """One document to index: a pool patent (or a demand, for the inverse direction).

    `grade` is the grading model's score scaled to 0–1 (None: not graded, no bonus)."""

    key: str
    title: str
    abstract: str = ""
    ipc_codes: Sequence[str] = ()
    grade: float | None = None


@dataclass(frozen=True)
class Match:
    """A ranked document and why: `parts` (text, ipc, grade) add up to `score`; `shared_terms`
    are the query tokens the document contains, strongest first; `ipc_overlap` the subclasses
    it shares with the query's (given or inferred) profile."""

    key: str
    score: float
    shared_terms: tuple[str, ...]
    ipc_overlap: tuple[str, ...]
    parts: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Query:
    """One query of a batch (`match_many`): text, optional IPC codes, keys to leave out."""

    text: str
    ipc_codes: Sequence[str] | Mapping[str, float] | None = None
    exclude: Sequence[str] = ()


def terms_of(text: str) -> list[str]:
    """The matching tokens of a text: search-mode rjieba tokens (a long word and its sub-words,
    so 锂离子电池 in a patent meets 电池 in a demand), fillers and single Latin letters dropped."""
    return [
        t for t in tokenize_index(text or "") if t not in STOP_WORDS and not (len(t) == 1 and t.isascii())
    ]


def subclasses_of(codes: Iterable[str]) -> list[str]:
    """The distinct IPC subclasses (H01M …) of codes such as "H01M 4/525", in order; codes
    that do not start with a subclass are ignored."""
    out = []
    for code in codes or ():
        sub = str(code).replace(" ", "")[:4].upper()
        if _SUBCLASS.match(sub) and sub not in out:
            out.append(sub)
    return out


def _csr(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, n_rows: int):
    """(indptr, cols, vals) grouped by row, original order kept within a row (a stable sort)."""
    order = np.argsort(rows, kind="stable")
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
    return indptr, cols[order], vals[order]


class PoolIndex:
    """An inverted index of documents with BM25 weights, their subclasses and grades, and the
    term → subclass association learned from them. Build with `build`, or `load` a saved one."""

    def __init__(self, arrays: Mapping[str, np.ndarray], meta: dict):
        self.keys = arrays["keys"]
        self.vocabulary = arrays["vocabulary"]
        self.term_indptr = arrays["term_indptr"]  # postings of a term: docs ascending, BM25 weights
        self.post_docs = arrays["post_docs"]
        self.post_weights = arrays["post_weights"]
        self.idf = arrays["idf"]
        self.subclasses = arrays["subclasses"]
        self.sub_indptr = arrays["sub_indptr"]  # a doc's subclasses
        self.sub_indices = arrays["sub_indices"]
        self.grades = arrays["grades"]  # NaN: not graded
        self.assoc_indptr = arrays["assoc_indptr"]  # a term's subclasses, counted over its docs
        self.assoc_subs = arrays["assoc_subs"]
        self.assoc_counts = arrays["assoc_counts"]
        self.labelled_df = arrays["labelled_df"]  # a term's classified documents
        self.meta = meta
        self._term_ids = {t: i for i, t in enumerate(self.vocabulary.tolist())}
        self._sub_ids = {s: i for i, s in enumerate(self.subclasses.tolist())}
        self._key_ids: dict[str, int] | None = None
        self._doc_of_sub = np.repeat(np.arange(len(self.keys), dtype=np.int32), np.diff(self.sub_indptr))
        self._graded = np.nan_to_num(self.grades, nan=0.0).astype(np.float32)

    def __len__(self) -> int:
        return len(self.keys)

    # -- building and storing ----------------------------------------------------------------
    @classmethod
    def build(
        cls, docs: Iterable[PoolDoc | tuple], *, progress: Callable[[int], None] | None = None
    ) -> PoolIndex:
        """Index documents (PoolDoc, or tuples in its field order). `progress(done)` is called
        every 10,000 documents. Keys must be unique."""
        vocabulary: dict[str, int] = {}
        keys, grades, lengths = [], [], []
        # compact buffers, not lists: a 100,000-patent pool has millions of (doc, term) pairs
        doc_rows, term_cols, tfs = array("i"), array("q"), array("f")
        sub_ids: dict[str, int] = {}
        sub_rows, sub_cols = array("q"), array("i")
        for n, doc in enumerate(docs):
            if not isinstance(doc, PoolDoc):
                doc = PoolDoc(*doc)
            keys.append(str(doc.key))
            grades.append(np.nan if doc.grade is None else float(doc.grade))
            counts: Counter = Counter()
            for term in terms_of(doc.title):
                counts[term] += TITLE_WEIGHT
            for term in terms_of(doc.abstract):
                counts[term] += 1.0
            lengths.append(sum(counts.values()))
            doc_rows.extend([n] * len(counts))
            term_cols.extend([vocabulary.setdefault(term, len(vocabulary)) for term in counts])
            tfs.extend(counts.values())
            for sub in subclasses_of(doc.ipc_codes):
                sub_rows.append(n)
                sub_cols.append(sub_ids.setdefault(sub, len(sub_ids)))
            if progress and (n + 1) % 10_000 == 0:
                progress(n + 1)
        if len(set(keys)) != len(keys):
            raise ValueError(_("Matching index: document keys must be unique."))
        return cls(
            _arrays(keys, grades, vocabulary, sub_ids, doc_rows, term_cols, tfs, lengths, sub_rows, sub_cols),
            {"version": FORMAT_VERSION, "documents": len(keys), "terms": len(vocabulary)},
        )

    def save(self, path: Path | str) -> None:
        """Write the index to one .npz file (arrays only: loading runs no stored code)."""
        arrays = {name: getattr(self, name) for name in _STORED}
        np.savez(Path(path), meta=np.array(json.dumps(self.meta)), **arrays)

    @classmethod
    def load(cls, path: Path | str) -> PoolIndex:
        """Read an index `save` wrote; ValueError when the file is of another format version."""
        with np.load(Path(path), allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("version") != FORMAT_VERSION:
                raise ValueError(_("Matching index file of an unknown format version: rebuild it."))
            return cls({name: data[name] for name in _STORED}, meta)

    # -- matching ----------------------------------------------------------------------------
    def match(
        self,
        text: str,
        *,
        ipc_codes: Sequence[str] | Mapping[str, float] | None = None,
        limit: int = 20,
        exclude: Iterable[str] = (),
    ) -> list[Match]:
        """The documents best matching a text (a demand's title and description, or a patent's
        title and abstract), best first, at most `limit`. `ipc_codes` (codes, or subclass →
        weight) replaces the inferred IPC profile; `exclude` holds keys to leave out. A text
        with no known term and no IPC codes matches nothing: an empty list."""
        excluded = self._indices(exclude)
        term_ids = self._query_terms(text)
        text_scores = self._text_scores(term_ids, excluded)
        profile = self._profile(term_ids, text_scores, excluded, ipc_codes)
        ipc_scores = self._ipc_scores(profile, excluded)
        total = self._total(text_scores, ipc_scores)
        relevant = int(np.count_nonzero(total))
        top = top_indices(total, min(limit, relevant))
        return [self._explain(int(d), term_ids, text_scores, ipc_scores, profile) for d in top]

    def score_parts(self, text: str, *, ipc_codes=None, exclude: Iterable[str] = ()) -> dict[str, np.ndarray]:
        """Every document's score parts (text, ipc, grade; weighted, 0 for a document that did not
        match), as arrays in index order: what `match` ranks, for evaluations that need the rank
        of any document, and for the plain-BM25 comparison (the text part alone)."""
        excluded = self._indices(exclude)
        term_ids = self._query_terms(text)
        text_scores = self._text_scores(term_ids, excluded)
        ipc_scores = self._ipc_scores(self._profile(term_ids, text_scores, excluded, ipc_codes), excluded)
        relevant = (text_scores > 0) | (ipc_scores > 0)
        return {
            "text": TEXT_WEIGHT * text_scores,
            "ipc": IPC_WEIGHT * ipc_scores,
            "grade": GRADE_WEIGHT * self._graded * relevant,
        }

    def match_many(
        self,
        queries: Sequence[Query | str],
        *,
        limit: int = 20,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[list[Match]]:
        """`match` for each query (a Query or a plain text), in order; `progress(done, total)`
        after each chunk of `CHUNK` queries, for the job's progress bar.

        Each query is already a few whole-pool numpy operations (a bincount of its postings,
        one of its profile over the documents' subclasses), so a chunked sparse matrix product
        would gain little here (400 demands × 100,000 patents take seconds, see the bench) and
        would need scipy; one code path also keeps the batch identical to single matches."""
        results: list[list[Match]] = []
        total = len(queries)
        for start in range(0, total, CHUNK):
            for query in queries[start : start + CHUNK]:
                if isinstance(query, str):
                    query = Query(query)
                results.append(
                    self.match(query.text, ipc_codes=query.ipc_codes, limit=limit, exclude=query.exclude)
                )
            if progress:
                progress(len(results), total)
        if progress and total == 0:
            progress(0, 0)
        return results

    def infer_ipc(self, text: str, *, limit: int = 5, exclude: Iterable[str] = ()) -> list[tuple[str, float]]:
        """The IPC subclasses a text most likely belongs to, as the pool sees it: (subclass,
        weight) pairs, weights summing to at most 1. Gives demands the codes a demand index
        needs to match patents back by IPC."""
        excluded = self._indices(exclude)
        term_ids = self._query_terms(text)
        profile = self._profile(term_ids, self._text_scores(term_ids, excluded), excluded, None)
        order = np.argsort(-profile, kind="stable")[:limit]
        return [(str(self.subclasses[s]), float(profile[s])) for s in order if profile[s] > 0]

    # -- the parts of a score ----------------------------------------------------------------
    def _indices(self, keys: Iterable[str]) -> np.ndarray:
        keys = list(keys or ())
        if not keys:
            return np.zeros(0, dtype=np.int64)
        if self._key_ids is None:
            self._key_ids = {k: i for i, k in enumerate(self.keys.tolist())}
        return np.array(
            sorted({self._key_ids[k] for k in map(str, keys) if k in self._key_ids}), dtype=np.int64
        )

    def _query_terms(self, text: str) -> np.ndarray:
        ids = {self._term_ids[t] for t in terms_of(text) if t in self._term_ids}
        return np.array(sorted(ids), dtype=np.int64)

    def _postings(self, term_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The concatenated postings (docs, BM25 weights) of the terms."""
        if len(term_ids) == 0:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        starts, ends = self.term_indptr[term_ids], self.term_indptr[term_ids + 1]
        if len(term_ids) == 1:
            return self.post_docs[starts[0] : ends[0]], self.post_weights[starts[0] : ends[0]]
        positions = np.concatenate(
            [np.arange(a, b) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
        )
        return self.post_docs[positions], self.post_weights[positions]

    def _text_scores(self, term_ids: np.ndarray, excluded: np.ndarray) -> np.ndarray:
        """BM25 of every document for the query terms, as a share of the best (0 when none)."""
        docs, weights = self._postings(term_ids)
        scores = np.bincount(docs, weights=weights, minlength=len(self.keys)).astype(np.float32)
        scores[excluded] = 0.0
        best = scores.max() if len(scores) else 0.0
        if best > 0:
            scores /= best
        return scores

    def _profile(self, term_ids, text_scores, excluded, ipc_codes) -> np.ndarray:
        """The query's IPC profile: weights over the index's subclasses summing to ≤ 1."""
        profile = np.zeros(len(self.subclasses), dtype=np.float64)
        given = _given_profile(ipc_codes)
        if given:  # a patent's own codes (or a suggester's weights) say it better than inference
            total = sum(given.values())
            for sub, weight in given.items():
                if sub in self._sub_ids:
                    profile[self._sub_ids[sub]] = weight / total
            return profile
        if len(term_ids) == 0 or len(self.subclasses) == 0:
            return profile
        feedback = self._feedback_profile(text_scores)
        association = self._association_profile(term_ids, excluded)
        profile = (1 - ASSOCIATION_SHARE) * feedback + ASSOCIATION_SHARE * association
        if PROFILE_SUBCLASSES and np.count_nonzero(profile) > PROFILE_SUBCLASSES:
            cut = np.partition(profile, -PROFILE_SUBCLASSES)[-PROFILE_SUBCLASSES]
            profile[profile < cut] = 0.0
        total = profile.sum()
        return profile / total if total > 0 else profile

    def _feedback_profile(self, text_scores: np.ndarray) -> np.ndarray:
        """Subclasses of the best text matches, weighted by their text score, summing to 1."""
        profile = np.zeros(len(self.subclasses), dtype=np.float64)
        k = min(FEEDBACK_DOCS, int(np.count_nonzero(text_scores)))
        if k == 0:
            return profile
        top = np.argpartition(-text_scores, k - 1)[:k]
        for d in top.tolist():
            subs = self.sub_indices[self.sub_indptr[d] : self.sub_indptr[d + 1]]
            if len(subs):
                profile[subs] += float(text_scores[d]) / len(subs)
        total = profile.sum()
        return profile / total if total > 0 else profile

    def _association_profile(self, term_ids: np.ndarray, excluded: np.ndarray) -> np.ndarray:
        """Σ over query terms of idf × P(subclass | term), P counted over the classified
        documents holding the term, less the excluded documents' own counts; summing to 1."""
        profile = np.zeros(len(self.subclasses), dtype=np.float64)
        for t in term_ids.tolist():
            a, b = self.assoc_indptr[t], self.assoc_indptr[t + 1]
            if a == b:
                continue
            counts = self.assoc_counts[a:b].astype(np.float64)
            df = float(self.labelled_df[t])
            if len(excluded):
                counts, df = self._without(t, self.assoc_subs[a:b], counts, df, excluded)
            if df <= 0:
                continue
            profile[self.assoc_subs[a:b]] += self.idf[t] * counts / df
        total = profile.sum()
        return profile / total if total > 0 else profile

    def _without(self, t, subs, counts, df, excluded):
        """A term's association counts with the excluded documents' contributions taken out."""
        docs = self.post_docs[self.term_indptr[t] : self.term_indptr[t + 1]]
        hits = excluded[np.isin(excluded, docs, assume_unique=True)]
        counts = counts.copy()
        for d in hits.tolist():
            own = self.sub_indices[self.sub_indptr[d] : self.sub_indptr[d + 1]]
            if len(own):
                counts[np.isin(subs, own)] -= 1.0
                df -= 1.0
        return counts, df

    def _ipc_scores(self, profile: np.ndarray, excluded: np.ndarray) -> np.ndarray:
        """The profile's weight on each document's subclasses, summed (at most 1)."""
        if not profile.any():
            return np.zeros(len(self.keys), dtype=np.float32)
        scores = np.bincount(self._doc_of_sub, weights=profile[self.sub_indices], minlength=len(self.keys))
        scores = scores.astype(np.float32)
        scores[excluded] = 0.0
        return scores

    def _total(self, text_scores: np.ndarray, ipc_scores: np.ndarray) -> np.ndarray:
        """The weighted sum; the grade counts only for a document that matched on text or IPC."""
        relevant = (text_scores > 0) | (ipc_scores > 0)
        return TEXT_WEIGHT * text_scores + IPC_WEIGHT * ipc_scores + GRADE_WEIGHT * self._graded * relevant

    def _explain(self, d, term_ids, text_scores, ipc_scores, profile) -> Match:
        parts = {
            "text": TEXT_WEIGHT * float(text_scores[d]),
            "ipc": IPC_WEIGHT * float(ipc_scores[d]),
            "grade": GRADE_WEIGHT * float(self._graded[d]),
        }
        shared = []
        for t in term_ids.tolist():
            a, b = self.term_indptr[t], self.term_indptr[t + 1]
            i = a + int(np.searchsorted(self.post_docs[a:b], d))
            if i < b and self.post_docs[i] == d:
                shared.append((-float(self.post_weights[i]), str(self.vocabulary[t])))
        own = self.sub_indices[self.sub_indptr[d] : self.sub_indptr[d + 1]]
        overlap = tuple(
            str(self.subclasses[s]) for s in sorted(own.tolist(), key=lambda s: -profile[s]) if profile[s] > 0
        )
        return Match(
            key=str(self.keys[d]),
            score=parts["text"] + parts["ipc"] + parts["grade"],
            shared_terms=tuple(term for _w, term in sorted(shared)),
            ipc_overlap=overlap,
            parts=parts,
        )


def _given_profile(ipc_codes) -> dict[str, float]:
    """Subclass → positive weight of the codes a query brings (codes, or subclass → weight)."""
    if ipc_codes is None:
        return {}
    if not isinstance(ipc_codes, Mapping):
        return dict.fromkeys(subclasses_of(ipc_codes), 1.0)
    given: dict[str, float] = {}
    for code, weight in ipc_codes.items():
        for sub in subclasses_of([code]):
            if weight and float(weight) > 0:
                given[sub] = given.get(sub, 0.0) + float(weight)
    return given


_STORED = (
    "keys",
    "vocabulary",
    "term_indptr",
    "post_docs",
    "post_weights",
    "idf",
    "subclasses",
    "sub_indptr",
    "sub_indices",
    "grades",
    "assoc_indptr",
    "assoc_subs",
    "assoc_counts",
    "labelled_df",
)


def _arrays(keys, grades, vocabulary, sub_ids, doc_rows, term_cols, tfs, lengths, sub_rows, sub_cols) -> dict:
    """The stored arrays of an index from the (doc, term, tf) and (doc, subclass) lists."""
    n_docs, n_terms = len(keys), len(vocabulary)
    rows = np.frombuffer(doc_rows, dtype=np.int32) if len(doc_rows) else np.zeros(0, dtype=np.int32)
    cols = np.frombuffer(term_cols, dtype=np.int64) if len(term_cols) else np.zeros(0, dtype=np.int64)
    tf = np.frombuffer(tfs, dtype=np.float32) if len(tfs) else np.zeros(0, dtype=np.float32)
    lengths = np.array(lengths, dtype=np.float32)
    df = np.bincount(cols, minlength=n_terms).astype(np.float64)
    idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)  # BM25's, never negative
    mean_length = float(lengths.mean()) if n_docs and lengths.mean() > 0 else 1.0
    norm = BM25_K1 * (1.0 - BM25_B + BM25_B * lengths[rows] / mean_length)
    weights = (idf[cols] * tf * (BM25_K1 + 1.0) / (tf + norm)).astype(np.float32)
    # postings by term; the (doc, term) pairs arrive in doc order, so docs ascend within a term
    term_indptr, post_docs, post_weights = _csr(cols, rows, weights, n_terms)
    srows = np.array(sub_rows, dtype=np.int64)
    scols = np.array(sub_cols, dtype=np.int32)
    sub_indptr, sub_indices, _ = _csr(srows, scols, np.zeros(len(scols), dtype=np.int8), n_docs)
    assoc = _association(rows, cols, sub_indptr, sub_indices, n_terms, len(sub_ids))
    return {
        "keys": np.array(keys, dtype=str),
        "vocabulary": np.array(list(vocabulary), dtype=str),
        "term_indptr": term_indptr,
        "post_docs": post_docs.astype(np.int32),
        "post_weights": post_weights,
        "idf": idf,
        "subclasses": np.array(list(sub_ids), dtype=str),
        "sub_indptr": sub_indptr,
        "sub_indices": sub_indices.astype(np.int32),
        "grades": np.array(grades, dtype=np.float32),
        **assoc,
    }


def _association(rows, cols, sub_indptr, sub_indices, n_terms, n_subs) -> dict:
    """For each term, how many classified documents holding it carry each subclass (a sparse
    term × subclass count matrix), and how many classified documents hold it."""
    per_doc = np.diff(sub_indptr)
    labelled = per_doc[rows] > 0
    labelled_df = np.bincount(cols[labelled], minlength=n_terms).astype(np.float32)
    # one (term, subclass) pair per term of a document and subclass of that document
    repeat = per_doc[rows]
    pair_terms = np.repeat(cols, repeat)
    starts = np.repeat(sub_indptr[rows], repeat)
    offsets = np.arange(len(pair_terms)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    pair_subs = sub_indices[starts + offsets].astype(np.int64)
    codes, counts = np.unique(pair_terms * max(n_subs, 1) + pair_subs, return_counts=True)
    terms, subs = codes // max(n_subs, 1), codes % max(n_subs, 1)
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(np.bincount(terms, minlength=n_terms), out=indptr[1:])
    return {
        "assoc_indptr": indptr,
        "assoc_subs": subs.astype(np.int32),
        "assoc_counts": counts.astype(np.float32),
        "labelled_df": labelled_df,
    }


def rank_groups(
    matches: Iterable[Match], group_of: Callable[[str], str | None], *, limit: int = 10
) -> list[tuple[str, float, list[str]]]:
    """Matches gathered by group (a demand's enterprise, a patent's holder): (group, best score
    plus a tenth of the others', keys best first), best group first. A group with several good
    matches ranks above one lucky hit, but one strong match still beats many weak ones."""
    groups: dict[str, list[Match]] = {}
    for m in matches:
        g = group_of(m.key)
        if g:
            groups.setdefault(g, []).append(m)
    ranked = []
    for g, ms in groups.items():
        ms.sort(key=lambda m: -m.score)
        ranked.append((g, ms[0].score + 0.1 * sum(m.score for m in ms[1:]), [m.key for m in ms]))
    ranked.sort(key=lambda r: (-r[1], r[0]))
    return ranked[:limit]


def highlight(text: str, terms: Iterable[str]) -> list[tuple[str, bool]]:
    """The text cut into (piece, is_shared_term) pieces, longest terms first, for a template to
    mark the shared terms (it escapes the pieces: no HTML is made here). Matching ignores case."""
    terms = sorted({t for t in terms if t}, key=len, reverse=True)
    if not text or not terms:
        return [(text, False)] if text else []
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    pieces, at = [], 0
    for m in pattern.finditer(text):
        if m.start() > at:
            pieces.append((text[at : m.start()], False))
        pieces.append((m.group(), True))
        at = m.end()
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def top_indices(scores: np.ndarray, k: int) -> np.ndarray:
    """The indices of the k highest scores, best first; ties in index order (stable results)."""
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return top[np.lexsort((top, -scores[top]))]

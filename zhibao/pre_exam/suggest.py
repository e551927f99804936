"""IPC subclass and technical-field suggestion for pre-examination, learned from the corpus.

The examiner types (or the application brings) a title and an abstract; the suggester ranks
IPC subclasses (`H01M`, `G06F` …) with a confidence, and the center's technical field is read
off the ranked subclasses (`field_for_subclasses`).

The model, numpy only:

* features: rjieba words, Chinese characters and character bigrams of the title; the same
  (words and bigrams) of the first `ABSTRACT_CHARS` characters of the abstract, weighted
  `ABSTRACT_WEIGHT`; TF-IDF with sublinear tf, L2-normalised rows; the vocabulary keeps the
  `max_features` most frequent features seen in at least `min_df` documents;
* two linear classifiers on those features, their probabilities averaged (`SVM_SHARE`):
  - a linear SVM, one-vs-rest over all subclasses (squared hinge, C = `SVM_C`, a bias
    feature), solved by dual coordinate descent (liblinear's method: one pass updates every
    subclass's dual variable of a document at once, so a step is a few vector operations of
    the document's features × subclasses); a subclass's positives weigh (median subclass
    count / its count)^`CLASS_BALANCE`, a little more for rare subclasses. Its margins go
    through a softmax of temperature `SVM_TEMPERATURE` to become probabilities;
  - multinomial logistic regression (softmax; a patent with several subclasses spreads its
    target evenly over them), trained by mini-batch SGD (each batch a dense block over the
    columns it uses, so a step is two BLAS products; batches of 8: as accurate as 32 with the
    learning rate scaled, and a block's wasted zeros grow with the batch).
  The averaged probability is the confidence shown to the examiner.
* optional prior knowledge: the IPC scheme's own titles (one document per main group: its
  title and its subgroups' titles) are added as training documents, which helps the
  subclasses the corpus has few patents of (`ipc_scheme_documents`).

On the 4,873-title dev file (5-fold cross-validation by crc32 of the publication number,
bench/pre_exam_suggest.py with BENCH_FOLDS=5, the settings chosen on that mean and checked on two
more 5-fold splits of other hashes): the softmax alone (model version 1) 0.479 top-1 / 0.695
top-3, the SVM alone 0.493, the two averaged 0.495 / 0.706 (the three splits' mean: softmax
0.477, SVM 0.488, averaged 0.493). Measured and left out (no gain beyond ±0.003, or a loss):
character trigrams and 4-grams, search-mode words, a kNN vote of the training titles,
three-character class scores, an LSA embedding of the scheme's 77,000 titles, one training
document per scheme subgroup, a log-prior on subclass frequency, a one-hidden-layer network,
the first subclass only as target.

Scale (100,000 synthetic titles plus the scheme, one shared core): ~75 s to train, the
process's peak memory ~0.86 GB (~0.68 GB above Django's own), 0.4 ms a suggestion, a 150 MB
model file; with a 200-character abstract each (5× the features per document): ~5.4 min,
~1.33 GB peak (~1.1 GB above), 2.4 ms, 263 MB. The weight matrices (features × subclasses)
are most of it: `max_features` bounds them.

The corpus model is stored under VAR_DIR/models/ with the corpus watermark it was trained
on (patent count and latest `updated_at`); `suggester_for_corpus` reuses it while the
watermark matches (and the file is of the current MODEL_VERSION) and retrains otherwise.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from zhibao.patents.search.tokenize import tokenize

logger = logging.getLogger(__name__)

MODEL_VERSION = 2
LOADABLE_VERSIONS = (1, 2)  # version 1: the softmax alone (read until the next retrain)
ABSTRACT_CHARS = 200
ABSTRACT_WEIGHT = 0.3
SCHEME_WEIGHT = 1.0
SCHEME_CHARS = 80
SVM_C = 0.4
SVM_EPOCHS = 5
CLASS_BALANCE = 0.15
SVM_TEMPERATURE = 10.0
SVM_SHARE = 0.5  # the SVM's share of the averaged probability; the softmax has the rest

# The center's technical fields: (code, name, IPC prefixes). To move to configurable data.
FIELDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("biology", "生物", ("A01H", "A61K", "A61P", "C07K", "C12M", "C12N", "C12P", "C12Q")),
    ("new_materials", "新材料", ("C01", "C04B", "C08", "C22C", "H01F")),
    ("new_energy", "新能源", ("H01M", "H02J", "H02S", "F03D", "F24S", "Y02E")),
)

_HAN = re.compile(r"[\u4e00-\u9fff]+")
_SPACES = re.compile(r"\s+")
_PARENTHESES = re.compile(r"（[^）]*）|\([^)]*\)")


def _text_features(text: str, *, chars: bool) -> Counter:
    features: Counter = Counter("w" + word for word in tokenize(text))
    for run in _HAN.findall(text):
        if chars:
            features.update("c" + ch for ch in run)
        features.update("b" + run[i:i + 2] for i in range(len(run) - 1))
    return features


def document_features(title: str, abstract: str = "") -> dict[str, float]:
    """Sublinear term weights of one document (before IDF): title, plus the abstract's start."""
    weights = {f: 1.0 + math.log(n) for f, n in _text_features(title or "", chars=True).items()}
    if abstract:
        for f, n in _text_features(abstract[:ABSTRACT_CHARS], chars=False).items():
            weights[f] = weights.get(f, 0.0) + ABSTRACT_WEIGHT * (1.0 + math.log(n))
    return weights


def subclasses_of(ipc_codes: Iterable[str]) -> list[str]:
    """The distinct subclasses (first four characters, upper case) of IPC codes, in order."""
    return list(dict.fromkeys(c.replace(" ", "")[:4].upper() for c in ipc_codes if len(c.replace(" ", "")) >= 4))


def ipc_scheme_documents(rows: Iterable[tuple[str, str, str, str]]) -> list[tuple[str, list[str]]]:
    """Training documents from the IPC scheme rows (code, level, title, parent): one per subclass
    title and one per main group (its title followed by its subgroups' titles, cut short)."""
    groups: dict[str, list[str]] = {}
    docs: list[tuple[str, list[str]]] = []
    for code, level, title, parent in rows:
        text = _SPACES.sub("", _PARENTHESES.sub("", title or ""))
        if not text:
            continue
        if level == "subclass":
            docs.append((text, [code[:4]]))
        elif level == "main_group":
            groups.setdefault(code, []).insert(0, text)
        elif level == "subgroup" and parent:
            groups.setdefault(parent, []).append(text)
    for code, texts in groups.items():
        docs.append(("；".join(texts)[:SCHEME_CHARS], [code[:4]]))
    return docs


class _Rows:
    """Rows of a sparse matrix, appended one at a time (CSR in compact arrays)."""

    def __init__(self) -> None:
        self.indices = array("i")
        self.data = array("f")
        self.indptr = array("q", [0])

    def append(self, indices: Iterable[int], data: Iterable[float]) -> None:
        self.indices.extend(indices)
        self.data.extend(data)
        self.indptr.append(len(self.indices))

    def arrays(self):
        """The rows as numpy arrays (indices, data, indptr); the compact buffers are emptied."""
        out = (np.frombuffer(self.indices, dtype=np.int32).copy(), np.frombuffer(self.data, dtype=np.float32).copy(),
               np.frombuffer(self.indptr, dtype=np.int64).copy())
        self.indices, self.data, self.indptr = array("i"), array("f"), array("q", [0])
        return out


def _normalize_rows(data: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    lengths = np.diff(indptr)
    squares = np.zeros(len(lengths), dtype=np.float64)
    nonempty = lengths > 0
    squares[nonempty] = np.add.reduceat(data.astype(np.float64) ** 2, indptr[:-1][nonempty])
    norms = np.sqrt(squares)
    norms[norms == 0] = 1.0
    return (data / np.repeat(norms, lengths)).astype(np.float32)


class IpcSuggester:
    """A trained model: vocabulary, IDF, subclass labels, the softmax weights and the SVM's.

    The weight matrices are kept in half precision (as saved): a suggestion reads only the rows
    of the title's features, so the memory is halved at no cost in speed."""

    def __init__(self, *, vocabulary: Sequence[str], idf: np.ndarray, labels: Sequence[str], weights: np.ndarray,
                 bias: np.ndarray, svm_weights: np.ndarray | None = None, svm_bias: np.ndarray | None = None,
                 meta: dict | None = None) -> None:
        self.vocabulary = list(vocabulary)
        self.index = {f: i for i, f in enumerate(self.vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float32)
        self.labels = list(labels)
        self.weights = np.asarray(weights, dtype=np.float16)
        self.bias = np.asarray(bias, dtype=np.float32)
        self.svm_weights = None if svm_weights is None else np.asarray(svm_weights, dtype=np.float16)
        self.svm_bias = None if svm_bias is None else np.asarray(svm_bias, dtype=np.float32)
        self.meta = dict(meta or {})

    # -- vectors and scores --------------------------------------------------------------
    def vector(self, title: str, abstract: str = "") -> tuple[np.ndarray, np.ndarray]:
        pairs = [(self.index[f], w) for f, w in document_features(title, abstract).items() if f in self.index]
        if not pairs:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        indices = np.fromiter((i for i, _ in pairs), dtype=np.int64, count=len(pairs))
        values = np.fromiter((w for _, w in pairs), dtype=np.float32, count=len(pairs)) * self.idf[indices]
        return indices, values / np.linalg.norm(values)

    def probabilities(self, title: str, abstract: str = "") -> np.ndarray:
        indices, values = self.vector(title, abstract)
        p = _softmax(values @ self.weights[indices].astype(np.float32) + self.bias)
        if self.svm_weights is None:
            return p
        margins = values @ self.svm_weights[indices].astype(np.float32) + self.svm_bias
        share = float(self.meta.get("svm_share", SVM_SHARE))
        return (1.0 - share) * p + share * _softmax(float(self.meta.get("svm_temperature", SVM_TEMPERATURE)) * margins)

    def suggest(self, title: str, abstract: str = "", k: int = 5) -> list[tuple[str, float]]:
        """The k most likely subclasses with their probability (0–1, summing to ≤ 1), best first."""
        if not self.labels:
            return []
        p = self.probabilities(title, abstract)
        k = max(0, min(k, len(p)))
        top = np.argpartition(-p, k - 1)[:k] if k else []
        ranked = sorted(top, key=lambda i: (-p[i], self.labels[i]))
        return [(self.labels[i], float(p[i])) for i in ranked]

    # -- persistence ---------------------------------------------------------------------
    def save(self, path: Path | str) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        arrays = {"svm_weights": self.svm_weights, "svm_bias": self.svm_bias} if self.svm_weights is not None else {}
        np.savez_compressed(
            tmp, vocabulary=np.array(self.vocabulary, dtype=str), idf=self.idf, labels=np.array(self.labels, dtype=str),
            weights=self.weights, bias=self.bias, meta=np.array(json.dumps({**self.meta, "version": MODEL_VERSION})),
            **arrays,
        )
        tmp.replace(path)  # atomic: a reader never sees half a model
        return path

    @classmethod
    def load(cls, path: Path | str) -> IpcSuggester:
        with np.load(Path(path), allow_pickle=False) as f:
            meta = json.loads(str(f["meta"]))
            if meta.get("version") not in LOADABLE_VERSIONS:
                raise ValueError(f"{path}: model version {meta.get('version')}, expected {MODEL_VERSION}")
            svm = {"svm_weights": f["svm_weights"], "svm_bias": f["svm_bias"]} if "svm_weights" in f.files else {}
            return cls(vocabulary=f["vocabulary"].tolist(), idf=f["idf"], labels=f["labels"].tolist(),
                       weights=f["weights"], bias=f["bias"], meta=meta, **svm)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = np.exp(z - z.max())
    return z / z.sum()


def train(records: Iterable[tuple[str, Sequence[str]] | tuple[str, str, Sequence[str]]], *,
          scheme: Iterable[tuple[str, Sequence[str]]] = (), min_df: int = 2, max_features: int = 200_000,
          epochs: int | None = None, learning_rate: float = 16.0, batch_size: int = 8, seed: int = 0,
          svm_c: float = SVM_C, svm_epochs: int = SVM_EPOCHS, class_balance: float = CLASS_BALANCE,
          svm: bool = True, progress: Callable[[str, int, int], None] | None = None) -> IpcSuggester:
    """Train on (text, subclasses) or (title, abstract, subclasses) records, streamed once.

    `scheme` adds prior documents (e.g. `ipc_scheme_documents`) weighted SCHEME_WEIGHT.
    `epochs`, `learning_rate` and `batch_size` are the softmax's SGD; `svm_c`, `svm_epochs` and
    `class_balance` the SVM's (`svm=False`: the softmax alone).
    `progress(stage, done, total)` is called now and then ("read", then "epoch": the SVM's passes
    and the softmax's, counted together).
    """
    started = time.monotonic()
    feature_ids: dict[str, int] = {}
    rows, label_rows, sample_weights = _Rows(), [], array("f")
    label_ids: dict[str, int] = {}

    def add(title: str, abstract: str, subclasses: Sequence[str], weight: float) -> None:
        subclasses = [s for s in dict.fromkeys(subclasses) if s]
        if not subclasses:
            return
        feats = document_features(title, abstract)
        if not feats:
            return
        rows.append((feature_ids.setdefault(f, len(feature_ids)) for f in feats), feats.values())
        label_rows.append(np.array([label_ids.setdefault(s, len(label_ids)) for s in subclasses], dtype=np.int64))
        sample_weights.append(weight)

    n_patents = 0
    for record in records:
        if len(record) == 3:
            title, abstract, subclasses = record
        else:
            (title, subclasses), abstract = record, ""
        add(title, abstract, subclasses, 1.0)
        n_patents += 1
        if progress and n_patents % 5000 == 0:
            progress("read", n_patents, 0)
    for text, subclasses in scheme:
        add(text, "", subclasses, SCHEME_WEIGHT)
    indices, data, indptr = rows.arrays()
    n_docs = len(indptr) - 1

    # Vocabulary: document frequency ≥ min_df, the max_features most frequent.
    df = np.bincount(indices, minlength=len(feature_ids))
    keep = np.flatnonzero(df >= min_df)
    if len(keep) > max_features:
        keep = keep[np.argsort(-df[keep], kind="stable")[:max_features]]
        keep.sort()
    remap = np.full(len(feature_ids), -1, dtype=np.int32)
    remap[keep] = np.arange(len(keep))
    names = [""] * len(feature_ids)
    for f, i in feature_ids.items():
        names[i] = f
    vocabulary = [names[i] for i in keep]
    feature_ids.clear()  # free the full vocabulary before training
    del names
    idf = (np.log((n_docs + 1) / (df[keep] + 1)) + 1).astype(np.float32)

    new_indices = remap[indices]
    del remap
    kept = new_indices >= 0
    counts = np.add.reduceat(kept.astype(np.int64), indptr[:-1]) if len(kept) else np.zeros(n_docs, np.int64)
    counts[np.diff(indptr) == 0] = 0
    indices = new_indices[kept]
    data = data[kept] * idf[indices]
    del new_indices, kept
    indptr = np.concatenate([[0], np.cumsum(counts)])
    data = _normalize_rows(data, indptr)

    labels = sorted(label_ids, key=label_ids.get)
    weights_of_samples = np.frombuffer(sample_weights, dtype=np.float32)
    if epochs is None:  # small corpora need more passes; a large one converges in a few
        epochs = 8 if n_docs <= 40_000 else max(4, min(8, 320_000 // n_docs))
    passes = epochs + (svm_epochs if svm else 0)
    svm_weights = svm_bias = None
    if svm:
        svm_weights, svm_bias = _train_svm(
            indices, data, indptr, label_rows, weights_of_samples, n_features=len(vocabulary), n_labels=len(labels),
            c=svm_c, epochs=svm_epochs, class_balance=class_balance, seed=seed,
            progress=(lambda stage, done, total: progress(stage, done, passes)) if progress else None,
        )
    weights, bias = _train_softmax(
        indices, data, indptr, label_rows, weights_of_samples, n_features=len(vocabulary),
        n_labels=len(labels), epochs=epochs, learning_rate=learning_rate, batch_size=batch_size, seed=seed,
        progress=(lambda stage, done, total: progress(stage, passes - epochs + done, passes)) if progress else None,
    )
    meta = {"patents": n_patents, "documents": n_docs, "features": len(vocabulary), "labels": len(labels),
            "training_seconds": round(time.monotonic() - started, 2)}
    if svm:
        meta.update(svm_c=svm_c, svm_epochs=svm_epochs, class_balance=class_balance, svm_share=SVM_SHARE,
                    svm_temperature=SVM_TEMPERATURE)
    return IpcSuggester(vocabulary=vocabulary, idf=idf, labels=labels, weights=weights, bias=bias,
                        svm_weights=svm_weights, svm_bias=svm_bias, meta=meta)


def _train_svm(indices, data, indptr, label_rows, sample_weights, *, n_features, n_labels, c, epochs, class_balance,
               seed, progress) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest L2-loss linear SVMs of all subclasses at once, by dual coordinate descent.

    For the squared hinge, document i's dual variable for subclass s moves by the projected
    Newton step: α ← max(0, α − (y·w_s·x − 1 + α/2C) / (x·x + 1/2C)), and w_s += Δα·y·x. A pass
    takes the documents in a random order and updates the L variables of each together (its
    features' rows of W, × L subclasses). The duals are kept in half precision (n × L)."""
    weights = np.zeros((n_features + 1, n_labels), dtype=np.float32)  # the last row: the bias feature
    n_docs = len(indptr) - 1
    if n_docs == 0 or n_labels == 0:
        return weights[:n_features].astype(np.float16), weights[n_features].copy()
    duals = np.zeros((n_docs, n_labels), dtype=np.float16)
    counts = np.bincount(np.concatenate(label_rows), minlength=n_labels).astype(np.float64)
    boost = (np.median(counts[counts > 0]) / np.maximum(counts, 1.0)) ** class_balance
    inverse_c = (0.5 / (c * np.asarray(sample_weights, dtype=np.float64))).astype(np.float32)
    inverse_boost = (1.0 / boost).astype(np.float32)
    bias_index = np.array([n_features])
    one = np.ones(1, dtype=np.float32)
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        for i in rng.permutation(n_docs):
            a, b = indptr[i], indptr[i + 1]
            idx = np.concatenate((indices[a:b], bias_index))
            val = np.concatenate((data[a:b], one))
            ys = label_rows[i]
            y = np.full(n_labels, -1.0, dtype=np.float32)
            y[ys] = 1.0
            d = np.full(n_labels, inverse_c[i], dtype=np.float32)  # the diagonal 1/2C of the squared hinge
            d[ys] *= inverse_boost[ys]
            alpha = duals[i].astype(np.float32)
            block = weights[idx]
            gradient = y * (val @ block) - 1.0 + d * alpha
            new = np.maximum(alpha - gradient / (val @ val + d), 0.0)
            step = (new - alpha) * y
            moved = np.flatnonzero(step)
            if len(moved) == 0:
                continue
            duals[i] = new
            if len(moved) * 3 > n_labels:
                block += np.outer(val, step)
                weights[idx] = block
            else:  # most subclasses satisfied: touch only the columns that moved
                weights[np.ix_(idx, moved)] += np.outer(val, step[moved])
        if progress:
            progress("epoch", epoch + 1, epochs)
    return weights[:n_features].astype(np.float16), weights[n_features].copy()


def _train_softmax(indices, data, indptr, label_rows, sample_weights, *, n_features, n_labels, epochs, learning_rate,
                   batch_size, seed, progress) -> tuple[np.ndarray, np.ndarray]:
    """Mini-batch SGD on the softmax cross-entropy, the learning rate decaying as 1/√epoch."""
    weights = np.zeros((n_features, n_labels), dtype=np.float32)
    bias = np.zeros(n_labels, dtype=np.float32)
    n_docs = len(indptr) - 1
    if n_docs == 0 or n_labels == 0:
        return weights.astype(np.float16), bias
    targets = [(ys, 1.0 / len(ys)) for ys in label_rows]
    rng = np.random.default_rng(seed)
    starts, lengths = indptr[:-1], np.diff(indptr)
    for epoch in range(epochs):
        lr = learning_rate / math.sqrt(1 + epoch)
        order = rng.permutation(n_docs)
        for s in range(0, n_docs, batch_size):
            batch = order[s:s + batch_size]
            batch_lengths = lengths[batch]
            total = int(batch_lengths.sum())
            if total == 0:
                continue
            # the batch as a dense block over the columns it uses: two BLAS products per step
            offsets = np.repeat(starts[batch] - np.concatenate([[0], np.cumsum(batch_lengths)[:-1]]), batch_lengths)
            positions = np.arange(total) + offsets
            used, inverse = np.unique(indices[positions], return_inverse=True)
            block = np.zeros((len(batch), len(used)), dtype=np.float32)
            block[np.repeat(np.arange(len(batch)), batch_lengths), inverse] = data[positions]
            z = block @ weights[used]
            z += bias
            z -= z.max(axis=1, keepdims=True)
            np.exp(z, out=z)
            z /= z.sum(axis=1, keepdims=True)
            for r, i in enumerate(batch):
                ys, share = targets[i]
                z[r, ys] -= share
            z *= (sample_weights[batch] / len(batch))[:, None]
            weights[used] -= lr * (block.T @ z)
            bias -= (0.1 * lr) * z.sum(axis=0)
        if progress:
            progress("epoch", epoch + 1, epochs)
    return weights.astype(np.float16), bias


def evaluate(suggester: IpcSuggester, rows: Iterable) -> dict:
    """top-1 / top-3 accuracy on (title, subclasses) or (title, abstract, subclasses) rows:
    a hit when the first (any of the first three) suggestion is one of the row's subclasses."""
    top1 = top3 = n = 0
    for row in rows:
        title, abstract, subclasses = row if len(row) == 3 else (row[0], "", row[1])
        truth = set(subclasses)
        if not truth:
            continue
        ranked = [s for s, _ in suggester.suggest(title, abstract, k=3)]
        n += 1
        top1 += bool(ranked) and ranked[0] in truth
        top3 += any(s in truth for s in ranked)
    return {"top1": top1 / n if n else 0.0, "top3": top3 / n if n else 0.0, "n": n}


def field_for_subclasses(subclasses: Iterable[tuple[str, float]],
                         fields: Sequence[tuple[str, str, Sequence[str]]] = FIELDS) -> tuple[str, str, float] | None:
    """The center's field the suggested (subclass, confidence) pairs point to most: (code, name,
    confidence summed over the subclasses under one of its IPC prefixes); None when none does."""
    subclasses = list(subclasses)
    best = None
    for code, name, prefixes in fields:
        confidence = sum(conf for sub, conf in subclasses if any(sub.startswith(p) for p in prefixes))
        if confidence > 0 and (best is None or confidence > best[2]):
            best = (code, name, min(1.0, confidence))
    return best


# -- the corpus model ------------------------------------------------------------------------
_cache: dict[str, tuple[tuple, IpcSuggester]] = {}


def model_path() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "models" / "ipc_suggest.npz"


def corpus_watermark() -> dict:
    """What the corpus model was trained on: the patent count and the latest update time."""
    from django.db.models import Count, Max

    from zhibao.patents.models import Patent

    agg = Patent.objects.order_by().aggregate(count=Count("id"), updated=Max("updated_at"))
    return {"count": agg["count"], "updated_at": agg["updated"].isoformat() if agg["updated"] else ""}


def _scheme_from_database() -> list[tuple[str, list[str]]]:
    try:
        from zhibao.patents.models import IpcCode

        rows = IpcCode.objects.order_by().values_list("code", "level", "title", "parent_id").iterator(2000)
        return ipc_scheme_documents(rows)
    except Exception:  # noqa: BLE001  the scheme is optional help; without it the corpus alone trains
        logger.info("IPC scheme not available for the suggester", exc_info=True)
        return []


def corpus_records(exclude_publication_numbers: Iterable[str] = ()):
    """(title, abstract, subclasses) of every corpus patent, streamed, minus the excluded ones."""
    from zhibao.patents.models import Patent

    excluded = set(exclude_publication_numbers)
    rows = Patent.objects.order_by().values_list("publication_number", "title", "abstract", "ipc_codes")
    for number, title, abstract, codes in rows.iterator(chunk_size=2000):
        if number in excluded:
            continue
        subclasses = subclasses_of(codes or [])
        if subclasses:
            yield title, abstract, subclasses


def suggester_for_corpus(exclude_publication_numbers: Iterable[str] = (), *, path: Path | None = None,
                         progress: Callable[[str, int, int], None] | None = None) -> IpcSuggester | None:
    """The model of the current corpus: the saved one while the corpus watermark is unchanged
    (and the file is of the current MODEL_VERSION), else trained now (and saved). With
    exclusions (an evaluation), a model trained without those patents is returned and not
    saved. None when the corpus has no classified patent."""
    excluded = sorted(set(exclude_publication_numbers))
    watermark = corpus_watermark()
    if watermark["count"] == 0:
        return None
    if excluded:
        from zhibao.patents.models import Patent

        overlap = Patent.objects.filter(publication_number__in=excluded).count()
        if overlap == 0:  # nothing to leave out: the corpus model answers
            excluded = []
    path = Path(path) if path else model_path()
    if not excluded:
        key = (str(path), watermark["count"], watermark["updated_at"])
        hit = _cache.get(str(path))
        if hit and hit[0] == key:
            return hit[1]
        if path.is_file():
            try:
                model = IpcSuggester.load(path)
                # an older model version (the softmax alone) is retrained once, then reused
                if model.meta.get("watermark") == watermark and model.meta.get("version") == MODEL_VERSION:
                    _cache[str(path)] = (key, model)
                    return model
            except (OSError, ValueError, KeyError):
                logger.warning("unreadable IPC suggestion model %s: retraining", path, exc_info=True)
    model = train(corpus_records(excluded), scheme=_scheme_from_database(), progress=progress)
    if model.meta["patents"] == 0:
        return None
    model.meta["watermark"] = watermark
    model.meta["excluded"] = len(excluded)
    if not excluded:
        model.save(path)
        _cache[str(path)] = ((str(path), watermark["count"], watermark["updated_at"]), model)
    return model

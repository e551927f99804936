"""The IPC scheme (国际专利分类表): loading the CNIPA Chinese edition and reading its tree.

`ipc_load` is the service behind `zhibao load-ipc`; the selectors (`ipc_lookup`, `ipc_titles`,
`ipc_children`, `ipc_path`, `ipc_search`) serve the IPC browser, the API and the patent pages.
Codes are always the canonical spelling of normalize.parse_ipc (`H01F1/057`).
"""

import csv
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils.safestring import SafeString, mark_safe

from .choices import IpcLevel
from .models import IpcCode
from .normalize import NormalizeError, parse_ipc

LEVEL_ORDER = [IpcLevel.SECTION, IpcLevel.CLASS, IpcLevel.SUBCLASS, IpcLevel.MAIN_GROUP, IpcLevel.SUBGROUP]
BATCH_SIZE = 2_000

# CJK ideographs, CJK punctuation (，；（）、。) and full-width forms: the PDF the scheme was
# extracted from broke lines between them, leaving a space that is not in the title.
_CJK = r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
_CJK_SPACE = re.compile(rf"(?<={_CJK})\s+(?={_CJK})")


def clean_title(text: str) -> str:
    """Trim, collapse whitespace and drop the spaces between two CJK characters."""
    text = re.sub(r"\s+", " ", (text or "").strip())
    return _CJK_SPACE.sub("", text)


def ipc_sort_key(code: str) -> str:
    """A key that orders the scheme as printed: groups numerically, subgroups as decimals.

    `H01F` < `H01F0001000000` (1/00) < `H01F0001057000` (1/057) < `H01F0001060000` (1/06)
    < `H01F0010000000` (10/00): the main group is padded on the left to 4 digits, the subgroup
    on the right to 6 (a subgroup number is a decimal fraction: 1/057 sits between 1/05 and 1/06).
    """
    if "/" not in code:
        return code
    group, sub = code[4:].split("/", 1)
    return f"{code[:4]}{int(group):04d}{sub.ljust(6, '0')}"


# --- Loading ------------------------------------------------------------------------------------


@dataclass
class IpcLoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    notes: int = 0
    by_level: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    code: str
    level: str
    title: str
    parent: str


def _read_scheme(path: Path, warnings: list[str]) -> list[_Row]:
    rows: list[_Row] = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"code", "level", "title_zh", "parent"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: missing columns {', '.join(sorted(missing))}")
        for line, raw in enumerate(reader, start=2):
            try:
                symbol = parse_ipc(raw["code"])
            except NormalizeError as exc:
                warnings.append(f"line {line}: {raw['code']!r} skipped: {exc}")
                continue
            level = (raw["level"] or "").strip() or symbol.level
            if level not in IpcLevel.values:
                warnings.append(f"line {line}: {raw['code']} has unknown level {level!r}; using {symbol.level}")
                level = symbol.level
            if symbol.code != raw["code"].strip() or level != symbol.level:
                # Kept with the file's level (the per-level counts are the file's); reported.
                warnings.append(f"line {line}: {raw['code']} is spelled {symbol.code} ({symbol.level}) by parse_ipc; "
                                f"the file says {level}")
            parent = (raw["parent"] or "").strip()
            if parent:
                try:
                    parent = parse_ipc(parent).code
                except NormalizeError:
                    warnings.append(f"line {line}: {raw['code']} has a malformed parent {parent!r}")
                    parent = ""
            rows.append(_Row(symbol.code, level, clean_title(raw["title_zh"]), parent))
    return rows


def _read_notes(path: Path, warnings: list[str]) -> dict[str, str]:
    notes: dict[str, str] = {}
    with open(path, encoding="utf-8-sig") as fh:
        for line, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            try:
                item = json.loads(text)
                notes[parse_ipc(item["code"]).code] = (item.get("notes_zh") or "").strip()
            except (ValueError, KeyError, NormalizeError) as exc:
                warnings.append(f"notes line {line} skipped: {exc}")
    return notes


def _resolve_parent(row: _Row, known: set[str]) -> str | None:
    """The file's parent when the file has it, else the nearest ancestor the file has.

    The Chinese scheme file misses a few symbols (e.g. some subclasses and E03B9/00); their
    children hang from the next symbol up instead of from nothing, so the browser shows them.
    """
    if row.parent and row.parent in known:
        return row.parent
    if row.level == IpcLevel.SECTION:
        return None
    for ancestor in reversed(parse_ipc(row.code).ancestors()):
        if ancestor in known and ancestor != row.code:
            return ancestor
    return None


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def ipc_load(*, path: Path, notes_path: Path | None = None, edition: str = "", replace: bool = False,
             progress: Callable[[str], None] | None = None) -> IpcLoadResult:
    """Load the scheme file (code, level, title_zh, parent) and its notes into IpcCode.

    Idempotent: codes already present get their title, level, parent and notes updated, new
    ones are created in batches, and nothing is deleted unless `replace` (then codes missing
    from the file go). Notes come from `notes_path` ({"code", "level", "notes_zh"} per line);
    without it, stored notes are kept.
    """
    result = IpcLoadResult()
    say = progress or (lambda message: None)
    rows = _read_scheme(Path(path), result.warnings)
    notes = _read_notes(Path(notes_path), result.warnings) if notes_path else None
    seen: dict[str, _Row] = {}
    for row in rows:
        if row.code in seen:
            result.warnings.append(f"{row.code} appears twice; the later row is used")
        seen[row.code] = row
    known = set(seen)
    say(f"read {len(seen)} codes from {path}")
    with transaction.atomic():
        existing = {c.code: c for c in IpcCode.objects.all()}
        to_create, to_update = [], []
        for row in seen.values():
            parent_id = _resolve_parent(row, known)
            if parent_id != (row.parent or None):
                result.warnings.append(f"{row.code}: parent {row.parent or '(none)'} is not in the file; "
                                       f"attached to {parent_id}")
            values = {"level": row.level, "title": row.title, "parent_id": parent_id,
                      "sort_key": ipc_sort_key(row.code)}
            if edition:
                values["edition"] = edition
            if notes is not None:
                values["notes"] = notes.get(row.code, "")
            result.by_level[row.level] += 1
            current = existing.get(row.code)
            if current is None:
                to_create.append(IpcCode(code=row.code, **values))
            elif any(getattr(current, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(current, key, value)
                to_update.append(current)
            else:
                result.unchanged += 1
        fields = ["level", "title", "parent_id", "sort_key", *(["notes"] if notes is not None else []),
                  *(["edition"] if edition else [])]
        for batch in _batches(to_create, BATCH_SIZE):
            IpcCode.objects.bulk_create(batch, batch_size=BATCH_SIZE)
            result.created += len(batch)
            say(f"created {result.created} of {len(to_create)}")
        for batch in _batches(to_update, BATCH_SIZE):
            IpcCode.objects.bulk_update(batch, fields, batch_size=500)
            result.updated += len(batch)
            say(f"updated {result.updated} of {len(to_update)}")
        if replace:
            gone = [code for code in existing if code not in known]
            for batch in _batches(gone, 500):
                IpcCode.objects.filter(code__in=batch).delete()
            result.deleted = len(gone)
    if notes is not None:
        result.notes = sum(1 for code in notes if code in known and notes[code])
    return result


# --- Selectors ----------------------------------------------------------------------------------


def _canonical(code: str) -> str | None:
    try:
        return parse_ipc(code).code
    except NormalizeError:
        return None


def ipc_lookup(code: str) -> IpcCode | None:
    """The symbol of any spelling of `code` (`H01F 1/057`, `H01F1-057`), or None."""
    canonical = _canonical((code or "").replace("-", "/"))
    if canonical is None:
        return None
    return IpcCode.objects.filter(code=canonical).first()


def ipc_titles(codes: Iterable[str]) -> dict[str, str]:
    """Titles of many codes in one query, keyed by the codes as given (unknown codes left out)."""
    wanted: dict[str, list[str]] = {}
    for code in codes:
        canonical = _canonical(code) if code else None
        if canonical:
            wanted.setdefault(canonical, []).append(code)
    if not wanted:
        return {}
    titles = {}
    for canonical, title in IpcCode.objects.filter(code__in=list(wanted)).values_list("code", "title"):
        for given in wanted[canonical]:
            titles[given] = title
    return titles


def ipc_children(code: str | None):
    """The symbols directly below `code` in the scheme's order; the sections for None/""."""
    if not code:
        return IpcCode.objects.filter(level=IpcLevel.SECTION).order_by("sort_key")
    canonical = _canonical(code)
    return IpcCode.objects.filter(parent_id=canonical).order_by("sort_key")


def ipc_path(code: str) -> list[IpcCode]:
    """The ancestors of `code`, top (section) first, not including the symbol itself."""
    canonical = _canonical(code)
    if canonical is None:
        return []
    guess = parse_ipc(canonical).ancestors()
    found = {c.code: c for c in IpcCode.objects.filter(code__in=[*guess, canonical])}
    node = found.get(canonical)
    if node is None:
        return [found[c] for c in guess if c in found]
    chain: list[IpcCode] = []
    seen = {canonical}
    while node.parent_id and node.parent_id not in seen:
        seen.add(node.parent_id)
        parent = found.get(node.parent_id) or IpcCode.objects.filter(code=node.parent_id).first()
        if parent is None:
            break
        chain.append(parent)
        node = parent
    return list(reversed(chain))


_CODE_PREFIX = re.compile(r"^[A-Ha-h](\d{1,2}([A-Za-z](\d{1,4}(/\d{0,6})?)?)?)?$")


def search_words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s,，;；、]+", (text or "").strip()) if w][:10]


def ipc_search(text: str, limit: int = 50):
    """Symbols whose title contains every word of `text`; a word shaped like a code (`H01F`,
    `h01f1/0`) matches code prefixes as well as titles. In the scheme's order."""
    words = search_words(text)
    if not words:
        return IpcCode.objects.none()
    condition = Q()
    for word in words:
        term = Q(title__icontains=word)
        if _CODE_PREFIX.match(word):
            term |= Q(code__startswith=word.upper())
        condition &= term
    return IpcCode.objects.filter(condition).order_by("sort_key")[:limit]


def highlight(text: str, words: Iterable[str]) -> SafeString:
    """`text` escaped, with each occurrence of the words wrapped in <mark> (case-insensitive):
    the search results' highlighter."""
    from .search.results import highlight as escaped_highlight

    words = [w for w in words if w]
    pattern = (re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)
               if words else None)
    return mark_safe(escaped_highlight(text, pattern))  # noqa: S308  # nosec B308 B703 - escaped piece by piece


def ipc_patent_counts(codes: Iterable[str]) -> dict[str, int]:
    """Corpus patents carrying each code (prefix match), when the search engine is installed.

    Empty when it is not (the browser then shows no counts); one engine count per code, so
    callers pass the few codes of one tree level only.
    """
    try:
        from .search import QuerySyntaxError, get_engine
    except ImportError:
        return {}
    engine = get_engine()
    counts = {}
    for code in codes:
        try:
            counts[code] = engine.count(f"IPC={code}")
        except QuerySyntaxError:
            continue
    return counts

"""One import row → one normalised corpus record (a dict of Patent field values).

The normalisers of patents.normalize do the work; this module knows which cell feeds which
field, turns the export's list cells (applicants, IPC codes, legal events, priorities) into the
model's JSON lists, reads regions from applicants' addresses in batches, and hashes the result
so an unchanged record is recognised without comparing fields.
"""

import functools
import hashlib
import operator
import re

import orjson
from django.utils.translation import gettext as _

from .. import normalize as n
from ..choices import ApplicantType, LegalStatus

# Every normalised field, in the order the content hash reads them (source_file is not part
# of the content: the same record from another file is unchanged).
RECORD_FIELDS = (
    "publication_number", "application_number", "grant_number", "patent_type", "title", "abstract",
    "first_claim", "applicants", "first_applicant", "applicant_type", "current_holders", "province",
    "province_code", "city", "county", "league_code", "banner_code", "inventors", "agency", "agents",
    "ipc_main", "ipc_codes", "cpc_codes", "priorities", "application_date", "publication_date", "grant_date",
    "legal_status", "legal_status_raw", "legal_events", "citation_count", "cited_patents", "family",
    "family_size", "transfer_count", "licence_count", "pledge_count", "claims_count",
)

# The databases write "0" or "-" for "no value" in number and date columns.
_EMPTY = {"", "0", "-", "—", "无", "None", "null", "nan"}

# The same applicants, IPC codes, dates and statuses recur on thousands of rows: cache the
# pure normalisers (exceptions are not cached, so a bad value raises every time).
_ipc = functools.lru_cache(maxsize=65536)(n.normalize_ipc)
_date = functools.lru_cache(maxsize=65536)(n.normalize_date)
_name = functools.lru_cache(maxsize=262144)(n.normalize_name)
_status = functools.lru_cache(maxsize=4096)(n.normalize_legal_status)
_applicant_type = functools.lru_cache(maxsize=65536)(lambda value, name: n.normalize_applicant_type(value, name=name))
_app_number = functools.lru_cache(maxsize=4096)(n.normalize_application_number)


class RowError(ValueError):
    """Everything wrong with one row: [(column header, reason)]."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{column}: {reason}" for column, reason in problems))
        self.problems = problems


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return str(value).strip()


def _is_empty(value) -> bool:
    return value is None or value == [] or _text(value) in _EMPTY


def _iso(value) -> str:
    date = _date(value) if isinstance(value, str) else n.normalize_date(value)
    return date.isoformat() if date else ""


def _cell_cache(func):
    """Memoise a list-valued cell normaliser on the raw text (applicants, inventors, agents
    and IPC cells repeat across thousands of rows); each caller gets its own list copy."""
    cache: dict[str, list] = {}

    def cached(value):
        if not isinstance(value, str):
            return func(value)
        hit = cache.get(value)
        if hit is None:
            hit = func(value)
            if len(cache) < 200_000:
                cache[value] = hit
        return list(hit)

    return cached


@_cell_cache
def _name_list(value) -> list[str]:
    """A names cell split on ; | and newlines only (company names may hold commas)."""
    if isinstance(value, list | tuple):
        items = [str(v) for v in value]
    else:
        items = re.split(r"[;；|\n]+", _text(value))
    seen: dict[str, None] = {}
    for item in items:
        name = _name(item.strip())
        if name:
            seen.setdefault(name, None)
    return list(seen)


@_cell_cache
def _ipc_list(value) -> list[str]:
    seen: dict[str, None] = {}
    for item in n.split_codes(value):
        seen.setdefault(_ipc(item), None)
    return list(seen)


_CPC_RE = re.compile(r"^([A-HY]\d{2}[A-Z])(\d{1,4})/(\d{2,6})$")


def _cpc_list(*values) -> list[str]:
    """CPC symbols (the IPC layout plus section Y), compact spelling; malformed ones raise."""
    seen: dict[str, None] = {}
    for value in values:
        for item in n.split_codes(value):
            compact = n._clean(item).upper().replace(" ", "")
            if _CPC_RE.match(compact):
                subclass, group, sub = _CPC_RE.match(compact).groups()
                seen.setdefault(f"{subclass}{int(group)}/{sub}", None)
            elif compact.startswith("Y"):
                raise n.NormalizeError(_("%(value)s is not a CPC code.") % {"value": item})
            else:
                seen.setdefault(_ipc(compact), None)
    return list(seen)


def _numbers(value) -> list[str]:
    """A list of publication numbers (citations, family); unknown spellings kept verbatim."""
    result: dict[str, None] = {}
    for item in n.split_codes(value):
        try:
            result.setdefault(n.normalize_publication_number(item), None)
        except n.NormalizeError:
            result.setdefault(n._clean(item).upper().replace(" ", ""), None)
    return list(result)


_EVENT_RE = re.compile(r"^\s*(\d{4}[-./年]?\d{1,2}[-./月]?\d{1,2}日?)\s*[:：,，|\s]\s*(.*)$")
_DATE_WORD = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{8}|\d{4}年\d{1,2}月\d{1,2}日")


def parse_legal_events(value) -> list[dict]:
    """The 法律事件 cell (`2022-12-02 实质审查的生效; 2023-03-28 授权：授权公告`) or the JSONL
    list → [{date, event, detail}], oldest first; an event without a date goes last."""
    events = []
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                events.append({"date": _iso(item.get("date") or ""), "event": _text(item.get("event")),
                               "detail": _text(item.get("detail"))})
            elif _text(item):
                events.extend(parse_legal_events(_text(item)))
    else:
        for item in re.split(r"[;；\n]+", _text(value)):
            item = item.strip()
            if not item:
                continue
            match = _EVENT_RE.match(item)
            date, rest = (_iso(match.group(1)), match.group(2)) if match else ("", item)
            event, _sep, detail = rest.partition("：") if "：" in rest else rest.partition(":")
            events.append({"date": date, "event": event.strip(), "detail": detail.strip()})
    events = [e for e in events if e["event"] or e["detail"]]
    return sorted(events, key=lambda e: (e["date"] == "", e["date"]))


def parse_priorities(value, dates_value=None) -> list[dict]:
    """优先权 (`CN202110012345.6 2021-01-05; US63/123,456`) and 优先权日 → [{number, date}]."""
    if isinstance(value, list):
        items = [(_text(i.get("number")), _text(i.get("date"))) if isinstance(i, dict) else (_text(i), "")
                 for i in value]
    else:
        items = []
        for item in re.split(r"[;；\n]+", _text(value)):
            parts = item.split()
            if not parts:
                continue
            # "number date": the date is a separate last word (never digits inside the number).
            if len(parts) > 1 and _DATE_WORD.fullmatch(parts[-1]):
                items.append(("".join(parts[:-1]), parts[-1]))
            else:
                items.append(("".join(parts), ""))
    # Positional: the n-th date belongs to the n-th number, so empty entries are kept.
    dates = [d.strip() for d in re.split(r"[;；|\n]", _text(dates_value))] if not _is_empty(dates_value) else []
    result = []
    for index, (number, date) in enumerate(items):
        if not number:
            continue
        try:
            number = n.normalize_application_number(number)
        except n.NormalizeError:
            number = n._clean(number).upper().replace(" ", "")
        date = date or (dates[index] if index < len(dates) else "")
        result.append({"number": number, "date": _iso(date) if date else ""})
    return result


def _count(value) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, int):
        return n.normalize_count(str(value))
    return n.normalize_count(value)


_POSTCODE = re.compile(r"^\s*\d{6}\s*")


@functools.lru_cache(maxsize=65536)
def _address_text(value: str) -> str:
    return _POSTCODE.sub("", value).strip()


def _address(value) -> str:
    """An address without the leading postal code (`450000河南省…` → `河南省…`)."""
    return _address_text(_text(value))


def normalise_row(cells: dict, columns: dict) -> dict:
    """Normalise one row. `cells` is {field: raw value}; `columns` names each field's source
    column for the error report. Regions are filled later, per batch (see RegionResolver);
    the content hash after that."""
    problems: list[tuple[str, str]] = []
    get = cells.get

    def field(name, func, default=""):
        value = get(name)
        if _is_empty(value):
            return default
        try:
            return func(value)
        except n.NormalizeError as exc:
            problems.append((columns.get(name, name), str(exc)))
        except (TypeError, ValueError, AttributeError):
            problems.append((columns.get(name, name), _("%(value)s cannot be read.") % {"value": _text(value)[:50]}))
        return default

    publication_number = get("publication_number")
    if _is_empty(publication_number):
        problems.append((columns.get("publication_number", "publication_number"),
                         _("The publication number is missing.")))
        publication_number = ""
    else:
        publication_number = field("publication_number", n.normalize_publication_number)
    title = re.sub(r"\s+", " ", _text(get("title")))
    if not title:
        problems.append((columns.get("title", "title"), _("The title is missing.")))
    application_number = field("application_number", _app_number)
    grant_number = field("grant_number", n.normalize_publication_number)
    try:
        patent_type = n.normalize_patent_type(_text(get("patent_type")), publication_number=publication_number,
                                              application_number=application_number)
    except n.NormalizeError as exc:
        patent_type = ""
        if publication_number:
            problems.append((columns.get("patent_type", "patent_type"), str(exc)))

    # Applicants: a names cell, with one address and one type cell for them (the export's
    # layout), or the JSONL list of {name, address, type …}.
    raw_applicants = get("applicants")
    applicants = []
    if isinstance(raw_applicants, list) and any(isinstance(a, dict) for a in raw_applicants):
        for item in raw_applicants:
            item = item if isinstance(item, dict) else {"name": item}
            name = _name(_text(item.get("name")))
            if name:
                applicants.append({"name": name, "address": _address(item.get("address")),
                                   "province": _text(item.get("province")), "city": _text(item.get("city")),
                                   "county": _text(item.get("county")),
                                   "type": _applicant_type(_text(item.get("type")), name)})
    else:
        names = _name_list(raw_applicants) if not _is_empty(raw_applicants) else []
        types = re.split(r"[;；|]+", _text(get("applicant_type")))
        address = _address(get("applicant_address"))
        for index, name in enumerate(names):
            kind = types[index].strip() if index < len(types) else ""
            applicants.append({"name": name, "address": address if index == 0 else "", "province": "",
                               "city": "", "county": "", "type": _applicant_type(kind, name)})
    first = applicants[0] if applicants else None
    if first is None and not _is_empty(get("applicant_type")):
        applicant_type = _applicant_type(_text(get("applicant_type")), "")
    else:
        applicant_type = first["type"] if first else ApplicantType.OTHER

    ipc_codes = field("ipc_codes", _ipc_list, [])
    ipc_main = field("ipc_main", _ipc)
    if ipc_main and ipc_main not in ipc_codes:
        ipc_codes.insert(0, ipc_main)
    ipc_main = ipc_main or (ipc_codes[0] if ipc_codes else "")
    cpc_codes = []
    if not (_is_empty(get("cpc_main")) and _is_empty(get("cpc_codes"))):
        try:
            cpc_codes = _cpc_list(*(v for v in (get("cpc_main"), get("cpc_codes")) if not _is_empty(v)))
        except n.NormalizeError as exc:
            problems.append((columns.get("cpc_codes", columns.get("cpc_main", "cpc_codes")), str(exc)))

    raw_status = get("legal_status")
    legal_status_raw = _text(get("legal_status_raw")) if "legal_status_raw" in cells else n._clean(raw_status)
    legal_status = _status(_text(raw_status)) if not _is_empty(raw_status) else \
        _status(legal_status_raw) if legal_status_raw else LegalStatus.UNKNOWN

    priorities = []
    if not _is_empty(get("priorities")):
        try:
            priorities = parse_priorities(get("priorities"), get("priority_dates"))
        except n.NormalizeError as exc:
            problems.append((columns.get("priorities", "priorities"), str(exc)))
    legal_events = field("legal_events", parse_legal_events, [])

    record = {
        "publication_number": publication_number,
        "application_number": application_number,
        "grant_number": grant_number,
        "patent_type": patent_type,
        "title": title[:500],
        "abstract": _text(get("abstract")),
        "first_claim": _text(get("first_claim")),
        "applicants": applicants,
        "first_applicant": first["name"][:300] if first else "",
        "applicant_type": applicant_type,
        "current_holders": field("current_holders", _name_list, []),
        # Regions: the address wins, these cells fill in (see RegionResolver.apply).
        "province": _text(get("province"))[:20],
        "province_code": _text(get("province_code")),
        "city": _text(get("city"))[:30],
        "county": _text(get("county"))[:30],
        "league_code": _text(get("league_code"))[:6],
        "banner_code": _text(get("banner_code"))[:6],
        "inventors": field("inventors", _name_list, []),
        "agency": field("agency", _name)[:200],
        "agents": field("agents", _name_list, []),
        "ipc_main": ipc_main,
        "ipc_codes": ipc_codes,
        "cpc_codes": cpc_codes,
        "priorities": priorities,
        "application_date": field("application_date", _date, None),
        "publication_date": field("publication_date", _date, None),
        "grant_date": field("grant_date", _date, None),
        "legal_status": legal_status,
        "legal_status_raw": legal_status_raw[:100],
        "legal_events": legal_events,
        "citation_count": field("citation_count", _count, 0),
        "cited_patents": field("cited_patents", _numbers, []),
        "family": field("family", _numbers, []),
        "family_size": field("family_size", _count, 0),
        "transfer_count": field("transfer_count", _count, 0),
        "licence_count": field("licence_count", _count, 0),
        "pledge_count": field("pledge_count", _count, 0),
        "claims_count": field("claims_count", _count, 0),
    }
    if problems:
        raise RowError(problems)
    return record


# --- The import's fast path ---------------------------------------------------------------------
# normalise_row above is the reference: it reads a {field: cell} dict and reports every problem.
# RowNormaliser gives the same record for the same cells, faster: the cells of a file repeat
# (dates, IPC cells, applicants, addresses, statuses, legal events), so each field's result is
# kept per raw cell, and canonical publication and application numbers skip the normalisers.
# Anything unusual — a value that raises, a cell that is not text — is handed to normalise_row,
# so error messages and edge cases are exactly the reference's.

_CACHE_CAP = 100_000  # entries per field cache; a full cache starts again (memory stays flat)
_CANON_PN = re.compile(r"^(?:CN\d{5,13}[A-Z]\d?|[A-Z]{2}\d{5,13}(?:[A-Z]\d?)?)$")
_CANON_APP = re.compile(r"^CN(\d{12}|\d{8})\.([0-9X])$")
_SPACES = re.compile(r"\s+")
_EVENT_SPLIT = re.compile(r"[;；\n]+")


class _Slow(Exception):
    """The fast path met something it leaves to normalise_row."""


def _memo(func, default=None, copy=False):
    """func per raw text cell, cached; an empty cell (see _is_empty) gives `default`."""
    cache: dict = {}

    def cached(value):
        hit = cache.get(value, cache)
        if hit is cache:
            hit = default if value.strip() in _EMPTY else func(value)
            if len(cache) >= _CACHE_CAP:
                cache.clear()
            cache[value] = hit
        return list(hit) if copy and hit is not None else hit

    return cached


def _publication_number(value: str) -> str:
    return value if _CANON_PN.fullmatch(value) else n.normalize_publication_number(value)


def _pn_cell(value: str) -> str:
    """A publication number cell ("" when empty); publication numbers are unique, not cached."""
    return "" if value.strip() in _EMPTY else _publication_number(value)


_WEIGHTS = n._APP_WEIGHTS
_CHECK_CHARS = "0123456789X"


def _application_number(value: str) -> str:
    """normalize_application_number, with the canonical spelling checked in one C pass."""
    match = _CANON_APP.fullmatch(value)
    if match:
        digits = match.group(1).encode()
        total = sum(map(operator.mul, digits, _WEIGHTS)) - 48 * sum(_WEIGHTS[:len(digits)])
        if _CHECK_CHARS[total % 11] == match.group(2):
            return value
    return n.normalize_application_number(value)


def _event(item: str):
    match = _EVENT_RE.match(item)
    date, rest = (_iso(match.group(1)), match.group(2)) if match else ("", item)
    event, _sep, detail = rest.partition("：") if "：" in rest else rest.partition(":")
    event, detail = event.strip(), detail.strip()
    return {"date": date, "event": event, "detail": detail} if event or detail else None


def _event_key(event: dict):
    return event["date"] == "", event["date"]


class RowNormaliser:
    """normalise_row for the rows of one file: `fields` are the mapped fields in the order
    the row's values come (see `values()`), `columns` names their source columns."""

    def __init__(self, fields, columns: dict):
        self.fields, self.columns = tuple(fields), columns
        self.has_status_raw = "legal_status_raw" in self.fields
        self._events: dict[str, dict | None] = {}
        self._pn = _pn_cell
        self._app = lambda v: "" if v.strip() in _EMPTY else _application_number(v)
        self._grant = _memo(_publication_number, "")
        self._names = _memo(_name_list, [], copy=True)
        self._agency = _memo(lambda v: _name(v)[:200], "")
        self._date = _memo(_date)
        self._count = _memo(_count, 0)
        self._numbers = _memo(_numbers, [], copy=True)
        self._type: dict = {}
        self._applicants: dict = {}
        self._ipc: dict = {}
        self._cpc: dict = {}
        self._status: dict = {}
        self._priorities: dict = {}

    def __call__(self, values: list) -> dict:
        for value in values:
            if value.__class__ is not str:
                break
        else:
            try:
                return self._fast(dict(zip(self.fields, values, strict=True)))
            except Exception:  # noqa: BLE001, S110 — the reference below reports it properly
                pass
        return normalise_row(dict(zip(self.fields, values, strict=True)), self.columns)

    @staticmethod
    def _put(cache: dict, key, value):
        if len(cache) >= _CACHE_CAP:
            cache.clear()
        cache[key] = value
        return value

    def _legal_events(self, value: str) -> list[dict]:
        if value.strip() in _EMPTY:
            return []
        cache, events = self._events, []
        for item in _EVENT_SPLIT.split(value):
            event = cache.get(item, cache)
            if event is cache:
                stripped = item.strip()
                event = self._put(cache, item, _event(stripped) if stripped else None)
            if event is not None:
                events.append(event)
        events.sort(key=_event_key)
        return events

    def _fast(self, cells: dict) -> dict:  # noqa: C901, PLR0912, PLR0915 — mirrors normalise_row
        get = cells.get
        publication_number = self._pn(get("publication_number") or "")
        if not publication_number:
            raise _Slow
        title = _SPACES.sub(" ", (get("title") or "").strip())
        if not title:
            raise _Slow
        application_number = self._app(get("application_number") or "")
        grant_number = self._grant(get("grant_number") or "")
        kind = ((get("patent_type") or "").strip(), publication_number[:2], publication_number[-2:],
                application_number[:12])
        patent_type = self._type.get(kind)
        if patent_type is None:
            patent_type = self._put(self._type, kind, n.normalize_patent_type(
                kind[0], publication_number=publication_number, application_number=application_number))

        key = (get("applicants"), get("applicant_type"), get("applicant_address"))
        hit = self._applicants.get(key)
        if hit is None:
            raw_applicants, raw_type = key[0], key[1]
            names = _name_list(raw_applicants) if not _is_empty(raw_applicants) else []
            types = re.split(r"[;；|]+", _text(raw_type))
            address = _address(key[2])
            applicants = []
            for index, name in enumerate(names):
                kind_cell = types[index].strip() if index < len(types) else ""
                applicants.append({"name": name, "address": address if index == 0 else "", "province": "",
                                   "city": "", "county": "", "type": _applicant_type(kind_cell, name)})
            first = applicants[0] if applicants else None
            if first is None and not _is_empty(raw_type):
                applicant_type = _applicant_type(_text(raw_type), "")
            else:
                applicant_type = first["type"] if first else ApplicantType.OTHER
            hit = self._put(self._applicants, key, (applicants, applicant_type))
        applicants = [dict(a) for a in hit[0]]
        applicant_type = hit[1]

        key = (get("ipc_codes"), get("ipc_main"))
        hit = self._ipc.get(key)
        if hit is None:
            ipc_codes = _ipc_list(key[0]) if not _is_empty(key[0]) else []
            ipc_main = _ipc(key[1]) if not _is_empty(key[1]) else ""
            if ipc_main and ipc_main not in ipc_codes:
                ipc_codes.insert(0, ipc_main)
            ipc_main = ipc_main or (ipc_codes[0] if ipc_codes else "")
            hit = self._put(self._ipc, key, (ipc_main, ipc_codes))
        ipc_main, ipc_codes = hit[0], list(hit[1])

        key = (get("cpc_main"), get("cpc_codes"))
        cpc_codes = self._cpc.get(key)
        if cpc_codes is None:
            cpc_codes = [] if _is_empty(key[0]) and _is_empty(key[1]) else \
                _cpc_list(*(v for v in key if not _is_empty(v)))
            self._put(self._cpc, key, cpc_codes)
        cpc_codes = list(cpc_codes)

        key = (get("legal_status"), get("legal_status_raw"))
        hit = self._status.get(key)
        if hit is None:
            raw_status = key[0]
            legal_status_raw = _text(key[1]) if self.has_status_raw else n._clean(raw_status)
            legal_status = _status(_text(raw_status)) if not _is_empty(raw_status) else \
                _status(legal_status_raw) if legal_status_raw else LegalStatus.UNKNOWN
            hit = self._put(self._status, key, (legal_status, legal_status_raw[:100]))
        legal_status, legal_status_raw = hit

        key = (get("priorities"), get("priority_dates"))
        priorities = self._priorities.get(key)
        if priorities is None:
            priorities = parse_priorities(*key) if not _is_empty(key[0]) else []
            self._put(self._priorities, key, priorities)
        priorities = [dict(p) for p in priorities]

        names, date, count, numbers = self._names, self._date, self._count, self._numbers
        first = applicants[0] if applicants else None
        return {
            "publication_number": publication_number,
            "application_number": application_number,
            "grant_number": grant_number,
            "patent_type": patent_type,
            "title": title[:500],
            "abstract": (get("abstract") or "").strip(),
            "first_claim": (get("first_claim") or "").strip(),
            "applicants": applicants,
            "first_applicant": first["name"][:300] if first else "",
            "applicant_type": applicant_type,
            "current_holders": names(get("current_holders") or ""),
            "province": (get("province") or "").strip()[:20],
            "province_code": (get("province_code") or "").strip(),
            "city": (get("city") or "").strip()[:30],
            "county": (get("county") or "").strip()[:30],
            "league_code": (get("league_code") or "").strip()[:6],
            "banner_code": (get("banner_code") or "").strip()[:6],
            "inventors": names(get("inventors") or ""),
            "agency": self._agency(get("agency") or ""),
            "agents": names(get("agents") or ""),
            "ipc_main": ipc_main,
            "ipc_codes": ipc_codes,
            "cpc_codes": cpc_codes,
            "priorities": priorities,
            "application_date": date(get("application_date") or ""),
            "publication_date": date(get("publication_date") or ""),
            "grant_date": date(get("grant_date") or ""),
            "legal_status": legal_status,
            "legal_status_raw": legal_status_raw,
            "legal_events": self._legal_events(get("legal_events") or ""),
            "citation_count": count(get("citation_count") or ""),
            "cited_patents": numbers(get("cited_patents") or ""),
            "family": numbers(get("family") or ""),
            "family_size": count(get("family_size") or ""),
            "transfer_count": count(get("transfer_count") or ""),
            "licence_count": count(get("licence_count") or ""),
            "pledge_count": count(get("pledge_count") or ""),
            "claims_count": count(get("claims_count") or ""),
        }


def record_hash(record: dict) -> str:
    """The content hash (32 hex digits) of the normalised fields, RECORD_FIELDS in order:
    equal hashes mean nothing to write, whatever the file's layout (CSV, Excel, JSONL)."""
    payload = orjson.dumps([record[name] for name in RECORD_FIELDS], default=str)
    return hashlib.blake2b(payload, digest_size=16).hexdigest()

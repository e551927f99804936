"""The tantivy side of patent search: the schema, one document per Patent, and the compiler
from the query tree (search.query) to tantivy queries.

Text is indexed pre-segmented (search.tokenize) with the whitespace tokenizer; every keyword
(numbers, names, IPC codes and their prefixes, regions, kinds) is a raw term, and everything
the facets and analytics count is a fast field, so aggregations run in tantivy's columnar
store instead of Python. What a hit shows is one stored JSON payload: one read per hit.

Schema versions (an index written with another version is emptied and rebuilt, see
engine.PatentSearchEngine._check_version):
1. the first schema;
2. navigation analytics (专利导航): `banner` (the first applicant's Inner Mongolia banner/county,
   GB/T 2260) as a fast keyword; the value indicators `citations`, `family`, `transfers`,
   `licences`, `pledges` and `claims` as unsigned fast fields (summed by aggregations, read per
   hit without a document fetch); `key`, the key-patent score (see key_score), as a float fast
   field, so "the key patents of a query" is one search ordered by it; `pn_code`, the
   publication number packed into an integer (pn_code), so a query's publication-number set is
   read from the column store as the sort keys of one search instead of decompressing one
   stored document per hit (`pn` is a fast field too, for the numbers pn_code cannot pack);
   and `applicant_n`, the number of applicants, so co-applicant analyses run over co-applied
   patents only.
"""

import bisect
import re

import orjson
import tantivy

from . import query as q
from .tokenize import analyze, analyze_precise, analyze_short, tokenize, tokenize_index

SCHEMA_VERSION = 2
RAW_FIELDS = ("pn", "an", "inventor", "ipc", "mipc")
FAST_RAW_FIELDS = ("applicant", "ipc_subclass", "ipc_group", "ipc_section", "province", "city", "league",
                   "banner", "type", "status", "applicant_type")
TEXT_FIELDS = ("title", "abstract", "claim", "applicant_text")
INT_FIELDS = ("year", "ad", "pd", "gd")
# Value indicators of a patent (Patent field → fast field), summed and read per hit by analytics.
COUNT_FIELDS = {"citation_count": "citations", "family_size": "family", "transfer_count": "transfers",
                "licence_count": "licences", "pledge_count": "pledges", "claims_count": "claims"}
KEY_FIELD = "key"

# The weights of key_score (module constants, so a reader sees the formula in one place).
KEY_WEIGHTS = {"citations": 2.0, "family": 1.0, "transfers": 3.0, "licences": 3.0, "pledges": 2.0, "claims": 0.5}


def key_score(*, citations: int = 0, family: int = 0, transfers: int = 0, licences: int = 0, pledges: int = 0,
              claims: int = 0) -> float:
    """The key-patent (核心专利) score indexed as the `key` fast field:

        key = 2 × citations + 1 × family size + 3 × (transfers + licences) + 2 × pledges + 0.5 × claims

    Forward citations are the classic technical-influence signal; the family size says how
    many jurisdictions the owner paid to protect it in; a transfer, licence or pledge is a
    market that valued the patent (the strongest signal, hence 3 — a pledge 2, as a bank's
    valuation is one step removed from use); claims measure the breadth of protection (half a
    point each, so 20 claims weigh like 5 citations). Counts are as imported (0 when the
    source had none), so the score only ranks patents whose sources carry these fields.
    """
    return (KEY_WEIGHTS["citations"] * citations + KEY_WEIGHTS["family"] * family
            + KEY_WEIGHTS["transfers"] * transfers + KEY_WEIGHTS["licences"] * licences
            + KEY_WEIGHTS["pledges"] * pledges + KEY_WEIGHTS["claims"] * claims)


# Query field code → index fields (text) or the raw field it is a term of.
TEXT_FIELD_MAP = {"TI": ("title",), "AB": ("abstract",), "CL": ("claim",), "TIAB": ("title", "abstract"),
                  "PA": ("applicant_text",)}
TERM_FIELD_MAP = {"PN": "pn", "AN": "an", "IN": "inventor", "PR": "province", "CITY": "city",
                  "LS": "status", "TYPE": "type"}
DATE_FIELD_MAP = {"AD": "ad", "PD": "pd", "GD": "gd"}
BOOSTS = {"title": 2.0, "abstract": 1.0, "claim": 1.0, "applicant_text": 1.0}


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("pn", stored=True, tokenizer_name="raw", fast=True)
    for name in RAW_FIELDS[1:]:
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    for name in FAST_RAW_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name="whitespace")
    for name in INT_FIELDS:
        builder.add_integer_field(name, indexed=True, fast=True)
    for name in COUNT_FIELDS.values():
        builder.add_unsigned_field(name, fast=True)
    builder.add_float_field(KEY_FIELD, fast=True)
    builder.add_unsigned_field("applicant_n", indexed=True, fast=True)
    builder.add_unsigned_field("pn_code", fast=True)
    builder.add_bytes_field("payload", stored=True)
    return builder.build()


# --- Publication numbers packed into integers ---------------------------------------------------
# A canonical publication number (normalize.normalize_publication_number: CN218751475U,
# CN100000001A, US1234567B2, …) is a country, 5–13 digits and an optional kind code (a letter and
# an optional digit). Packed in mixed radix — country (26²) × kind (1 + 26 × 11) × the digit
# strings of 5 to 13 digits (leading zeros kept: each length has a range of its own) — it fits in
# 63 bits; 0 stands for a number that does not fit that pattern.
_PN_PATTERN = re.compile(r"([A-Z]{2})(\d{5,13})(?:([A-Z])(\d?))?")
_PN_DIGIT_BASE = [sum(10 ** k for k in range(5, length)) for length in range(5, 15)]  # start of each length
_PN_DIGITS = _PN_DIGIT_BASE[-1]  # every digit string of 5–13 digits
_PN_KINDS = 1 + 26 * 11
_pn_prefixes: dict[int, tuple[str, str]] = {}


def pn_code(number: str) -> int:
    """The publication number packed into a positive integer below 2⁶³ (0: it cannot be)."""
    match = _PN_PATTERN.fullmatch(number or "")
    if not match:
        return 0
    country, digits, letter, kind_digit = match.groups()
    kind = 0 if not letter else 1 + (ord(letter) - 65) * 11 + (int(kind_digit) + 1 if kind_digit else 0)
    head = ((ord(country[0]) - 65) * 26 + ord(country[1]) - 65) * _PN_KINDS + kind
    return head * _PN_DIGITS + _PN_DIGIT_BASE[len(digits) - 5] + int(digits) + 1


def _pn_affixes(head: int) -> tuple[str, str]:
    """(country, kind code) of the high part of a pn_code."""
    affixes = _pn_prefixes.get(head)
    if affixes is None:
        country, kind = divmod(head, _PN_KINDS)
        letters = chr(65 + country // 26) + chr(65 + country % 26)
        if kind:
            letter, digit = divmod(kind - 1, 11)
            affixes = (letters, chr(65 + letter) + (str(digit - 1) if digit else ""))
        else:
            affixes = (letters, "")
        affixes = _pn_prefixes[head] = affixes
    return affixes


def pn_decode(codes) -> list[str]:
    """The publication numbers of pn_code values (none of them 0), in ascending code order.

    Codes are taken as runs sharing a country, a kind and a digit count (found by bisection in
    the sorted codes), so each number costs one subtraction and one format — 50,000 numbers in
    ~15 ms instead of ~45 ms decoding each code on its own."""
    codes = sorted(codes)
    out: list[str] = []
    extend, find = out.extend, bisect.bisect_left
    base, space = _PN_DIGIT_BASE, _PN_DIGITS
    i, n = 0, len(codes)
    while i < n:
        head = (codes[i] - 1) // space
        start = head * space + 1
        end = find(codes, start + space, i)
        country, kind = _pn_affixes(head)
        for index in range(len(base) - 1):
            low = find(codes, start + base[index], i, end)
            high = find(codes, start + base[index + 1], low, end)
            if low < high:
                offset, width = start + base[index], index + 5
                extend([f"{country}{code - offset:0{width}d}{kind}" for code in codes[low:high]])
        i = end
    return out


def _ymd(date) -> int | None:
    return date.year * 10000 + date.month * 100 + date.day if date else None


def ipc_prefixes(code: str) -> list[str]:
    """Section, class, subclass, main group and the code itself: IPC=H01M is then one term."""
    parts = [code[:1], code[:3], code[:4]]
    if "/" in code:
        parts.append(code.split("/", 1)[0] + "/00")
    parts.append(code)
    return [p for p in parts if p]


# What a document is built from, in this order (see index_values): an import ships these
# tuples to the process that writes the index instead of whole records.
INDEX_FIELDS = ("publication_number", "application_number", "title", "abstract", "first_claim", "applicants",
                "first_applicant", "inventors", "ipc_main", "ipc_codes", "application_date", "publication_date",
                "grant_date", "patent_type", "legal_status", "province", "city", "league_code", "applicant_type",
                "banner_code", *COUNT_FIELDS)
_CACHE_CAP = 100_000


def _bounded(cache: dict, key, value):
    if len(cache) >= _CACHE_CAP:
        cache.clear()
    cache[key] = value
    return value


_ipc_terms_cache: dict = {}
_region_cache: dict = {}


def _ipc_terms(ipc_main: str, codes: tuple) -> tuple:
    """(codes, ipc prefixes, subclasses, groups, sections, main-code prefixes) of a record's
    IPC codes; the same code sets recur on thousands of records, so they are kept."""
    key = (ipc_main, codes)
    hit = _ipc_terms_cache.get(key)
    if hit is not None:
        return hit
    codes = [c for c in codes if c]
    ipc_main = ipc_main or (codes[0] if codes else "")
    if ipc_main and ipc_main not in codes:
        codes.insert(0, ipc_main)
    prefixes: dict[str, None] = {}
    subclasses: dict[str, None] = {}
    groups: dict[str, None] = {}
    sections: dict[str, None] = {}
    for code in codes:
        for prefix in ipc_prefixes(code):
            prefixes[prefix] = None
        if len(code) >= 4:
            subclasses[code[:4]] = None
        if "/" in code:
            groups[code.split("/", 1)[0] + "/00"] = None
        sections[code[:1]] = None
    return _bounded(_ipc_terms_cache, key, (ipc_main, codes, list(prefixes), list(subclasses), list(groups),
                                            list(sections), ipc_prefixes(ipc_main) if ipc_main else []))


def _regions(province: str, city: str) -> tuple[str, str]:
    key = (province, city)
    hit = _region_cache.get(key)
    if hit is None:
        hit = _bounded(_region_cache, key, (q.normalize_province(province), q.normalize_city(city)))
    return hit


def index_values(record) -> tuple:
    """The INDEX_FIELDS of a record (a dict of Patent fields), plain values cheap to pickle."""
    get = record.get
    applicants = tuple(a.get("name", "") for a in (get("applicants") or []) if a.get("name"))
    return (get("publication_number"), get("application_number") or "", get("title") or "", get("abstract") or "",
            get("first_claim") or "", applicants, get("first_applicant") or "", tuple(get("inventors") or ()),
            get("ipc_main") or "", tuple(get("ipc_codes") or ()), _ymd(get("application_date")),
            _ymd(get("publication_date")), _ymd(get("grant_date")), get("patent_type") or "",
            get("legal_status") or "", get("province") or "", get("city") or "", get("league_code") or "",
            get("applicant_type") or "", get("banner_code") or "", *(int(get(name) or 0) for name in COUNT_FIELDS))


def patent_document(patent, schema: tantivy.Schema) -> tantivy.Document:
    """The index document of one Patent (model instance or any object with its attributes)."""
    record = {name: getattr(patent, name, None) for name in INDEX_FIELDS}
    return document_from_values(index_values(record), schema)


def document_from_values(values: tuple, schema: tantivy.Schema) -> tantivy.Document:
    """The index document of one record's INDEX_FIELDS (see index_values)."""
    (number, application_number, title, abstract, first_claim, applicants, first_applicant, inventors, ipc_main,
     codes, ad, pd, gd, patent_type, legal_status, province, city, league_code, applicant_type, banner_code,
     *counts) = values
    if not applicants and first_applicant:
        applicants = (first_applicant,)
    ipc_main, codes, prefixes, subclasses, groups, sections, main_prefixes = _ipc_terms(ipc_main, codes)
    inventors = list(inventors)
    applicants = list(applicants)
    payload = {
        "t": title, "a": abstract, "ap": applicants, "in": inventors[:20],
        "im": ipc_main, "ic": codes[:30], "ty": patent_type, "ls": legal_status,
        "an": application_number, "ad": ad, "pd": pd, "gd": gd, "pr": province,
        "ci": city, "lg": league_code, "bn": banner_code, "at": applicant_type,
    }
    province_term, city_term = _regions(province, city)
    data = {
        "pn": number,
        "inventor": inventors,
        "ipc": prefixes,
        "mipc": main_prefixes,
        "applicant": applicants,
        "ipc_subclass": subclasses,
        "ipc_group": groups,
        "ipc_section": sections,
        "title": analyze(title),
        "abstract": analyze(abstract),
        "claim": analyze_precise(first_claim),
        "applicant_text": analyze_short(" ".join(applicants)),
        "payload": orjson.dumps(payload),
    }
    indicators = dict(zip(COUNT_FIELDS.values(), counts, strict=True))
    data.update(indicators)
    data[KEY_FIELD] = key_score(**indicators)
    data["applicant_n"] = len(applicants)
    data["pn_code"] = pn_code(number)
    # An empty keyword would be a term (and a facet bucket) of its own: only set ones are added.
    for name, value in (("an", application_number), ("province", province_term), ("city", city_term),
                        ("league", league_code), ("banner", banner_code), ("type", patent_type),
                        ("status", legal_status),
                        ("applicant_type", applicant_type)):
        if value:
            data[name] = value
    if ad:
        data["ad"] = ad
        data["year"] = ad // 10000
    if pd:
        data["pd"] = pd
    if gd:
        data["gd"] = gd
    return tantivy.Document.from_dict(data, schema)


# --- Compiling the query tree -------------------------------------------------------------------

Occur = tantivy.Occur
Query = tantivy.Query


def _all(queries: list, occur=Occur.Must):
    if len(queries) == 1 and occur in (Occur.Must, Occur.Should):
        return queries[0]
    return Query.boolean_query([(occur, item) for item in queries])


class Compiler:
    def __init__(self, schema: tantivy.Schema):
        self.schema = schema

    def compile(self, node):
        if isinstance(node, q.MatchAll):
            return Query.all_query()
        if isinstance(node, q.Term):
            return self.term(node)
        if isinstance(node, q.TermSet):
            return Query.term_set_query(self.schema, TERM_FIELD_MAP[node.field], list(node.values))
        if isinstance(node, q.DateRange):
            return Query.range_query(self.schema, DATE_FIELD_MAP[node.field], tantivy.FieldType.Integer,
                                     node.lower, node.upper)
        if isinstance(node, q.And):
            clauses = []
            for child in node.children:
                if isinstance(child, q.Not):
                    clauses.append((Occur.MustNot, self.compile(child.child)))
                else:
                    clauses.append((Occur.Must, self.compile(child)))
            if all(occur == Occur.MustNot for occur, _ in clauses):
                clauses.append((Occur.Must, Query.all_query()))
            return Query.boolean_query(clauses)
        if isinstance(node, q.Or):
            return Query.boolean_query([(Occur.Should, self.compile(child)) for child in node.children])
        if isinstance(node, q.Not):
            return Query.boolean_query([(Occur.Must, Query.all_query()),
                                        (Occur.MustNot, self.compile(node.child))])
        raise TypeError(f"unknown query node {node!r}")

    def term(self, node: q.Term):
        schema = self.schema
        if node.field in TEXT_FIELD_MAP:
            fields = TEXT_FIELD_MAP[node.field]
            if node.phrase:
                tokens = tokenize_index(node.value)
                if len(tokens) > 1:
                    return _all([self._boost(f, Query.phrase_query(schema, f, tokens)) for f in fields],
                                Occur.Should)
            else:
                tokens = list(dict.fromkeys(tokenize(node.value)))
            if not tokens:
                return Query.all_query()  # only stop words: they restrict nothing
            per_token = [
                _all([self._boost(f, Query.term_query(schema, f, token)) for f in fields], Occur.Should)
                for token in tokens
            ]
            text_query = _all(per_token)
            if node.field == "PA":
                exact = Query.term_query(schema, "applicant", node.value)
                return Query.boolean_query([(Occur.Should, text_query), (Occur.Should, exact)])
            return text_query
        if node.field in ("IPC", "MIPC"):
            field = "ipc" if node.field == "IPC" else "mipc"
            if "/" in node.value and not node.value.endswith("/00"):
                # A subgroup: its own code and every deeper subgroup written with more digits.
                return Query.regex_query(schema, field, re.escape(node.value) + ".*")
            return Query.term_query(schema, field, node.value)
        return Query.term_query(schema, TERM_FIELD_MAP[node.field], node.value)

    @staticmethod
    def _boost(field: str, query):
        boost = BOOSTS.get(field, 1.0)
        return query if boost == 1.0 else Query.boost_query(query, boost)


FILTER_FIELDS = {"year": "year", "ipc_subclass": "ipc_subclass", "applicant": "applicant",
                 "province": "province", "type": "type", "legal_status": "status", "league": "league",
                 "ipc_section": "ipc_section", "ipc_group": "ipc_group", "applicant_type": "applicant_type",
                 "city": "city", "banner": "banner"}


def filter_queries(schema: tantivy.Schema, filters: dict | None) -> list:
    """One term-set query per filter key (values OR-ed), to be AND-ed with the search."""
    queries = []
    for key, values in (filters or {}).items():
        if values in (None, "", []):
            continue
        if key not in FILTER_FIELDS:
            raise ValueError(f"unknown filter {key!r}; known: {', '.join(FILTER_FIELDS)}")
        if not isinstance(values, list | tuple | set):
            values = [values]
        if key == "year":
            values = [int(v) for v in values]
        elif key == "province":
            values = [q.normalize_province(str(v)) for v in values]
        elif key == "city":
            values = [q.normalize_city(str(v)) for v in values]
        else:
            values = [str(v) for v in values]
        queries.append(Query.term_set_query(schema, FILTER_FIELDS[key], list(values)))
    return queries

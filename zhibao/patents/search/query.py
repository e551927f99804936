"""The query language of the Chinese patent databases, parsed into an engine-independent tree.

Analysts paste expressions such as `TI=锂离子电池 AND IPC=H01M AND AD=[2019 TO 2022]` from
CNIPA's and the commercial databases' search pages, so the platform reads the same syntax:

* field codes `TI AB CL TIAB PA IN IPC MIPC PN AN AD PD GD PR CITY LS TYPE` (any case, or
  the Chinese names 名称 摘要 …) followed by `=`; the date fields also take `>= <= > <` and
  ranges `[2019 TO 2022]`; `field=(a OR b)` applies the field to the whole group;
* `AND OR NOT` (any case, or 与 或 非), parentheses, quoted phrases "…", bare words (title and
  abstract); adjacent terms without an operator are AND-ed.

The tree (Term, DateRange, And, Or, Not, MatchAll) is what the backend compiles, so the parser
can be tested without an index and a second backend (OpenSearch) reuses it. Every error is a
`QuerySyntaxError` carrying the 0-based position and what was expected there.
"""

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ..choices import LegalStatus
from ..normalize import (
    NormalizeError,
    normalize_application_number,
    normalize_legal_status,
    normalize_patent_type,
    normalize_publication_number,
    parse_ipc,
)


class QuerySyntaxError(ValueError):
    """A query the parser cannot read; `position` is 0-based, the message counts from 1."""

    def __init__(self, message: str, position: int, expected: str = ""):
        super().__init__(message)
        self.message = message
        self.position = position
        self.expected = expected

    def __str__(self) -> str:
        return self.message


# --- The tree ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """`field` is a canonical field code; `value` the normalised value; `phrase` for "…"."""

    field: str
    value: str
    phrase: bool = False
    position: int = 0


@dataclass(frozen=True)
class TermSet:
    """One of several values of a keyword field (LS=无权 means every dead status)."""

    field: str
    values: tuple[str, ...]
    position: int = 0


@dataclass(frozen=True)
class DateRange:
    """Inclusive bounds as yyyymmdd integers; None is open."""

    field: str
    lower: int | None
    upper: int | None
    position: int = 0


@dataclass(frozen=True)
class And:
    children: tuple = field(default_factory=tuple)


@dataclass(frozen=True)
class Or:
    children: tuple = field(default_factory=tuple)


@dataclass(frozen=True)
class Not:
    child: object = None


@dataclass(frozen=True)
class MatchAll:
    pass


TEXT_FIELDS = ("TI", "AB", "CL", "TIAB", "PA")
DATE_FIELDS = ("AD", "PD", "GD")
_BARE_GROUP = re.compile(r"^[A-Ha-h]\d{2}[A-Za-z]\d{1,4}$")
FIELDS = TEXT_FIELDS + ("IN", "IPC", "MIPC", "PN", "AN") + DATE_FIELDS + ("PR", "CITY", "LS", "TYPE")
FIELD_ALIASES = {
    "名称": "TI", "标题": "TI", "摘要": "AB", "权利要求": "CL", "主权项": "CL", "关键词": "TIAB",
    "申请人": "PA", "专利权人": "PA", "发明人": "IN", "分类号": "IPC", "主分类号": "MIPC",
    "公开号": "PN", "公告号": "PN", "申请号": "AN", "申请日": "AD", "公开日": "PD", "授权日": "GD",
    "公告日": "GD", "省份": "PR", "省": "PR", "城市": "CITY", "法律状态": "LS", "类型": "TYPE",
    "专利类型": "TYPE", "TA": "TIAB", "AP": "PA", "APD": "AD",
}
OPERATORS = {"AND": "AND", "OR": "OR", "NOT": "NOT", "与": "AND", "或": "OR", "非": "NOT",
             "&&": "AND", "||": "OR"}

# 有效/有权 = in force; 无权/失效 in the databases' sense = any dead status.
_DEAD = (LegalStatus.LAPSED, LegalStatus.EXPIRED, LegalStatus.INVALIDATED, LegalStatus.WITHDRAWN,
         LegalStatus.REJECTED)
LEGAL_STATUS_WORDS = {
    "有效": (LegalStatus.GRANTED,), "有权": (LegalStatus.GRANTED,), "授权": (LegalStatus.GRANTED,),
    "审中": (LegalStatus.PENDING,), "在审": (LegalStatus.PENDING,), "无权": _DEAD, "失效": _DEAD,
    "无效": (LegalStatus.INVALIDATED,), "alive": (LegalStatus.PENDING, LegalStatus.GRANTED),
    "dead": _DEAD,
}

_PROVINCE_SUFFIX = re.compile(r"(壮族自治区|回族自治区|维吾尔自治区|特别行政区|自治区|省|市)$")
_CITY_SUFFIX = re.compile(r"(地区|自治州|市|盟)$")


@functools.lru_cache(maxsize=4096)
def normalize_province(value: str) -> str:
    """内蒙古自治区 and 内蒙古 are one province: both sides of the index drop the suffix."""
    return _PROVINCE_SUFFIX.sub("", (value or "").strip()) or (value or "").strip()


@functools.lru_cache(maxsize=4096)
def normalize_city(value: str) -> str:
    return _CITY_SUFFIX.sub("", (value or "").strip()) or (value or "").strip()


# --- Lexer -------------------------------------------------------------------------------------

_QUOTES = {"“": '"', "”": '"', "「": '"', "」": '"', "＂": '"'}
_SPECIAL = set('()[]"=<>')
_COMPARATORS = (">=", "<=", "=", ">", "<")


@dataclass
class Token:
    kind: str  # WORD PHRASE FIELD LPAREN RPAREN LBRACKET RBRACKET OP EOF
    text: str
    position: int
    op: str = ""  # the comparator of a FIELD token


def _fold(query: str) -> str:
    """Full-width forms to ASCII one character at a time, so positions stay the user's."""
    out = []
    for char in query:
        if char in _QUOTES:
            out.append(_QUOTES[char])
            continue
        folded = unicodedata.normalize("NFKC", char) if ord(char) > 0x2FFF else char
        out.append(folded if len(folded) == 1 else char)
    return "".join(out).replace("\u3000", " ")


def _error(message: str, position: int, expected: str = "") -> QuerySyntaxError:
    return QuerySyntaxError(message, position, expected)


def _expected_error(position: int, expected: str) -> QuerySyntaxError:
    return _error(
        _("Character %(number)d: expected %(expected)s.") % {"number": position + 1, "expected": expected},
        position, expected,
    )


def lex(query: str) -> list[Token]:
    text = _fold(query)
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char == "(":
            tokens.append(Token("LPAREN", char, i))
            i += 1
        elif char == ")":
            tokens.append(Token("RPAREN", char, i))
            i += 1
        elif char == "[":
            tokens.append(Token("LBRACKET", char, i))
            i += 1
        elif char == "]":
            tokens.append(Token("RBRACKET", char, i))
            i += 1
        elif char == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise _expected_error(n, '"')
            tokens.append(Token("PHRASE", text[i + 1:end], i))
            i = end + 1
        elif char in "=<>":
            raise _error(
                _("Character %(number)d: a field code (such as TI or AD) must come before %(op)s.")
                % {"number": i + 1, "op": char}, i, _("field code"),
            )
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in _SPECIAL:
                i += 1
            word = text[start:i]
            comparator = next((c for c in _COMPARATORS if text.startswith(c, i)), None)
            if comparator:
                code = word.upper()
                code = FIELD_ALIASES.get(word, FIELD_ALIASES.get(code, code))
                if code not in FIELDS:
                    raise _error(
                        _("Character %(number)d: unknown field %(field)s (known fields: %(fields)s).")
                        % {"number": start + 1, "field": word, "fields": " ".join(FIELDS)},
                        start, _("field code"),
                    )
                tokens.append(Token("FIELD", code, start, comparator))
                i += len(comparator)
            elif word.upper() in OPERATORS or word in OPERATORS:
                tokens.append(Token("OP", OPERATORS.get(word.upper(), OPERATORS.get(word)), start))
            else:
                tokens.append(Token("WORD", word, start))
    tokens.append(Token("EOF", "", n))
    return tokens


# --- Parser ------------------------------------------------------------------------------------

_DATE_FORMS = (
    (re.compile(r"^(\d{4})$"), "y"),
    (re.compile(r"^(\d{4})[-./年](\d{1,2})月?$"), "ym"),
    (re.compile(r"^(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?$"), "ymd"),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), "ymd"),
    (re.compile(r"^(\d{4})(\d{2})$"), "ym"),
)


# Patent dates lie well inside these years; the bounds keep date arithmetic (a day before or
# after) from overflowing on 0001 or 9999.
MIN_YEAR, MAX_YEAR = 1800, 2199
MAX_DEPTH = 40  # nested parentheses / NOTs: analysts write three or four levels
MAX_QUERY_LENGTH = 4000


def _date_span(text: str, position: int) -> tuple[dt.date, dt.date]:
    """The first and last day a date value covers: 2020 is the whole year, 2020-05 the month."""
    for pattern, form in _DATE_FORMS:
        match = pattern.match(text)
        if not match:
            continue
        parts = [int(g) for g in match.groups()]
        if not MIN_YEAR <= parts[0] <= MAX_YEAR:
            raise _error(
                _("Character %(number)d: the year %(year)d is outside %(min)d–%(max)d.")
                % {"number": position + 1, "year": parts[0], "min": MIN_YEAR, "max": MAX_YEAR}, position, _("date"),
            )
        try:
            if form == "y":
                return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)
            if form == "ym":
                first = dt.date(parts[0], parts[1], 1)
                following = dt.date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
                return first, following - dt.timedelta(days=1)
            day = dt.date(*parts)
            return day, day
        except ValueError:
            break
    raise _error(
        _("Character %(number)d: %(value)s is not a date (write 2020, 2020-05 or 2020-05-01).")
        % {"number": position + 1, "value": text}, position, _("date"),
    )


def _ymd(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


_SUBCLASS = re.compile(r"^[A-Ha-h]\d{2}[A-Za-z]$")
_GROUP = re.compile(r"^\d{1,4}/\d{1,6}$")


class Parser:
    def __init__(self, query: str):
        self.query = query
        self.tokens = lex(query)
        self.index = 0

    # helpers
    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, kind: str, shown: str) -> Token:
        if self.token.kind != kind:
            raise _expected_error(self.token.position, shown)
        return self.advance()

    def starts_operand(self) -> bool:
        token = self.token
        return token.kind in ("WORD", "PHRASE", "FIELD", "LPAREN") or (token.kind == "OP" and token.text == "NOT")

    # grammar
    def parse(self):
        if self.token.kind == "EOF":
            return MatchAll()
        node = self.parse_or(None)
        if self.token.kind != "EOF":
            if self.token.kind == "RPAREN":
                raise _error(
                    _("Character %(number)d: this ) has no matching (.") % {"number": self.token.position + 1},
                    self.token.position, _("operator or end of query"),
                )
            raise _expected_error(self.token.position, _("AND, OR, NOT or the end of the query"))
        return node

    def parse_or(self, field_code):
        children = [self.parse_and(field_code)]
        while self.token.kind == "OP" and self.token.text == "OR":
            self.advance()
            children.append(self.parse_and(field_code))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self, field_code):
        children = [self.parse_unary(field_code)]
        while True:
            if self.token.kind == "OP" and self.token.text == "AND":
                self.advance()
                children.append(self.parse_unary(field_code))
            elif self.starts_operand():
                children.append(self.parse_unary(field_code))
            else:
                break
        return children[0] if len(children) == 1 else And(tuple(children))

    def nest(self, position: int) -> None:
        self.depth = getattr(self, "depth", 0) + 1
        if self.depth > MAX_DEPTH:
            raise _error(
                _("Character %(number)d: the query nests more than %(max)d levels deep.")
                % {"number": position + 1, "max": MAX_DEPTH}, position, _("fewer parentheses"),
            )

    def parse_unary(self, field_code):
        if self.token.kind == "OP" and self.token.text == "NOT":
            self.nest(self.token.position)
            self.advance()
            node = Not(self.parse_unary(field_code))
            self.depth -= 1
            return node
        return self.parse_primary(field_code)

    def parse_primary(self, field_code):
        token = self.token
        if token.kind == "LPAREN":
            self.nest(token.position)
            self.advance()
            if self.token.kind == "RPAREN":
                raise _expected_error(self.token.position, _("a search term"))
            node = self.parse_or(field_code)
            self.expect("RPAREN", '")"')
            self.depth -= 1
            return node
        if token.kind == "FIELD":
            if field_code is not None:
                raise _error(
                    _("Character %(number)d: a field code cannot be used inside %(field)s=( … ).")
                    % {"number": token.position + 1, "field": field_code}, token.position, _("a search term"),
                )
            self.advance()
            return self.parse_field_value(token)
        if token.kind in ("WORD", "PHRASE"):
            return self.parse_atom(field_code or "TIAB", "=", token.position)
        if token.kind == "EOF":
            raise _expected_error(token.position, _("a search term"))
        raise _expected_error(token.position, _("a search term"))

    def parse_field_value(self, field_token: Token):
        code, op = field_token.text, field_token.op
        if op != "=" and code not in DATE_FIELDS:
            raise _error(
                _("Character %(number)d: %(field)s only takes =; < and > are for the dates AD, PD and GD.")
                % {"number": field_token.position + 1, "field": code}, field_token.position, "=",
            )
        token = self.token
        if token.kind == "LPAREN" and op == "=":
            self.advance()
            node = self.parse_or(code)
            self.expect("RPAREN", '")"')
            return node
        if token.kind == "LBRACKET":
            if code not in DATE_FIELDS or op != "=":
                raise _expected_error(token.position, _("a value"))
            return self.parse_range(code)
        if token.kind in ("WORD", "PHRASE"):
            return self.parse_atom(code, op, token.position)
        raise _expected_error(token.position, _("a value for %(field)s") % {"field": code})

    def parse_range(self, code):
        start = self.advance().position
        lower_token = self.expect("WORD", _("a date"))
        if lower_token.text.upper() == "TO":
            raise _expected_error(lower_token.position, _("a date"))
        to = self.token
        if to.kind != "WORD" or to.text.upper() != "TO":
            raise _expected_error(to.position, '"TO"')
        self.advance()
        upper_token = self.expect("WORD", _("a date"))
        self.expect("RBRACKET", '"]"')
        lower = None if lower_token.text == "*" else _ymd(_date_span(lower_token.text, lower_token.position)[0])
        upper = None if upper_token.text == "*" else _ymd(_date_span(upper_token.text, upper_token.position)[1])
        if lower is None and upper is None:
            raise _error(
                _("Character %(number)d: give at least one date of the range.") % {"number": start + 1},
                start, _("a date"),
            )
        if lower is not None and upper is not None and lower > upper:
            raise _error(
                _("Character %(number)d: the range starts after it ends.") % {"number": start + 1},
                start, _("a date range from earlier to later"),
            )
        return DateRange(code, lower, upper, start)

    def parse_atom(self, code: str, op: str, position: int):
        token = self.advance()
        value = token.text
        if code in DATE_FIELDS:
            if token.kind == "PHRASE":
                value = value.strip()
            first, last = _date_span(value, position)
            lower, upper = {
                "=": (_ymd(first), _ymd(last)),
                ">=": (_ymd(first), None),
                ">": (_ymd(last + dt.timedelta(days=1)), None),
                "<=": (None, _ymd(last)),
                "<": (None, _ymd(first - dt.timedelta(days=1))),
            }[op]
            return DateRange(code, lower, upper, position)
        if code in ("IPC", "MIPC"):
            if token.kind == "WORD" and _SUBCLASS.match(value) and self.token.kind == "WORD" \
                    and _GROUP.match(self.token.text):
                value = f"{value} {self.advance().text}"  # IPC=H01M 10/05
            if _BARE_GROUP.match(value.replace(" ", "")):
                # Analysts write a main group without its /00 (IPC=C22B59): the whole group.
                value = value.replace(" ", "") + "/00"
            try:
                return Term(code, parse_ipc(value).code, False, position)
            except NormalizeError as exc:
                raise _error(
                    _("Character %(number)d: %(reason)s") % {"number": position + 1, "reason": exc},
                    position, _("an IPC code"),
                ) from None
        if code == "PN":
            try:
                value = normalize_publication_number(value)
            except NormalizeError:
                value = re.sub(r"[\s.\-]", "", value).upper()
            return Term(code, value, False, position)
        if code == "AN":
            try:
                value = normalize_application_number(value)
            except NormalizeError:
                value = re.sub(r"\s", "", value).upper()
            return Term(code, value, False, position)
        if code == "LS":
            return self.legal_status(value, position)
        if code == "TYPE":
            try:
                return Term(code, str(normalize_patent_type(value)), False, position)
            except NormalizeError:
                raise _error(
                    _("Character %(number)d: %(value)s is not a patent type (发明, 实用新型, 外观设计).")
                    % {"number": position + 1, "value": value}, position, _("patent type"),
                ) from None
        if code == "PR":
            return Term(code, normalize_province(value), False, position)
        if code == "CITY":
            return Term(code, normalize_city(value), False, position)
        if code == "IN":
            return Term(code, value.strip(), token.kind == "PHRASE", position)
        return Term(code, value, token.kind == "PHRASE", position)

    def legal_status(self, value: str, position: int):
        word = value.strip().lower()
        if word in LEGAL_STATUS_WORDS:
            statuses = tuple(str(s) for s in LEGAL_STATUS_WORDS[word])
        else:
            status = normalize_legal_status(value)
            if status == LegalStatus.UNKNOWN and word not in ("unknown", "未知"):
                raise _error(
                    _("Character %(number)d: %(value)s is not a legal status (有效, 审中, 失效, granted, pending …).")
                    % {"number": position + 1, "value": value}, position, _("legal status"),
                )
            statuses = (str(status),)
        if len(statuses) == 1:
            return Term("LS", statuses[0], False, position)
        return TermSet("LS", statuses, position)


def parse_query(query: str):
    """The tree of a query string; an empty query is MatchAll. Raises QuerySyntaxError."""
    if len(query or "") > MAX_QUERY_LENGTH:
        raise _error(
            _("The query is %(length)d characters long; shorten it to at most %(max)d.")
            % {"length": len(query), "max": MAX_QUERY_LENGTH}, MAX_QUERY_LENGTH, _("a shorter query"),
        )
    return Parser(query or "").parse()


def text_terms(node) -> list[str]:
    """The positive words of the text fields, for highlighting (NOT branches are left out)."""
    found: list[str] = []

    def walk(item, negated: bool) -> None:
        if isinstance(item, Term):
            if not negated and item.field in ("TI", "AB", "TIAB", "CL"):
                found.append(item.value)
        elif isinstance(item, And | Or):
            for child in item.children:
                walk(child, negated)
        elif isinstance(item, Not):
            walk(item.child, not negated)

    walk(node, False)
    return found


__all__ = [
    "And", "DateRange", "FIELDS", "MatchAll", "Not", "Or", "QuerySyntaxError", "Term",
    "TermSet", "normalize_city", "normalize_province", "parse_query", "text_terms",
]

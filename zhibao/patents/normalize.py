"""Normalisers for the fields of patent records: numbers, IPC codes, dates, types, statuses, names.

Every function takes what analysts' files really contain (full-width characters, spaces, dots,
Excel dates, the wording of the commercial databases) and returns the one canonical form, or
raises `NormalizeError` whose message says in Chinese what is wrong. Importers, search, forms and
the API all call these, so a number or an IPC code has one spelling across the platform.
"""

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .choices import ApplicantType, IpcLevel, LegalStatus, PatentType


class NormalizeError(ValueError):
    """A value that cannot be normalised; str() is the reason, for the user."""


def _clean(value) -> str:
    """NFKC (full-width → half-width), trimmed, inner whitespace collapsed."""
    if value is None:
        return ""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(value))).strip()


# --- Application numbers --------------------------------------------------------------------
# Since 2003 a CN application number is 12 digits — year (4), kind (1: 1 invention, 2 utility
# model, 3 design, 8 PCT invention entering the national phase, 9 PCT utility model), serial (7)
# — then a check character: Σ digit × weight (2,3,…,9,2,3,…) mod 11, 10 written "X". Before
# 2003 it was 8 digits (year 2, kind 1, serial 5) with the same rule (CNIPA 专利申请号标准, ZC0006-2003).
_APP_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_APP_RE = re.compile(r"^(?:CN|ZL)?(\d{8}|\d{12})\.?([0-9X])?$")
APP_KIND_TYPES = {"1": PatentType.INVENTION, "2": PatentType.UTILITY_MODEL, "3": PatentType.DESIGN,
                  "8": PatentType.INVENTION, "9": PatentType.UTILITY_MODEL}


def application_check_char(digits: str) -> str:
    total = sum(int(d) * w for d, w in zip(digits, _APP_WEIGHTS, strict=False))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def normalize_application_number(value) -> str:
    """`CN202223220665.2` from `202223220665.2`, `CN 2022232206652`, `ZL202223220665.2` …

    The check character is validated when present; when absent it is computed. Foreign
    application numbers (other country prefixes) are kept as written, upper-cased, spaces removed.
    """
    text = _clean(value).upper().replace(" ", "")
    if not text:
        raise NormalizeError(_("The application number is missing."))
    match = _APP_RE.match(text)
    if not match:
        if re.match(r"^[A-Z]{2}", text) and not text.startswith(("CN", "ZL")) and re.search(r"\d{4,}", text):
            return text  # e.g. US17/123,456, PCT/CN2021/123456: kept verbatim
        # 13 digits with no dot: the check character was written without the separator.
        bare = re.match(r"^(?:CN|ZL)?(\d{12})([0-9X])$", text)
        if not bare:
            raise NormalizeError(
                _("%(value)s is not a CN application number (12 digits and a check character, e.g. CN202223220665.2).")
                % {"value": text}
            )
        digits, check = bare.groups()
    else:
        digits, check = match.groups()
    expected = application_check_char(digits)
    if check and check != expected:
        raise NormalizeError(
            _("The check character of application number %(value)s should be %(expected)s.")
            % {"value": text, "expected": expected}
        )
    return f"CN{digits}.{expected}"


def application_patent_type(application_number: str) -> str | None:
    """The patent type read from a CN application number's kind digit, or None."""
    match = re.match(r"^CN(\d{12}|\d{8})\.", application_number or "")
    if not match:
        return None
    digits = match.group(1)
    return APP_KIND_TYPES.get(digits[4] if len(digits) == 12 else digits[2])


# --- Publication numbers ----------------------------------------------------------------------
# Country code, serial, kind code (A publication of an invention application, B granted
# invention, C granted invention before 2010, U utility model, Y utility model before 2010,
# S design; foreign kinds such as B2, A1 keep their digit).
_PUB_RE = re.compile(r"^([A-Z]{2})?(\d{5,13})([A-Z]\d?)?$")
CN_KIND_TYPES = {"A": PatentType.INVENTION, "B": PatentType.INVENTION, "C": PatentType.INVENTION,
                 "U": PatentType.UTILITY_MODEL, "Y": PatentType.UTILITY_MODEL, "S": PatentType.DESIGN,
                 "D": PatentType.DESIGN}


def normalize_publication_number(value) -> str:
    """`CN218751475U` from `CN 218751475 U`, `cn218751475u`, `218751475U` (CN assumed) …"""
    text = _clean(value).upper().replace(" ", "").replace("-", "").replace(".", "")
    if not text:
        raise NormalizeError(_("The publication number is missing."))
    match = _PUB_RE.match(text)
    if not match:
        raise NormalizeError(
            _("%(value)s is not a publication number (country, digits and kind code, e.g. CN218751475U).")
            % {"value": text}
        )
    country, serial, kind = match.groups()
    country = country or "CN"
    if country == "CN" and not kind:
        raise NormalizeError(_("Publication number %(value)s has no kind code (A, B, U, S …).") % {"value": text})
    return f"{country}{serial}{kind or ''}"


def publication_kind(publication_number: str) -> str:
    match = re.match(r"^[A-Z]{2}\d+([A-Z]\d?)$", publication_number or "")
    return match.group(1) if match else ""


# --- IPC codes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IpcSymbol:
    """A parsed IPC symbol; `code` is the canonical spelling used everywhere (`H01F1/057`)."""

    code: str
    level: str  # IpcLevel value

    @property
    def section(self) -> str:
        return self.code[0]

    @property
    def ipc_class(self) -> str:
        return self.code[:3] if len(self.code) >= 3 else ""

    @property
    def subclass(self) -> str:
        return self.code[:4] if len(self.code) >= 4 else ""

    @property
    def main_group(self) -> str:
        if self.level not in (IpcLevel.MAIN_GROUP, IpcLevel.SUBGROUP):
            return ""
        return self.code.split("/")[0] + "/00"

    def ancestors(self) -> list[str]:
        """Section, class, subclass, main group above this symbol (not itself), top first."""
        chain = [self.section, self.ipc_class, self.subclass, self.main_group]
        return [c for c in chain if c and c != self.code]


_SECTIONS = "ABCDEFGH"
_IPC_FULL = re.compile(r"^([A-H])(\d{2})([A-Z])(\d{1,4})/(\d{1,6})$")
_IPC_EPO = re.compile(r"^([A-H])(\d{2})([A-Z])(\d{4})(\d{6})$")  # H01F0001057000 (the EPO/DOCDB layout)
# (2006.01), 2006.01 A I: the edition and the level/version letters after it (each letter may
# stand alone, so "A I" is two of them).
_IPC_EDITION = re.compile(r"\(?\s*(?:19|20)\d{2}\s*\.\s*\d{2}\s*\)?(?:\s*[A-Z]+)*\s*$")


def parse_ipc(value) -> IpcSymbol:
    """Parse any common spelling of an IPC symbol; NormalizeError says why one is malformed.

    Accepted: `H01F1/057`, `H01F 1/057`, `h01f 1/057`, `H01F0001057000`, `H01F  1/057 (2006.01)`,
    full-width characters, and the higher levels `H`, `H01`, `H01F`, `H01F1/00`.
    """
    raw = _clean(value).upper()
    if not raw:
        raise NormalizeError(_("The IPC code is empty."))
    text = _IPC_EDITION.sub("", raw).strip()
    compact = text.replace(" ", "")
    if len(compact) == 1:
        if compact in _SECTIONS:
            return IpcSymbol(compact, IpcLevel.SECTION)
        raise NormalizeError(_("%(value)s: an IPC section is one letter from A to H.") % {"value": raw})
    if re.fullmatch(r"[A-H]\d{2}", compact):
        return IpcSymbol(compact, IpcLevel.CLASS)
    if re.fullmatch(r"[A-H]\d{2}[A-Z]", compact):
        return IpcSymbol(compact, IpcLevel.SUBCLASS)
    match = _IPC_EPO.match(compact) or _IPC_FULL.match(compact)
    if match:
        section, klass, letter, group, sub = match.groups()
        group_n = int(group)
        if group_n == 0:
            raise NormalizeError(_("%(value)s: the main group number cannot be 0.") % {"value": raw})
        if _IPC_EPO.match(compact):
            sub = sub.rstrip("0").ljust(2, "0")  # 057000 → 057, 000000 → 00, 100000 → 10
        elif len(sub) == 1:
            sub = sub + "0"  # H01F1/5 is written H01F1/50 (subgroups have at least two digits)
        code = f"{section}{klass}{letter}{group_n}/{sub}"
        return IpcSymbol(code, IpcLevel.MAIN_GROUP if sub == "00" else IpcLevel.SUBGROUP)
    # Say what is wrong, piece by piece.
    if compact[0] not in _SECTIONS:
        raise NormalizeError(_("%(value)s: an IPC code starts with a section letter from A to H.") % {"value": raw})
    if not re.match(r"^[A-H]\d{2}", compact):
        raise NormalizeError(_("%(value)s: the section letter is followed by a two-digit class (e.g. H01).") % {"value": raw})
    if not re.match(r"^[A-H]\d{2}[A-Z]", compact):
        raise NormalizeError(_("%(value)s: the class is followed by a subclass letter (e.g. H01F).") % {"value": raw})
    if re.fullmatch(r"[A-H]\d{2}[A-Z]\d{1,4}", compact):
        raise NormalizeError(
            _("%(value)s: a group needs a slash and a subgroup number (e.g. %(example)s).")
            % {"value": raw, "example": f"{compact}/00"}
        )
    raise NormalizeError(
        _("%(value)s: after the subclass comes group/subgroup, such as 1/057.") % {"value": raw}
    )


def normalize_ipc(value) -> str:
    return parse_ipc(value).code


def split_codes(value) -> list[str]:
    """Split a list cell (`;`, `；`, `|`, `,`, newlines) into its non-empty items, in order."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in re.split(r"[;；|,，\n]+", str(value)) if part.strip()]


def normalize_ipc_list(value) -> list[str]:
    """Every code of a list cell, canonical, de-duplicated in order; the first bad one raises."""
    seen: dict[str, None] = {}
    for item in split_codes(value):
        seen.setdefault(normalize_ipc(item), None)
    return list(seen)


# --- Dates ------------------------------------------------------------------------------------
# Either eight digits (20221202) or year, month and day with separators: 202211 or 2022111
# could be read two ways, so undelimited dates must be complete.
_DATE_RE = re.compile(r"^(?:(\d{4})(\d{2})(\d{2})|(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?)(?:[ T].*)?$")


def normalize_date(value) -> dt.date | None:
    """A date from `20221202`, `2022-12-02`, `2022.12.2`, `2022/12/02`, `2022年12月2日`, an Excel
    date or datetime; None for empty cells and the databases' `0`. Anything else raises."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _clean(value)
    if text in ("", "0", "-", "—", "无", "None", "nan", "NaT"):
        return None
    match = _DATE_RE.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups() if g is not None)
        try:
            date = dt.date(year, month, day)
        except ValueError:
            raise NormalizeError(_("%(value)s is not a real date.") % {"value": text}) from None
        if not 1900 <= date.year <= 2100:
            raise NormalizeError(_("%(value)s is outside the years 1900–2100.") % {"value": text})
        return date
    raise NormalizeError(_("%(value)s is not a date (write it as 2022-12-02 or 20221202).") % {"value": text})


# --- Types and statuses -----------------------------------------------------------------------


def normalize_patent_type(value, *, publication_number: str = "", application_number: str = "") -> str:
    """The patent type from the type cell (发明公开, 发明授权, 实用新型, 外观设计, invention …),
    else from the kind code or the application number."""
    text = _clean(value).lower()
    if text:
        if "实用新型" in text or "utility" in text or text == "u":
            return PatentType.UTILITY_MODEL
        if "外观" in text or "design" in text or text == "s":
            return PatentType.DESIGN
        if "发明" in text or "invention" in text or text in ("a", "b"):
            return PatentType.INVENTION
        if text in PatentType.values:
            return text
    kind = publication_kind(publication_number)
    if publication_number.startswith("CN") and kind[:1] in CN_KIND_TYPES:
        return CN_KIND_TYPES[kind[:1]]
    from_app = application_patent_type(application_number)
    if from_app:
        return from_app
    if text:
        raise NormalizeError(_("%(value)s is not a patent type (invention, utility model or design).") % {"value": value})
    if kind[:1] in ("A", "B"):
        return PatentType.INVENTION  # foreign A/B documents are invention publications and grants
    raise NormalizeError(_("The patent type is missing and cannot be read from the numbers."))


# Order matters: the first pattern found wins (无权 before 授权, 部分无效 before 无效).
_STATUS_PATTERNS = [
    ("部分无效", LegalStatus.GRANTED),
    ("全部无效", LegalStatus.INVALIDATED),
    ("无效", LegalStatus.INVALIDATED),
    ("期限届满", LegalStatus.EXPIRED),
    ("届满", LegalStatus.EXPIRED),
    ("未缴年费", LegalStatus.LAPSED),
    ("终止", LegalStatus.LAPSED),
    ("失效", LegalStatus.LAPSED),
    ("驳回", LegalStatus.REJECTED),
    ("撤回", LegalStatus.WITHDRAWN),
    ("放弃", LegalStatus.WITHDRAWN),
    ("审中", LegalStatus.PENDING),
    ("实质审查", LegalStatus.PENDING),
    ("公开", LegalStatus.PENDING),
    ("有权", LegalStatus.GRANTED),
    ("授权", LegalStatus.GRANTED),
    ("有效", LegalStatus.GRANTED),
]


def normalize_legal_status(value) -> str:
    """`有权-审定授权` → granted, `审中-实质审查` → pending, `无权-未缴年费` → lapsed …; unknown
    wording gives `unknown` (the raw text is kept beside it), never an error."""
    text = _clean(value)
    if not text:
        return LegalStatus.UNKNOWN
    lowered = text.lower()
    if lowered in LegalStatus.values:
        return lowered
    for pattern, status in _STATUS_PATTERNS:
        if pattern in text:
            return status
    return LegalStatus.UNKNOWN


# Institutes before universities: 中国科学院… contains 学院 but is an academy of sciences.
_APPLICANT_TYPE_WORDS = [
    (("科研", "研究院", "研究所", "科学院", "研究中心", "institute", "academy"), ApplicantType.INSTITUTE),
    (("大专院校", "院校", "高校", "大学", "学院", "university", "college"), ApplicantType.UNIVERSITY),
    (("机关", "团体", "政府", "事业单位", "government"), ApplicantType.GOVERNMENT),
    (("个人", "individual", "person"), ApplicantType.INDIVIDUAL),
    (("企业", "公司", "集团", "厂", "合作社", "enterprise", "company", "corp", "ltd", "inc"), ApplicantType.ENTERPRISE),
]


def normalize_applicant_type(value, *, name: str = "") -> str:
    """The applicant type from the type cell (企业, 大专院校, 科研机构, 个人, 机关团体 …), else
    guessed from the name (…大学 → university, …公司 → enterprise, a 2–4 character name → individual)."""
    for text in (_clean(value).lower(), _clean(name).lower()):
        if not text:
            continue
        if text in ApplicantType.values:
            return text
        for words, kind in _APPLICANT_TYPE_WORDS:
            if any(word in text for word in words):
                return kind
    if re.fullmatch(r"[\u4e00-\u9fff·]{2,4}", _clean(name)):
        return ApplicantType.INDIVIDUAL
    return ApplicantType.OTHER


def normalize_name(value) -> str:
    """An applicant, inventor or agency name: half-width letters and digits, Chinese parentheses
    in Chinese names (`（普通合伙）`), whitespace collapsed, no trailing punctuation."""
    text = _clean(value).strip(" ;；,，。")
    if re.search(r"[\u4e00-\u9fff]", text):
        text = text.replace("(", "（").replace(")", "）").replace(" ", "")
    return text


def normalize_names(value) -> list[str]:
    """A list cell of names (`刘迪;刘敏`), each normalised, de-duplicated in order."""
    seen: dict[str, None] = {}
    for item in split_codes(value):
        name = normalize_name(item)
        if name:
            seen.setdefault(name, None)
    return list(seen)


_PROVINCE_CODE = re.compile(r"^(.*?)[(（]?(\d{2})[)）]?$")


def parse_province_code(value) -> tuple[str, str]:
    """`河南(41)` → ("河南", "41"); `内蒙古(15)` → ("内蒙古", "15"); `江苏` → ("江苏", "")."""
    text = _clean(value)
    if not text:
        return "", ""
    match = _PROVINCE_CODE.match(text)
    if match:
        return match.group(1).strip(), match.group(2)
    return text, ""


def normalize_count(value) -> int:
    """A count cell: empty → 0; `3`, `3.0`, `3次` → 3; negative or text → error."""
    text = _clean(value).rstrip("次件个")
    if text in ("", "-", "None", "nan"):
        return 0
    try:
        number = float(text)
    except ValueError:
        raise NormalizeError(_("%(value)s is not a count.") % {"value": value}) from None
    # NaN and infinity parse as floats but are no count (int() of them would raise).
    if not math.isfinite(number) or number < 0 or number != int(number):
        raise NormalizeError(_("%(value)s is not a count.") % {"value": value})
    return int(number)

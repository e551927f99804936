"""The center's technical fields as IPC ranges (inventions, utility models) and Locarno ranges
(designs): how a range is written and what falls in it.

An IPC range is a section, class, subclass or main group (`C`, `C12`, `C12N`, `H01M 10`), stored
canonically (patents/ipc_ranges.py); a Locarno range is a class or a subclass (`13`, `13-03`).
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The IPC range logic is the corpus's (patents/ipc_ranges.py), shared with revitalization's key
# industries; this module adds the channel's Locarno ranges for designs.


def fields_for_ipc(code: str, fields) -> list:
    """The fields (TechnicalField rows) whose ranges cover an IPC code."""
    return [f for f in fields if f.covers_ipc(code)]


# --- Locarno (designs) ------------------------------------------------------------------------
# A design is classified by the Locarno Classification (locarno.py), not IPC. A field's Locarno
# range is a class (`13`) or a class and subclass (`13-03`), stored canonically as two digits,
# a hyphen and two digits; a design's code is a subclass and falls in a range when it is that
# subclass or lies in that class.

# What CNIPA prints before the code on a published design ("LOC (15) Cl. 13-03"), copied often.
_LOC_LEAD = re.compile(r"^(?:LOC\s*(?:\(\s*[0-9]{1,2}\s*\))?\s*)?(?:CL\.?\s*)?")
_LOC_SPLIT = re.compile(r"([0-9]{1,2})\s*[-‐‑–—./_\s]\s*([0-9]{1,2})")
_LOC_COMPACT = re.compile(r"([0-9]{2})([0-9]{2})")
_LOC_CLASS = re.compile(r"[0-9]{1,2}")


def normalize_locarno(value: str, *, subclass: bool = False) -> str:
    """`14 03`, `14.03`, `1403`, `14-3`, `LOC (15) Cl. 14-03`, full-width `１４－０３` → `14-03`;
    `14`, `1` → a class (`14`, `01`). The class must exist (01–32); a subclass is accepted by its
    format (00–99). `subclass=True` (a design's own code) refuses a class alone.
    ValidationError says what a code looks like."""
    from .locarno import CLASSES

    written = _LOC_LEAD.sub("", unicodedata.normalize("NFKC", str(value or "")).strip().upper()).strip()
    cls = sub = None
    if match := (_LOC_SPLIT.fullmatch(written) or _LOC_COMPACT.fullmatch(written)):
        cls, sub = match.groups()
    elif _LOC_CLASS.fullmatch(written):
        cls = written
    if cls is None:
        raise ValidationError(
            _("%(value)s is not a Locarno code: write a class, or a class and subclass, e.g. 13 or 13-03.")
            % {"value": value}
        )
    cls = f"{int(cls):02d}"
    if cls not in CLASSES:
        raise ValidationError(
            _("%(value)s: there is no Locarno class %(cls)s; the classes are 01 to 32.") % {"value": value, "cls": cls}
        )
    if sub is None:
        if subclass:
            raise ValidationError(
                _("%(value)s names a Locarno class only: give the subclass too, e.g. %(cls)s-01.")
                % {"value": value, "cls": cls}
            )
        return cls
    return f"{cls}-{int(sub):02d}"


def locarno_in_range(code: str, prefix: str) -> bool:
    """Whether a Locarno code (any spelling) falls in a canonical range: the same subclass, or
    a subclass of the range's class."""
    try:
        canonical = normalize_locarno(code)
    except ValidationError:
        return False
    return canonical == prefix or (len(prefix) == 2 and canonical.startswith(prefix + "-"))


def fields_for_locarno(code: str, fields) -> list:
    """The fields (TechnicalField rows) whose Locarno ranges cover a design's code."""
    return [f for f in fields if f.covers_locarno(code)]

"""IPC ranges with keywords: how a range is written and what falls in it.

Used wherever the platform defines a subject by IPC ranges and words — the pre-examination
channel's technical fields, revitalization's key industries. A range is an IPC section, class,
subclass or main group: `C`, `C12`, `C12N`, `H01M 10`. Ranges are stored canonically — a main
group as `H01M10/`, so that it covers `H01M10/052` but not `H01M100/00` — and a code falls in a
range when its canonical spelling starts with it.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .normalize import NormalizeError, parse_ipc

_HIGH = re.compile(r"[A-H](?:[0-9]{2}(?:[A-Z])?)?")
_GROUP = re.compile(r"([A-H][0-9]{2}[A-Z])([0-9]{1,4})(?:/0*)?")


def normalize_ipc_prefix(value: str) -> str:
    """`h01m 10` → `H01M10/`, `c12n` → `C12N`, full-width `Ｈ０１Ｍ　１０` too (a Chinese input
    method's); ValidationError says what a range looks like."""
    compact = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or ""))).upper()
    if _HIGH.fullmatch(compact):
        return compact
    match = _GROUP.fullmatch(compact)
    if match and int(match.group(2)) > 0:
        return f"{match.group(1)}{int(match.group(2))}/"
    raise ValidationError(
        _("%(value)s is not an IPC range: write a section, class, subclass or main group, e.g. C, C12, C12N, H01M 10.")
        % {"value": value}
    )


def ipc_in_prefix(code: str, prefix: str) -> bool:
    """Whether an IPC code (any spelling) falls in a canonical range."""
    try:
        canonical = parse_ipc(code).code
    except NormalizeError:
        return False
    return canonical.startswith(prefix)


def validate_ipc_prefixes(value) -> None:
    """A model field's validator: a non-empty list of valid ranges."""
    if not isinstance(value, list) or not value:
        raise ValidationError(_("List at least one IPC range, e.g. C12N or H01M 10."))
    for item in value:
        normalize_ipc_prefix(item if isinstance(item, str) else repr(item))


def validate_keywords(value) -> None:
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise ValidationError(_("Keywords are a list of words."))

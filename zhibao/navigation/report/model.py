"""The report as a list of blocks, written once and rendered twice (DOCX and PDF).

The sections (sections/*.py) turn the context into these blocks; docx_writer.py and
pdf_writer.py only lay them out. So the Word and PDF reports cannot drift apart: a table that
follows a chart in one follows it in the other.
"""

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Cover:
    """The title page: what is analysed, for whom, by whom and from which data."""

    title: str
    subtitle: str
    region: str
    center: str
    date: str
    version: str
    snapshot: str


@dataclass
class Contents:
    """Where the table of contents goes (a TOC field in Word, a page-numbered list in the PDF)."""


@dataclass
class Heading:
    text: str
    level: int  # 1 a chapter (starts a page), 2 a section


@dataclass
class Para:
    text: str
    kind: str = "body"  # body | note (small, grey: definitions, caveats) | missing (an empty conclusion)


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Figure:
    path: Path
    caption: str
    aspect: float  # height / width of the image, so the PDF can keep a figure and its caption together
    width: float = 1.0  # share of the text width
    note: str = ""


@dataclass
class Column:
    title: str
    align: str = "L"  # L | R | C; numbers are R
    weight: float = 1.0  # share of the table width, relative to the other columns


@dataclass
class Table:
    caption: str
    columns: list[Column]
    rows: list[list[str]]
    note: str = ""
    font_size: float = 8.5


@dataclass
class Report:
    """Everything a writer needs: document metadata and the blocks in reading order."""

    title: str
    author: str
    blocks: list = field(default_factory=list)

    @property
    def headings(self) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading)]


# --- number formatting, one rule for every table and sentence ---------------------------------

DASH = "—"


def fmt_int(value) -> str:
    """12,345 for counts; a dash for unknown."""
    if value is None or value == "":
        return DASH
    return f"{int(round(value)):,}"


def fmt_pct(value, digits: int = 1) -> str:
    """A 0..1 share as a percentage (0.0654 → 6.5%)."""
    if value is None:
        return DASH
    return f"{value * 100:.{digits}f}%"


def fmt_float(value, digits: int = 2) -> str:
    if value is None:
        return DASH
    return f"{value:,.{digits}f}"


# Legal suffixes that make a company name long without telling readers of a chart anything;
# tables keep the full name.
_SUFFIXES = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "股份公司", "株式会社", "公司")


def short_name(name: str, limit: int = 12) -> str:
    """An applicant's name for a chart label: legal form dropped, cut at `limit` characters."""
    text = name
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            text = text[: -len(suffix)]
            break
    return clip(text, limit)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

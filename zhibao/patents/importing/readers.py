"""Streaming readers for import files: CSV (UTF-8, UTF-8-BOM or GB18030), XLSX and JSONL.

Every reader yields one row at a time as a list of cells in header order, so memory stays
flat whatever the file size: the csv module over a text stream, openpyxl in read-only mode,
JSONL line by line. A row that cannot be read (a broken CSV line, bad JSON, undecodable
bytes) is yielded as a `RowProblem` instead of stopping the file, so every good row is kept.
"""

import abc
import codecs
import csv
import datetime as dt
import io
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

SAMPLE_BYTES = 256 * 1024
# Abstracts and claims are long; a broken quote must not hit the csv module's 128 KiB limit
# before the row can be reported.
csv.field_size_limit(16 * 1024 * 1024)

FORMATS = ("csv", "xlsx", "jsonl")


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (type, encoding, header); str() is for the user."""


@dataclass
class RowProblem:
    """A row that could not even be read; reported as rejected with this reason."""

    row_number: int
    reason: str
    cells: list = field(default_factory=list)


def sniff_format(path: Path) -> str:
    """The file's type read from its content, never from its name: XLSX is a zip holding
    xl/workbook.xml, JSONL starts with a JSON object, anything else must be text (CSV)."""
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                if "xl/workbook.xml" in archive.namelist():
                    return "xlsx"
        except zipfile.BadZipFile:
            pass
        raise ImportFileError(_("The file is a zip archive but not an Excel workbook (.xlsx)."))
    if b"\x00" in head:
        raise ImportFileError(_("The file is not a CSV, Excel (.xlsx) or JSON lines file."))
    encoding = detect_encoding(path)
    text = head.decode(encoding, errors="replace").lstrip("\ufeff").lstrip()
    if text.startswith("{"):
        first_line = text.split("\n", 1)[0]
        try:
            if isinstance(json.loads(first_line), dict):
                return "jsonl"
        except ValueError:
            pass
    return "csv"


def detect_encoding(path: Path) -> str:
    """utf-8-sig when a sample decodes as UTF-8 (with or without BOM), else gb18030; a file
    that is neither is refused with a clear message."""
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    final = len(sample) < SAMPLE_BYTES
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            decoder.decode(sample, final=final)
        except UnicodeDecodeError:
            continue
        return encoding
    # A UTF-8 file with a few stray bytes is still UTF-8: its spoilt rows are rejected one by
    # one (see CsvSource.rows) instead of refusing the whole file.
    text = codecs.getincrementaldecoder("utf-8-sig")(errors="replace").decode(sample, final=final)
    if text and text.count("\ufffd") <= max(1, len(text) // 1000):
        return "utf-8-sig"
    raise ImportFileError(
        _("The file's text is neither UTF-8 nor GB18030 (GBK). Save it from Excel or WPS as "
          "\"CSV UTF-8\" and upload it again.")
    )


def _cell_text(value) -> str:
    """An Excel cell as the text a CSV would hold: integral floats without .0, dates ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _unique_headers(raw: list) -> list[str]:
    """Header cells trimmed; an empty or repeated header gets a position so it stays mappable."""
    headers, seen = [], set()
    for index, cell in enumerate(raw, start=1):
        name = _cell_text(cell).lstrip("\ufeff").strip() or _("Column %(n)s") % {"n": index}
        base, n = name, 2
        while name in seen:
            name, n = f"{base} ({n})", n + 1
        seen.add(name)
        headers.append(name)
    return headers


class Source(abc.ABC):
    """An opened import file: its format, encoding and header, then its rows one at a time."""

    format: str
    encoding: str = ""
    headers: list[str]

    @abc.abstractmethod
    def rows(self) -> Iterator[tuple[int, list] | RowProblem]:
        """(row number, cells) for each row, or a RowProblem for a row that cannot be read."""

    def fraction(self) -> float:
        """How far through the file the reader is, 0–1, for progress bars."""
        return 0.0

    def close(self) -> None:  # noqa: B027 (a source with nothing to release keeps this)
        return None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class CsvSource(Source):
    format = "csv"

    def __init__(self, path: Path, encoding: str | None = None):
        self.encoding = encoding or detect_encoding(path)
        self.size = max(os.path.getsize(path), 1)
        self._raw = open(path, "rb")  # noqa: SIM115 (closed by close())
        # errors="replace": a stray undecodable byte spoils its row (rejected), not the file.
        self._text = io.TextIOWrapper(self._raw, encoding=self.encoding, errors="replace", newline="")
        try:
            sample = self._text.read(64 * 1024)
        except UnicodeError as exc:  # pragma: no cover — errors="replace" does not raise
            raise ImportFileError(str(exc)) from exc
        # The separator is the one the header line uses most (comma on a tie): csv.Sniffer
        # guesses wrong on one-column files and on abstracts full of semicolons.
        first_line = sample.split("\n", 1)[0]
        delimiter = max(",\t;", key=lambda d: (first_line.count(d), d == ","))
        self._text.seek(0)
        self._reader = csv.reader(self._text, delimiter=delimiter)
        try:
            header = next(self._reader)
        except (StopIteration, csv.Error):
            raise ImportFileError(_("The file is empty: it has no header row.")) from None
        self.headers = _unique_headers(header)

    def rows(self):
        width = len(self.headers)
        reader = self._reader
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield RowProblem(reader.line_num, _("The line cannot be read as CSV: %(error)s") % {"error": exc})
                continue
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            row_number = reader.line_num
            if len(cells) > width:
                yield RowProblem(row_number, _("The row has %(found)s cells but the header has %(expected)s "
                                               "(a stray separator or quote?).")
                                 % {"found": len(cells), "expected": width}, cells)
                continue
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
            if "\ufffd" in "".join(cells):
                yield RowProblem(row_number, _("The row holds bytes that are not valid %(encoding)s text.")
                                 % {"encoding": self.encoding.upper().replace("-SIG", "")}, cells)
                continue
            yield row_number, cells

    def fraction(self) -> float:
        return min(self._raw.tell() / self.size, 1.0)

    def close(self) -> None:
        self._text.close()


class XlsxSource(Source):
    format = "xlsx"

    def __init__(self, path: Path):
        from openpyxl import load_workbook

        try:
            self._book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise ImportFileError(_("The Excel file cannot be opened: %(error)s") % {"error": exc}) from exc
        sheet = self._book.worksheets[0]
        self.total = max(sheet.max_row or 1, 1)
        self._rows = sheet.iter_rows(values_only=True)
        self._row_number = 0
        for raw in self._rows:
            self._row_number += 1
            if any(cell not in (None, "") for cell in raw):
                self.headers = _unique_headers(list(raw))
                break
        else:
            raise ImportFileError(_("The file is empty: it has no header row."))

    def rows(self):
        width = len(self.headers)
        for raw in self._rows:
            self._row_number += 1
            cells = [_cell_text(cell) for cell in raw[:width]]
            if not any(cells):
                continue
            extra = [c for c in raw[width:] if c not in (None, "")]
            if extra:
                yield RowProblem(self._row_number, _("The row has cells beyond the last header column."), cells)
                continue
            cells.extend([""] * (width - len(cells)))
            yield self._row_number, cells

    def fraction(self) -> float:
        return min(self._row_number / self.total, 1.0)

    def close(self) -> None:
        self._book.close()


class JsonlSource(Source):
    """One JSON object per line (the platform's own format); the header is the union of the
    first lines' keys, in their order, and the Patent fields a later line may add."""

    format = "jsonl"

    def __init__(self, path: Path, encoding: str | None = None, extra_keys: tuple = ()):
        self.encoding = encoding or detect_encoding(path)
        self.size = max(os.path.getsize(path), 1)
        self._raw = open(path, "rb")  # noqa: SIM115 (closed by close())
        keys: dict[str, None] = {}
        for _n, line in zip(range(100), self._raw, strict=False):
            try:
                obj = json.loads(line.decode(self.encoding, errors="replace"))
            except ValueError:
                continue
            if isinstance(obj, dict):
                keys.update(dict.fromkeys(obj))
        if not keys:
            raise ImportFileError(_("The file holds no JSON object on its first lines."))
        keys.update(dict.fromkeys(extra_keys))
        self.headers = list(keys)
        self._raw.seek(0)

    def rows(self):
        headers = self.headers
        for row_number, line in enumerate(self._raw, start=1):
            text = line.decode(self.encoding, errors="replace").lstrip("\ufeff").strip()
            if not text:
                continue
            try:
                obj = json.loads(text)
            except ValueError as exc:
                yield RowProblem(row_number, _("The line is not valid JSON: %(error)s") % {"error": exc}, [text])
                continue
            if not isinstance(obj, dict):
                yield RowProblem(row_number, _("The line is not a JSON object."), [text])
                continue
            yield row_number, [obj.get(key) for key in headers]

    def fraction(self) -> float:
        return min(self._raw.tell() / self.size, 1.0)

    def close(self) -> None:
        self._raw.close()


def open_source(path: Path, *, fmt: str = "auto", extra_keys: tuple = ()) -> Source:
    """Open `path` as `fmt` (or the format sniffed from its content when "auto")."""
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        raise ImportFileError(_("The file is empty."))
    if fmt in ("", "auto", None):
        fmt = sniff_format(path)
    if fmt == "csv":
        return CsvSource(path)
    if fmt == "xlsx":
        if sniff_format(path) != "xlsx":
            raise ImportFileError(_("The file is not an Excel workbook (.xlsx)."))
        return XlsxSource(path)
    if fmt == "jsonl":
        from .presets import JSONL_FIELDS

        return JsonlSource(path, extra_keys=extra_keys or tuple(JSONL_FIELDS))
    raise ImportFileError(_("Unknown file format %(format)s.") % {"format": fmt})

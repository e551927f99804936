"""Excel and CSV out: the one writer every export uses (cases, audit, patents, collections).

Rows are written as they come (openpyxl's write-only mode, csv to a stream), so an export of
100,000 rows never holds them all. Every text cell passes `safe_cell`: patent titles, names and
notes come from third-party databases and users, and a cell that starts with = + - @ would run
as a formula when the center's staff open the file in Excel or WPS (CSV/formula injection,
OWASP); such text is prefixed with an apostrophe, which spreadsheets show as plain text.
"""

import csv
from collections.abc import Callable, Iterable

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def safe_cell(value):
    """The value, with text that a spreadsheet would evaluate turned into plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def sheet_title(title: str, used: set[str] | None = None) -> str:
    """A valid, unique worksheet name: no []:*?/\\, at most 31 characters."""
    clean = "".join(ch for ch in str(title) if ch not in "[]:*?/\\")[:28] or "Sheet"
    if used is None:
        return clean
    name, n = clean, 2
    while name in used:
        name, n = f"{clean[:25]} {n}", n + 1
    used.add(name)
    return name


def xlsx_sheet_write(wb, *, title: str, header: list, rows: Iterable, widths: Iterable[int] = (),
                     progress: Callable[[int], None] | None = None, used: set[str] | None = None) -> int:
    """Append one sheet to a write-only workbook: bold frozen header, then the rows."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(sheet_title(title, used))
    ws.freeze_panes = "A2"
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    cells = []
    for text in header:
        cell = WriteOnlyCell(ws, value=str(text))
        cell.font = Font(bold=True)
        cells.append(cell)
    ws.append(cells)
    count = 0
    for count, row in enumerate(rows, start=1):
        ws.append([safe_cell(value) for value in row])
        if progress and count % 1000 == 0:
            progress(count)
    return count


def write_xlsx(rows: Iterable, fileobj, *, header: list, title: str, widths: Iterable[int] = (),
               progress: Callable[[int], None] | None = None) -> int:
    """A one-sheet workbook written to `fileobj`; returns the number of rows."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    count = xlsx_sheet_write(wb, title=title, header=header, rows=rows, widths=widths, progress=progress)
    wb.save(fileobj)
    return count


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable, *, header: list) -> Iterable[str]:
    """CSV text line by line, a UTF-8 byte-order mark first so that Excel reads the Chinese right."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([str(h) for h in header])
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row])


def write_csv(rows: Iterable, fileobj, *, header: list, progress: Callable[[int], None] | None = None) -> int:
    """CSV (UTF-8 with BOM) written to a binary `fileobj`; returns the number of rows."""
    count = -1
    for count, line in enumerate(csv_lines(rows, header=header)):
        fileobj.write(line.encode("utf-8"))
        if progress and count and count % 1000 == 0:
            progress(count)
    return max(count, 0)

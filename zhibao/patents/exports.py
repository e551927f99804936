"""Search results and analytics tables out to Excel (.xlsx) and CSV.

A result export takes the publication numbers the search engine matched, in its order, and
reads the rows from the database a batch of numbers at a time, writing each row as it comes:
the memory used stays flat whether the export has 50 rows or the 100,000 of the cap. Up to
settings.PATENT_EXPORT_SYNC_MAX rows are answered at once; above that the export is a core
Job (`patents.export`) whose result file the job page offers.
"""

import io
import tempfile
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibao.core import spreadsheets
from zhibao.core.services.jobs import job_function, job_progress

from .choices import LegalStatus, PatentType
from .models import Patent

FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {"xlsx": spreadsheets.XLSX_CONTENT_TYPE, "csv": spreadsheets.CSV_CONTENT_TYPE}
COLUMN_WIDTHS = (18, 20, 10, 50, 40, 12, 12, 14, 30, 10, 10)
# Numbers per database query: a few hundred kilobytes of rows at a time.
BATCH_SIZE = 500
_FIELDS = ("publication_number", "application_number", "patent_type", "title", "applicants", "application_date",
           "publication_date", "ipc_main", "ipc_codes", "legal_status", "province")


def export_header() -> list[str]:
    """The columns of a result export, in the order the center's analysts expect."""
    return [
        _("Publication number"), _("Application number"), _("Patent type"), _("Title"), _("Applicants"),
        _("Application date"), _("Publication date"), _("Main IPC"), _("IPC"), _("Legal status"), _("Province"),
    ]


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def patent_row(patent: Patent) -> list[str]:
    return [
        patent.publication_number,
        patent.application_number,
        _label(PatentType, patent.patent_type),
        patent.title,
        "; ".join(patent.applicant_names),
        patent.application_date.isoformat() if patent.application_date else "",
        patent.publication_date.isoformat() if patent.publication_date else "",
        patent.ipc_main,
        "; ".join(patent.ipc_codes or []),
        _label(LegalStatus, patent.legal_status),
        patent.province,
    ]


def patent_rows(publication_numbers: Iterable[str], *, batch_size: int = BATCH_SIZE) -> Iterator[list[str]]:
    """The rows of these patents in the given order, read a batch of numbers at a time.

    Numbers the database no longer has (deleted since they were indexed) are skipped.
    """
    batch: list[str] = []

    def flush(numbers: list[str]) -> Iterator[list[str]]:
        found = {p.publication_number: p for p in Patent.objects.filter(publication_number__in=numbers).only(*_FIELDS)}
        for number in numbers:
            if number in found:
                yield patent_row(found[number])

    for number in publication_numbers:
        batch.append(number)
        if len(batch) >= batch_size:
            yield from flush(batch)
            batch = []
    if batch:
        yield from flush(batch)


def csv_chunks(rows: Iterable[list[str]], header: list[str] | None = None) -> Iterator[str]:
    """CSV text for a streaming response (UTF-8 with a byte-order mark, formula-safe cells)."""
    return spreadsheets.csv_lines(rows, header=header or export_header())


def write_csv(rows: Iterable[list[str]], fileobj, *, progress: Callable[[int], None] | None = None) -> int:
    return spreadsheets.write_csv(rows, fileobj, header=export_header(), progress=progress)


def write_xlsx(rows: Iterable[list[str]], fileobj, *, progress: Callable[[int], None] | None = None) -> int:
    """A write-only workbook (rows go to disk as they come): one sheet, bold header, frozen."""
    return spreadsheets.write_xlsx(rows, fileobj, header=export_header(), title=_("Patents"), widths=COLUMN_WIDTHS,
                                   progress=progress)


WRITERS = {"xlsx": write_xlsx, "csv": write_csv}


def export_filename(fmt: str, stem: str = "patents") -> str:
    return f"{stem}-{timezone.localtime().strftime('%Y%m%d-%H%M%S')}.{fmt}"


def export_publication_numbers(*, q: str, filters: dict | None, limit: int, sort: str = "relevance") -> list[str]:
    """The matching numbers in the page's order, at most `limit` (a list of strings: 100,000 of
    them are a few megabytes; the rows themselves are never all in memory)."""
    from .search import get_engine

    return get_engine().publication_numbers(q, filters=filters or None, limit=limit, sort=sort)


@job_function("patents.export")
def patents_export(job, *, q: str = "", filters: dict | None = None, sort: str = "relevance",
                   fmt: str = "xlsx") -> dict:
    """Write the patents matching the query (and drill-down filters) to an .xlsx or .csv file."""
    if fmt not in WRITERS:
        raise ValueError(f"unknown export format {fmt!r}")
    get_user_model().objects.get(pk=job.owner_id)  # the owner must still exist
    cap = settings.PATENT_EXPORT_MAX
    numbers = export_publication_numbers(q=q, filters=filters, limit=cap, sort=sort)
    total = len(numbers)
    job_progress(job, 2, _("%(total)d patents to write") % {"total": total})

    def progress(done: int) -> None:
        job_progress(job, 2 + int(done * 93 / max(total, 1)),
                     _("%(done)d of %(total)d rows") % {"done": done, "total": total})

    with tempfile.TemporaryFile() as tmp:
        rows = WRITERS[fmt](patent_rows(numbers), tmp, progress=progress)
        tmp.seek(0)
        job.result_file.save(export_filename(fmt), File(tmp), save=True)
    return {"rows": rows, "format": fmt, "capped": total >= cap}


# --- Analytics tables -------------------------------------------------------------------------


def analytics_workbook(tables: list[dict]) -> bytes:
    """One sheet per table: [{"title", "header": [...], "rows": [[...], ...]}]."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    used: set[str] = set()
    for table in tables:
        widths = [40 if i == 0 else 14 for i in range(len(table["header"]))]
        spreadsheets.xlsx_sheet_write(wb, title=table["title"], header=table["header"], rows=table["rows"],
                                      widths=widths, used=used)
    if not tables:
        spreadsheets.xlsx_sheet_write(wb, title=_("Analytics"), header=[_("No data")], rows=[])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

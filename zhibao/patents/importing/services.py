"""Importing files into the patent corpus: inspect, map, normalise, upsert, index.

`patents_import` streams a file in batches of ~2,000 rows: each row is normalised (a bad row is
rejected with its row number, column and reason, never stopping the others), applicants'
addresses are resolved to regions once per batch, the record is hashed, and the batch is
upserted by publication number — unchanged hashes are not written, new records are inserted
and changed ones updated with one prepared statement each (executemany), so a re-import of the
same file writes nothing. Written records go to the search engine, committed every ~50,000
records and at the end, so database and index agree when the call returns.
"""

import contextlib
import csv
import datetime as dt
import json
import logging
import operator
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibao.core.choices import Role
from zhibao.core.rules import has_role
from zhibao.core.spreadsheets import safe_cell

from ..models import ImportPreset, Patent
from ..search.tantivy_backend import index_values
from .indexer import RecordIndexer
from .presets import (
    BUILTIN_PRESETS,
    FIELDS,
    JSONL_FIELDS,
    clean_mapping,
    detect_preset,
    missing_required,
    preset_mapping,
    propose_mapping,
)
from .readers import ImportFileError, RowProblem, open_source
from .records import (
    RECORD_FIELDS,
    RowError,
    RowNormaliser,
    record_hash,
)
from .regions import RegionResolver

logger = logging.getLogger(__name__)

BATCH_SIZE = 2_000
COMMIT_EVERY = 50_000
SEPARATE_INDEXER_BYTES = 32 * 1024 * 1024  # ~30,000 rows of the export: the writer process pays off
REPORTED_REJECTIONS = 200  # kept in the report; the rejected-rows file has all of them


@dataclass
class ImportReport:
    """What an import did; `as_dict()` is the Job result the report page shows."""

    source_file: str = ""
    format: str = ""
    encoding: str = ""
    preset: str = ""
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: list = field(default_factory=list)  # [{"row", "column", "reason"}]
    rejected_file: str = ""
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def import_mapping_resolve(*, headers: list[str], fmt: str, preset: str = "", mapping: dict | None = None) -> dict:
    """The mapping an import uses: the one given, else the preset's, else the proposal from
    the header. A preset name that exists nowhere is an error, not a silent fallback."""
    if mapping:
        return clean_mapping(mapping, headers)
    if preset:
        known = preset_mapping(preset)
        if known is None:
            raise ImportFileError(_("There is no import preset called %(name)s.") % {"name": preset})
        return clean_mapping(known, headers)
    return propose_mapping(headers, fmt)


def import_file_inspect(*, path: Path, fmt: str = "auto", preset: str = "", sample_rows: int = 5) -> dict:
    """Format, encoding, header, the first rows and the proposed mapping of a file (the
    mapping step's page); ImportFileError when the file cannot be read at all."""
    with open_source(path, fmt=fmt) as source:
        sample = []
        for item in source.rows():
            if isinstance(item, RowProblem):
                continue
            sample.append([("" if v is None else v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))[:80]
                           for v in item[1]])
            if len(sample) >= sample_rows:
                break
        detected = preset or detect_preset(source.headers, source.format)
        mapping = import_mapping_resolve(headers=source.headers, fmt=source.format, preset=detected)
        return {"format": source.format, "encoding": source.encoding, "headers": source.headers,
                "sample": sample, "preset": detected, "mapping": mapping}


class _RejectedWriter:
    """The rejected rows with their original cells and the reason, as CSV (UTF-8-BOM, opens
    in Excel) or, for Excel sources, as .xlsx; created on the first rejection."""

    def __init__(self, path: Path, headers: list[str], as_xlsx: bool):
        self.path, self.headers, self.as_xlsx = path, headers, as_xlsx
        self._file = self._writer = self._book = self._sheet = None

    def write(self, row_number: int, cells: list, reason: str) -> None:
        row = [v if v is None or isinstance(v, str | int | float) else json.dumps(v, ensure_ascii=False) for v in cells]
        # Formula-safe like every export: these cells come from someone else's file.
        row = [safe_cell(v) for v in row] + [""] * (len(self.headers) - len(row)) + [row_number, reason]
        if self.as_xlsx:
            if self._book is None:
                from openpyxl import Workbook

                self._book = Workbook(write_only=True)
                self._sheet = self._book.create_sheet()
                self._sheet.append([*self.headers, _("Row"), _("Rejection reason")])
            self._sheet.append(row)
            return
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
            self._writer = csv.writer(self._file)
            self._writer.writerow([*self.headers, _("Row"), _("Rejection reason")])
        self._writer.writerow(row)

    def close(self) -> bool:
        """True when a file was written."""
        if self._book is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._book.save(self.path)
            return True
        if self._file is not None:
            self._file.close()
            return True
        return False


class _PatentWriter:
    """Inserts and updates corpus rows with one prepared statement per kind (executemany
    through Django's connection): the ORM's bulk_create splits 45 columns into 22-row
    statements on SQLite and builds every instance, which is most of an import's time.
    Rows are updated by publication number (unique), so no primary key has to be read back."""

    STAMPS = ("created_at", "updated_at")

    def __init__(self):
        ops, self.table = connection.ops, connection.ops.quote_name(Patent._meta.db_table)
        self.fields = [f for f in Patent._meta.concrete_fields if not f.primary_key and f.name not in self.STAMPS]
        names = [ops.quote_name(f.column) for f in self.fields]
        created, updated = (ops.quote_name(Patent._meta.get_field(name).column) for name in self.STAMPS)
        # Identifiers come from the model's metadata (quoted), values are parameters: no user
        # text reaches the statement.
        self.insert_sql = (f"INSERT INTO {self.table} ({', '.join([*names, created, updated])}) "  # noqa: S608  # nosec B608
                           f"VALUES ({', '.join(['%s'] * (len(names) + 2))})")
        assignments = ", ".join(name + " = %s" for name in [*names, updated])
        number = ops.quote_name(Patent._meta.get_field("publication_number").column)
        self.update_sql = f"UPDATE {self.table} SET {assignments} WHERE {number} = %s"  # noqa: S608  # nosec B608
        self.select_sql = (f"SELECT {number}, {ops.quote_name(Patent._meta.get_field('content_hash').column)} "  # noqa: S608  # nosec B608
                           f"FROM {self.table} WHERE {number} IN ")
        self.columns = operator.itemgetter(*(f.name for f in self.fields))
        # The wrapper itself, not the thread-local proxy: values() runs once a row, and two proxy
        # lookups a row were 6 % of an import's time.
        self.db = connections[DEFAULT_DB_ALIAS]
        self.adapt_date = self.db.ops.adapt_datefield_value
        self.json_at, self.date_at, self.prep_at = [], [], []  # positions needing a conversion
        for position, f in enumerate(self.fields):
            kind = f.get_internal_type()
            if kind == "JSONField" and connection.vendor == "sqlite":
                # SQLite stores JSON as text: orjson's compact UTF-8, what json.dumps would write.
                self.json_at.append(position)
            elif kind == "JSONField":
                self.prep_at.append((position, f))
            elif kind == "DateField":
                self.date_at.append(position)

    def values(self, record: dict) -> list:
        """The record's column values, in the statements' order (timestamps excluded)."""
        values = list(self.columns(record))
        for position in self.json_at:
            value = values[position]
            if value is not None:
                values[position] = orjson.dumps(value).decode()
        adapt = self.adapt_date
        for position in self.date_at:
            value = values[position]
            if value is not None:
                values[position] = adapt(value)
        for position, f in self.prep_at:
            if values[position] is not None:
                values[position] = f.get_db_prep_save(values[position], self.db)
        return values

    def existing(self, numbers: list[str]) -> dict[str, str]:
        """{publication_number: content_hash} of the stored rows, 500 at a time."""
        found = {}
        with connection.cursor() as cursor:
            for start in range(0, len(numbers), 500):
                chunk = numbers[start:start + 500]
                cursor.execute(self.select_sql + "(" + ", ".join(["%s"] * len(chunk)) + ")", chunk)
                found.update(cursor.fetchall())
        return found

    def write(self, inserts: list[list], updates: list[tuple[str, list]]) -> None:
        """Insert the new rows and update the changed ones (by publication number), in the
        caller's transaction; each row is `values(record)`."""
        now = Patent._meta.get_field("updated_at").get_db_prep_save(timezone.now(), connection)
        with connection.cursor() as cursor:
            if inserts:
                cursor.executemany(self.insert_sql, [(*values, now, now) for values in inserts])
            if updates:
                cursor.executemany(self.update_sql, [(*values, now, number) for number, values in updates])


class _Importer:
    """One import run: the batch loop of `patents_import`.

    A batch is handled in file order: every row is normalised (RowNormaliser), the regions of
    its applicants' addresses are resolved for the whole batch, the record is hashed and the
    stored hashes of the batch's publication numbers are read in one query per 500; equal
    hashes are unchanged rows (nothing written), the others are inserted or updated and sent
    to the search index.
    """

    def __init__(self, *, report: ImportReport, rejected: _RejectedWriter, fields, columns, source_file,
                 index: bool, separate_indexer: bool):
        self.report, self.rejected_out = report, rejected
        self.normalise = RowNormaliser(fields, columns)
        self.source_file = source_file
        self.resolver = RegionResolver()
        self.writer = _PatentWriter()
        self.since_commit = 0
        self.indexer = RecordIndexer(separate_indexer) if index else None

    def reject(self, row_number: int, cells: list, problems: list[tuple[str, str]]) -> None:
        report = self.report
        report.rejected += 1
        if len(report.rejections) < REPORTED_REJECTIONS:
            for column, reason in problems:
                report.rejections.append({"row": row_number, "column": column, "reason": reason})
        self.rejected_out.write(row_number, cells, "; ".join(f"{c}: {r}" if c else r for c, r in problems))

    def flush(self, batch: list, indexes: list[int]) -> None:  # noqa: C901
        if not batch:
            return
        report, normalise, source_file = self.report, self.normalise, self.source_file
        results, records = [], []
        for item in batch:
            if isinstance(item, RowProblem):
                results.append(item)
                continue
            row_number, cells = item
            try:
                record = normalise([cells[i] for i in indexes])
            except RowError as exc:
                exc.row = (row_number, cells)
                results.append(exc)
                continue
            record["source_file"] = source_file
            records.append(record)
            results.append(record)
        resolver = self.resolver
        resolver.resolve(address for record in records for address in resolver.addresses(record))
        for record in records:
            resolver.apply(record)
            record["content_hash"] = record_hash(record)
        stored = self.writer.existing(list(dict.fromkeys(r["publication_number"] for r in records)))

        current = dict(stored)
        final: dict[str, dict] = {}
        # Counted as if the rows were applied one after the other: a later duplicate of the
        # same number is "unchanged" when equal to the one before it, else "updated".
        for result in results:
            if isinstance(result, RowProblem):
                self.reject(result.row_number, result.cells, [("", result.reason)])
            elif isinstance(result, RowError):
                self.reject(*result.row, result.problems)
            else:
                number, digest = result["publication_number"], result["content_hash"]
                before = current.get(number)
                if before is None:
                    report.created += 1
                elif before == digest:
                    report.unchanged += 1
                else:
                    report.updated += 1
                current[number] = digest
                final[number] = result
        values = self.writer.values
        inserts, updates, documents = [], [], []
        for number, record in final.items():
            before = stored.get(number)
            if before is None:
                inserts.append(values(record))
            elif before != record["content_hash"]:
                updates.append((number, values(record)))
            else:
                continue
            if self.indexer is not None:
                documents.append((index_values(record), before is not None))
        if not inserts and not updates:
            return
        with transaction.atomic():
            self.writer.write(inserts, updates)
        if self.indexer is not None:
            self.indexer.add(documents)
            self.since_commit += len(documents)
            if self.since_commit >= COMMIT_EVERY:
                self.indexer.commit()
                self.since_commit = 0

    def finish(self) -> None:
        if self.indexer is not None:
            self.indexer.close()


def _queue_sync(started) -> None:
    """The index could not take the import's records (another writer held it too long, the
    writer process died) but the database has them: a "patents.reindex" job indexes every
    patent written since the import started."""
    from zhibao.core.services.jobs import job_start

    logger.error("patent import: the search index missed records; a sync job is queued")
    job_start(name="patents.reindex", title=_("Index the patents of an interrupted import"),
              params={"since": started.isoformat()})


def patents_import(
    *,
    path: Path | str,
    fmt: str = "auto",
    preset: str = "",
    mapping: dict | None = None,
    source_name: str = "",
    rejected_path: Path | str | None = None,
    progress: Callable[[ImportReport, float], None] | None = None,
    batch_size: int = BATCH_SIZE,
    index: bool = True,
    workers: int | None = None,
    refresh_collections: bool = True,
) -> ImportReport:
    """Import a CSV/XLSX/JSONL file into the corpus (database and search index).

    ImportFileError when the file as a whole cannot be imported (type, encoding, required
    columns not mapped); every row-level problem is a rejection in the report instead, and the
    rejected rows are written to `rejected_path` (default: beside the upload, in
    PATENT_IMPORT_DIR/rejected) with their original cells and the reason.

    `workers`: 1 writes the search index in a process of its own (segmentation and tantivy on
    the second core), 0 in this process; by default a process for files of
    SEPARATE_INDEXER_BYTES and more. When rows were created or updated, the industry
    collections' counts are recomputed at the end (`refresh_collections=False` leaves them).
    """
    started = timezone.now()
    path = Path(path)
    source = open_source(path, fmt=fmt)
    with source:
        preset = preset or ("" if mapping else detect_preset(source.headers, source.format))
        used = import_mapping_resolve(headers=source.headers, fmt=source.format, preset=preset, mapping=mapping)
        missing = missing_required(used)
        if missing:
            raise ImportFileError(
                _("The file has no column for: %(fields)s. Its columns are: %(columns)s.")
                % {"fields": "、".join(missing), "columns": "、".join(source.headers[:30])}
            )
        report = ImportReport(source_file=(source_name or path.name)[:255], format=source.format,
                              encoding=source.encoding, preset=preset)
        if rejected_path is None:
            suffix = ".xlsx" if source.format == "xlsx" else ".csv"
            rejected_path = Path(settings.PATENT_IMPORT_DIR) / "rejected" / f"{secrets.token_hex(12)}{suffix}"
        rejected_path = Path(rejected_path)
        rejected_out = _RejectedWriter(rejected_path, source.headers, as_xlsx=rejected_path.suffix == ".xlsx")
        if workers is None:
            workers = int(path.stat().st_size >= SEPARATE_INDEXER_BYTES)
        separate = bool(workers) and index
        fields = list(used.values())
        indexes = [source.headers.index(header) for header in used]
        importer = _Importer(report=report, rejected=rejected_out, fields=fields,
                             columns={target: header for header, target in used.items()},
                             source_file=report.source_file, index=index, separate_indexer=separate)
        batch: list = []
        try:
            for item in source.rows():
                report.rows_read += 1
                batch.append(item)
                if len(batch) >= batch_size:
                    importer.flush(batch, indexes)
                    batch = []
                    if progress is not None:
                        progress(report, source.fraction())
            importer.flush(batch, indexes)
        except BaseException:
            # The rows written so far are in the database (each batch commits): the index gets
            # what it was given, and a sync job re-reads every row written since the start, in
            # case the index missed some (a re-import would find them unchanged and skip them).
            with contextlib.suppress(Exception):
                importer.finish()
            if index and (report.created or report.updated):
                _queue_sync(started)
            if rejected_out.close():
                report.rejected_file = str(rejected_path)
            raise
        try:
            importer.finish()
        except Exception:
            _queue_sync(started)
            raise
        finally:
            if rejected_out.close():
                report.rejected_file = str(rejected_path)
    if report.created or report.updated:
        if refresh_collections:
            from zhibao.patents.collections import collections_refresh

            collections_refresh()
        from zhibao.patents.signals import patents_imported

        patents_imported.send(sender=Patent, report=report)
    report.seconds = round((timezone.now() - started).total_seconds(), 2)
    if progress is not None:
        progress(report, 1.0)
    return report


def patents_export_jsonl(*, path: Path | str, queryset=None) -> int:
    """Write patents as the platform's JSON lines (the Patent fields of the zhibao_jsonl
    preset), streaming; `patents_import(preset="zhibao_jsonl")` reads the file back unchanged."""
    queryset = Patent.objects.all() if queryset is None else queryset
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for patent in queryset.order_by("pk").iterator(chunk_size=2000):
            row = {}
            for name in JSONL_FIELDS:
                value = getattr(patent, name)
                row[name] = value.isoformat() if isinstance(value, dt.date) else value
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


# --- Uploads and presets (the web import's steps) --------------------------------------------


def _upload_dir() -> Path:
    directory = Path(settings.PATENT_IMPORT_DIR) / "uploads"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def import_upload_store(*, uploaded_file, owner, fmt: str = "auto") -> dict:
    """Keep an uploaded file under PATENT_IMPORT_DIR with a random name (streamed to disk in
    chunks: these files may be far larger than attachments) and check by content that it is
    CSV text, an XLSX workbook or JSON lines; returns the upload's description (its token
    names it in URLs). ImportFileError (the file is removed) when it is not importable."""
    token = secrets.token_hex(16)
    directory = _upload_dir()
    path = directory / f"{token}.data"
    with open(path, "wb") as out:
        for chunk in uploaded_file.chunks():
            out.write(chunk)
    try:
        info = import_file_inspect(path=path, fmt=fmt)
    except ImportFileError:
        path.unlink(missing_ok=True)
        raise
    meta = {"token": token, "path": str(path), "name": Path(uploaded_file.name or "upload").name[:200],
            "owner": owner.pk, "size": path.stat().st_size, **info}
    (directory / f"{token}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return meta


def import_upload_get(*, token: str, user) -> dict | None:
    """An upload's description, only for the user who uploaded it."""
    if not token.isalnum() or len(token) != 32:
        return None
    meta_path = _upload_dir() / f"{token}.json"
    if not meta_path.exists():
        return None
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    return meta if meta.get("owner") == user.pk and Path(meta["path"]).exists() else None


def import_start(*, token: str, user, mapping: dict):
    """Start the import job of an upload, once: the upload's description is renamed atomically
    first, so a double click (or a replayed request) cannot queue the same file twice."""
    from zhibao.core.services.jobs import job_start

    upload = import_upload_get(token=token, user=user)
    meta_path = _upload_dir() / f"{token}.json"
    started_path = meta_path.with_suffix(".started")
    try:
        meta_path.rename(started_path)  # atomic on one file system: only one request wins
    except FileNotFoundError:
        return None
    if upload is None:
        started_path.rename(meta_path)
        return None
    return job_start(name="patents.import", title=_("Import patents from %(name)s") % {"name": upload["name"]},
                     owner=user, params={"path": upload["path"], "format": upload["format"], "mapping": mapping,
                                         "preset": "", "source_name": upload["name"], "discard_upload": True})


def import_upload_discard(*, path: str) -> None:
    """Remove an imported upload and its description (the Job keeps the report)."""
    data = Path(path)
    if data.parent == _upload_dir():
        data.unlink(missing_ok=True)
        data.with_suffix(".json").unlink(missing_ok=True)
        data.with_suffix(".started").unlink(missing_ok=True)


def import_preset_save(*, name: str, mapping: dict, owner, description: str = "") -> ImportPreset:
    """Save (or overwrite) a column mapping under a name; the built-in names are reserved."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the preset a name.")})
    if name in BUILTIN_PRESETS:
        raise ValidationError({"name": _("%(name)s is a built-in preset; choose another name.") % {"name": name}})
    mapping = {str(k): v for k, v in mapping.items() if v in FIELDS}
    if missing_required(mapping):
        raise ValidationError({"mapping": _("A preset must map the columns for: %(fields)s.")
                               % {"fields": "、".join(missing_required(mapping))}})
    preset = ImportPreset.objects.filter(name=name).first() or ImportPreset(name=name, owner=owner)
    if preset.pk and preset.owner_id not in (None, owner.pk) and not has_role(Role.SYSADMIN)(owner):
        # Another analyst's preset is theirs to change; a same-named one would silently replace it.
        raise ValidationError({"name": _("A preset named %(name)s already exists and belongs to someone else; "
                                         "choose another name.") % {"name": name}})
    preset.mapping, preset.description = mapping, description[:300]
    preset.full_clean()
    with transaction.atomic():
        preset.save()
    return preset


__all__ = [
    "RECORD_FIELDS", "ImportFileError", "ImportReport", "import_file_inspect", "import_mapping_resolve",
    "import_preset_save", "import_start", "import_upload_discard", "import_upload_get",
    "import_upload_store", "patents_export_jsonl", "patents_import",
]

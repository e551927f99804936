"""Importing files into the patent corpus: inspect, map, normalise, upsert, index.

`patents_import` streams a file in batches of ~2,000 rows: each row is normalised (a bad row is
rejected with its row number, column and reason, never stopping the others), applicants'
addresses are resolved to regions once per batch, the record is hashed, and the batch is
upserted by publication number — unchanged hashes are not written, new records are inserted
and changed ones updated with one prepared statement each (executemany), so a re-import of the
same file writes nothing. Written records go to the search engine, committed every ~50,000
records and at the end, so database and index agree when the call returns.
"""

import csv
import datetime as dt
import json
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ImportPreset, Patent
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
from .records import RECORD_FIELDS, RegionResolver, RowError, content_hash, normalise_row

BATCH_SIZE = 2_000
COMMIT_EVERY = 50_000
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
        row = row + [""] * (len(self.headers) - len(row)) + [row_number, reason]
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
    statements on SQLite and builds every instance, which is most of an import's time."""

    def __init__(self):
        self.fields = [f for f in Patent._meta.concrete_fields if not f.primary_key]
        ops, self.table = connection.ops, connection.ops.quote_name(Patent._meta.db_table)
        names = [ops.quote_name(f.column) for f in self.fields]
        # Identifiers come from the model's metadata (quoted), values are parameters: no user
        # text reaches the statement.
        self.insert_sql = (f"INSERT INTO {self.table} ({', '.join(names)}) "  # noqa: S608
                           f"VALUES ({', '.join(['%s'] * len(names))})")
        self.update_fields = [f for f in self.fields if f.name != "created_at"]
        assignments = ", ".join(ops.quote_name(f.column) + " = %s" for f in self.update_fields)
        self.update_sql = (f"UPDATE {self.table} SET {assignments} "  # noqa: S608
                           f"WHERE {ops.quote_name(Patent._meta.pk.column)} = %s")
        self.converters = {}
        for f in self.fields:
            kind = f.get_internal_type()
            if kind == "JSONField" and connection.vendor == "sqlite":
                # SQLite stores JSON as text: the field's own prep is json.dumps behind three calls.
                self.converters[f.name] = _dumps
            elif kind == "JSONField":
                self.converters[f.name] = lambda v, f=f: f.get_db_prep_save(v, connection)
            elif kind == "DateField":
                self.converters[f.name] = ops.adapt_datefield_value
            else:
                self.converters[f.name] = None

    def _values(self, record: dict, fields, now) -> list:
        values = []
        for f in fields:
            if f.name in ("created_at", "updated_at"):
                values.append(now)
                continue
            value = record[f.name]
            convert = self.converters[f.name]
            values.append(convert(value) if convert is not None and value is not None else value)
        return values

    def write(self, inserts: list[dict], updates: list[tuple[int, dict]]) -> None:
        """Insert the new records and update the changed ones (by id), in the caller's transaction."""
        now = Patent._meta.get_field("updated_at").get_db_prep_save(timezone.now(), connection)
        with connection.cursor() as cursor:
            if inserts:
                cursor.executemany(self.insert_sql, [self._values(r, self.fields, now) for r in inserts])
            if updates:
                cursor.executemany(self.update_sql,
                                   [[*self._values(r, self.update_fields, now), pk] for pk, r in updates])


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _existing(numbers: list[str]) -> dict:
    """{publication_number: (id, content_hash)} of the stored rows, 500 at a time."""
    found = {}
    for start in range(0, len(numbers), 500):
        rows = Patent.objects.filter(publication_number__in=numbers[start:start + 500]).values_list(
            "publication_number", "pk", "content_hash")
        found.update({number: (pk, digest) for number, pk, digest in rows})
    return found


class _Importer:
    """One import run: the batch loop of `patents_import`."""

    def __init__(self, *, report: ImportReport, rejected: _RejectedWriter, index: bool):
        self.report, self.rejected_out, self.index = report, rejected, index
        self.resolver = RegionResolver()
        self.writer = _PatentWriter()
        self.since_commit = 0
        self.engine = None
        if index:
            from zhibao.patents.search import get_engine

            self.engine = get_engine()

    def reject(self, row_number: int, cells: list, problems: list[tuple[str, str]]) -> None:
        report = self.report
        report.rejected += 1
        if len(report.rejections) < REPORTED_REJECTIONS:
            for column, reason in problems:
                report.rejections.append({"row": row_number, "column": column, "reason": reason})
        self.rejected_out.write(row_number, cells, "; ".join(f"{c}: {r}" if c else r for c, r in problems))

    def flush(self, batch: list[dict]) -> None:
        if not batch:
            return
        resolver, report = self.resolver, self.report
        resolver.resolve(address for record in batch for address in resolver.addresses(record))
        for record in batch:
            resolver.apply(record)
            record["content_hash"] = content_hash(record)
        numbers = list(dict.fromkeys(r["publication_number"] for r in batch))
        stored = _existing(numbers)
        current = {number: digest for number, (_pk, digest) in stored.items()}
        final: dict[str, dict] = {}
        # Counted as if the rows were applied one after the other: a later duplicate of the
        # same number is "unchanged" when equal to the one before it, else "updated".
        for record in batch:
            number, digest = record["publication_number"], record["content_hash"]
            if number not in current:
                report.created += 1
            elif current[number] == digest:
                report.unchanged += 1
            else:
                report.updated += 1
            current[number] = digest
            final[number] = record
        inserts = [r for n_, r in final.items() if n_ not in stored]
        updates = [(stored[n_][0], r) for n_, r in final.items() if n_ in stored and stored[n_][1] != r["content_hash"]]
        if not inserts and not updates:
            return
        with transaction.atomic():
            self.writer.write(inserts, updates)
        if self.engine is not None:
            # The engine reads attributes (a Patent "or any object with its attributes"):
            # building 2,000 model instances per batch would cost more than the insert.
            patents = [SimpleNamespace(**r) for r in inserts] + [SimpleNamespace(**r) for _pk, r in updates]
            self.engine.index_patents(patents)
            self.since_commit += len(patents)
            if self.since_commit >= COMMIT_EVERY:
                self.engine.commit()
                self.since_commit = 0

    def finish(self) -> None:
        if self.engine is not None and self.since_commit:
            self.engine.commit()


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
) -> ImportReport:
    """Import a CSV/XLSX/JSONL file into the corpus (database and search index).

    ImportFileError when the file as a whole cannot be imported (type, encoding, required
    columns not mapped); every row-level problem is a rejection in the report instead, and the
    rejected rows are written to `rejected_path` (default: beside the upload, in
    PATENT_IMPORT_DIR/rejected) with their original cells and the reason.
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
        importer = _Importer(report=report, rejected=rejected_out, index=index)
        plan = [(target, source.headers.index(header)) for header, target in used.items()]
        columns = {target: header for header, target in used.items()}
        source_file = report.source_file
        batch: list[dict] = []
        try:
            for item in source.rows():
                report.rows_read += 1
                if isinstance(item, RowProblem):
                    importer.reject(item.row_number, item.cells, [("", item.reason)])
                    continue
                row_number, cells = item
                try:
                    record = normalise_row({target: cells[i] for target, i in plan}, columns)
                except RowError as exc:
                    importer.reject(row_number, cells, exc.problems)
                    continue
                record["source_file"] = source_file
                batch.append(record)
                if len(batch) >= batch_size:
                    importer.flush(batch)
                    batch = []
                    if progress is not None:
                        progress(report, source.fraction())
            importer.flush(batch)
        finally:
            importer.finish()
            if rejected_out.close():
                report.rejected_file = str(rejected_path)
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


def import_upload_discard(*, path: str) -> None:
    """Remove an imported upload and its description (the Job keeps the report)."""
    data = Path(path)
    if data.parent == _upload_dir():
        data.unlink(missing_ok=True)
        data.with_suffix(".json").unlink(missing_ok=True)


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
    preset.mapping, preset.description = mapping, description[:300]
    preset.full_clean()
    with transaction.atomic():
        preset.save()
    return preset


__all__ = [
    "RECORD_FIELDS", "ImportFileError", "ImportReport", "import_file_inspect", "import_mapping_resolve",
    "import_preset_save", "import_upload_discard", "import_upload_get",
    "import_upload_store", "patents_export_jsonl", "patents_import",
]

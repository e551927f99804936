"""`zhibao import-patents PATH`: import a patent file in the foreground (progress bar on
stderr; database and search index both updated when it returns), or `--background` to queue
it as a job the worker runs. `--export-jsonl FILE` writes the corpus as the platform's JSONL."""

import sys
import time
from pathlib import Path

from django.core.management import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhibao.patents.importing.readers import FORMATS, ImportFileError
from zhibao.patents.importing.services import ImportReport, patents_export_jsonl, patents_import


class ProgressBar:
    """A one-line bar redrawn with \\r on stderr (only when it is a terminal or asked for)."""

    def __init__(self, stream, enabled: bool):
        self.stream, self.enabled, self.started, self.last = stream, enabled, time.monotonic(), 0.0

    def __call__(self, report: ImportReport, fraction: float) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self.last < 0.2 and fraction < 1):
            return
        self.last = now
        width = 30
        filled = int(width * fraction)
        rate = report.rows_read / max(now - self.started, 1e-6)
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {fraction * 100:5.1f}%  {report.rows_read:,} rows"
            f"  {rate:,.0f}/s  +{report.created:,} ~{report.updated:,} ={report.unchanged:,} x{report.rejected:,}"
        )
        self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


class Command(BaseCommand):
    help = "Import patents from a CSV, Excel (.xlsx) or JSON lines file into the corpus and its search index."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="the file to import")
        parser.add_argument("--format", default="auto", choices=("auto", *FORMATS))
        parser.add_argument("--preset", default="", help="cn_export, zhibao_jsonl or a saved preset's name")
        parser.add_argument("--background", action="store_true", help="queue the import as a job instead")
        parser.add_argument("--rejected", help="where to write the rejected rows (default: under PATENT_IMPORT_DIR)")
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--progress", action="store_true", help="draw the progress bar even when not a terminal")
        parser.add_argument("--export-jsonl", metavar="FILE", help="write the corpus as JSON lines and exit")

    def handle(self, *args, path=None, **options):
        if options["export_jsonl"]:
            count = patents_export_jsonl(path=options["export_jsonl"])
            self.stdout.write(_("%(count)s patents written to %(path)s.") % {"count": count,
                                                                              "path": options["export_jsonl"]})
            return
        if not path:
            raise CommandError(_("Give the file to import."))
        file = Path(path).resolve()
        if not file.is_file():
            raise CommandError(_("%(path)s is not a file.") % {"path": path})
        if options["background"]:
            from zhibao.core.services.jobs import job_start

            job = job_start(name="patents.import", title=_("Import patents from %(name)s") % {"name": file.name},
                            params={"path": str(file), "format": options["format"], "preset": options["preset"],
                                    "source_name": file.name})
            self.stdout.write(_("Queued as job %(id)s; `zhibao db_worker` runs it.") % {"id": job.pk})
            return
        bar = ProgressBar(sys.stderr, options["progress"] or sys.stderr.isatty())
        try:
            report = patents_import(path=file, fmt=options["format"], preset=options["preset"],
                                    source_name=file.name, rejected_path=options["rejected"], progress=bar,
                                    batch_size=options["batch_size"])
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.done()
        self.stdout.write(_(
            "%(read)s rows read: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
            "%(rejected)s rejected (%(seconds)s s)."
        ) % {"read": report.rows_read, "created": report.created, "updated": report.updated,
             "unchanged": report.unchanged, "rejected": report.rejected, "seconds": report.seconds})
        for item in report.rejections[:20]:
            self.stdout.write(_("  row %(row)s, %(column)s: %(reason)s") % item)
        if report.rejected_file:
            self.stdout.write(_("Rejected rows: %(path)s") % {"path": report.rejected_file})

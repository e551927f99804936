"""zhibao load-ipc [PATH] [--notes NOTES.jsonl] [--replace]: load the Chinese IPC scheme."""

import re
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhibao.patents.choices import IpcLevel
from zhibao.patents.ipc import LEVEL_ORDER, ipc_load

DEFAULT_NAME = "ipc_2026_01_zh.csv"


def default_scheme_path() -> Path:
    """../shared/data/ipc/ipc_2026_01_zh.csv beside the project directory."""
    return Path(settings.BASE_DIR).parent / "shared" / "data" / "ipc" / DEFAULT_NAME


class Command(BaseCommand):
    help = ("Load the IPC scheme (CSV: code, level, title_zh, parent) and its notes (JSON lines: code, level, "
            "notes_zh). Re-running updates titles; nothing is deleted unless --replace.")

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help=f"the scheme CSV (default: ../shared/data/ipc/{DEFAULT_NAME})")
        parser.add_argument("--notes", help="the notes file (default: <PATH stem>_notes.jsonl beside PATH, if present)")
        parser.add_argument("--edition", default="", help="edition label, e.g. 2026.01 (default: read from the file name)")
        parser.add_argument("--replace", action="store_true", help="delete the stored codes the file does not have")
        parser.add_argument("--show-warnings", action="store_true", help="list every warning, not only the first ten")

    def handle(self, *args, path=None, notes=None, edition="", replace=False, show_warnings=False, **options):
        scheme = Path(path) if path else default_scheme_path()
        if not scheme.is_file():
            if path:
                raise CommandError(f"{scheme}: no such file.")
            raise CommandError(
                f"No PATH given and the default scheme file {scheme} is absent. Pass the CSV of the Chinese IPC "
                f"scheme (columns code, level, title_zh, parent), e.g. zhibao load-ipc /data/ipc/{DEFAULT_NAME} "
                f"--notes /data/ipc/ipc_2026_01_zh_notes.jsonl"
            )
        notes_path = Path(notes) if notes else scheme.with_name(f"{scheme.stem}_notes.jsonl")
        if notes and not notes_path.is_file():
            raise CommandError(f"{notes_path}: no such notes file.")
        if not notes_path.is_file():
            self.stdout.write(f"no notes file {notes_path}: stored notes are kept")
            notes_path = None
        if not edition:
            match = re.search(r"(\d{4})[_.-](\d{2})", scheme.name)
            edition = f"{match.group(1)}.{match.group(2)}" if match else ""
        started = time.monotonic()
        result = ipc_load(path=scheme, notes_path=notes_path, edition=edition, replace=replace,
                          progress=self.stdout.write)
        for warning in result.warnings if show_warnings else result.warnings[:10]:
            self.stderr.write(f"warning: {warning}")
        if len(result.warnings) > 10 and not show_warnings:
            self.stderr.write(f"… {len(result.warnings) - 10} more warnings (--show-warnings lists them)")
        self.stdout.write(f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged, "
                          f"{result.deleted} deleted, {result.notes} with notes, in {time.monotonic() - started:.1f} s")
        for level in LEVEL_ORDER:
            self.stdout.write(f"  {IpcLevel(level).label}: {result.by_level.get(level, 0)}")
        self.stdout.write(self.style.SUCCESS(f"{sum(result.by_level.values())} IPC codes loaded (edition {edition or '-'})"))

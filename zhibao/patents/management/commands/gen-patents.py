"""`zhibao gen-patents N --seed S --out FILE`: synthetic patents in the 61-column export layout
(CSV UTF-8-BOM; .xlsx or .jsonl by the file's extension), deterministic for a seed."""

import time

from django.core.management import BaseCommand

from zhibao.patents.importing.generator import generate_patents_file


class Command(BaseCommand):
    help = "Write N synthetic patent records in the Chinese database export layout."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--out", required=True, help="file to write (.csv, .xlsx or .jsonl)")

    def handle(self, *args, count, seed, out, **options):
        started = time.monotonic()
        generate_patents_file(path=out, count=count, seed=seed)
        seconds = max(time.monotonic() - started, 1e-6)
        self.stdout.write(f"{count:,} records written to {out} in {seconds:.1f} s ({count / seconds:,.0f}/s).")

"""`zhibao reindex`: rebuild the patent search index from the database in the foreground."""

import sys
import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhibao.patents.search import get_engine


class Command(BaseCommand):
    help = "Rebuild the patent search index from the database (with a progress line)."

    def handle(self, *args, **options):
        started = time.monotonic()
        interactive = self.stdout.isatty() if hasattr(self.stdout, "isatty") else sys.stdout.isatty()

        def progress(done: int, total: int) -> None:
            rate = done / max(time.monotonic() - started, 1e-6)
            line = _("Indexed %(done)d / %(total)d patents (%(rate)d/s)") % {
                "done": done, "total": total, "rate": rate}
            if interactive:
                self.stdout.write(f"\r{line}", ending="")
                self.stdout.flush()
            else:
                self.stdout.write(line)

        count = get_engine().rebuild(progress=progress)
        if interactive:
            self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(
            _("Indexed %(count)d patents in %(seconds).1f s.") % {"count": count,
                                                                 "seconds": time.monotonic() - started}
        ))

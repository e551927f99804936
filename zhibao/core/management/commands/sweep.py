"""`zhibao sweep`: run the services' periodic passes now (the worker runs them every five
minutes; cron may call this on a platform run without a worker)."""

import json

from django.core.management import BaseCommand

from zhibao.core.sweeps import sweeps, sweeps_run


class Command(BaseCommand):
    help = "Run the services' periodic sweeps (overdue notices, lapsed deadlines) now."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help="Only these sweeps (default: all).")
        parser.add_argument("--list", action="store_true", help="List the sweeps and exit.")

    def handle(self, *args, names, list, **options):
        if list:
            for sweep in sweeps():
                self.stdout.write(sweep.name)
            return
        results = sweeps_run(names or None)
        for name, result in results.items():
            self.stdout.write(f"{name}: {json.dumps(result, ensure_ascii=False)}")

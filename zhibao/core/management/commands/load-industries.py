from pathlib import Path

from django.core.management import BaseCommand, CommandError

from zhibao.core.industries import industries_load


class Command(BaseCommand):
    help = "Load the GB/T 4754-2017 industry classification from a CSV (code,level,section,division,group,class,name)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        try:
            report = industries_load(path)
        except ValueError as exc:
            raise CommandError(str(exc))
        self.stdout.write(f"read {report.read}, created {report.created}, updated {report.updated}, "
                          f"rejected {len(report.rejected)}")
        for line, reason in report.rejected[:50]:
            self.stdout.write(f"  line {line}: {reason}")

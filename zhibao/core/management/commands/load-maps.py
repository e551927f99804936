from pathlib import Path

from django.core.management import BaseCommand, CommandError

from zhibao.core.maps import MAP_FILES, MapFileError, default_maps_dir, region_maps_load


class Command(BaseCommand):
    help = (
        "Load the region boundary maps (GeoJSON) the charts draw — China's provinces, Inner Mongolia's leagues "
        "and its banners/counties — from DIR (default: the shared data folder's regions/, "
        "../shared/data/regions) into the database; pages fetch them from /maps/<name>.json and reports read "
        "them server-side. Files: " + ", ".join(f"{name} ← {file}" for name, file in MAP_FILES.items())
        + ". Idempotent: an unchanged file is left as it is, a changed one replaces its map."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", type=Path, default=None,
                            help=f"folder holding the .geojson files (default: {default_maps_dir()})")

    def handle(self, *args, directory: Path | None = None, **options):
        directory = directory or default_maps_dir()
        if not directory.is_dir():
            raise CommandError(f"No such folder: {directory}")
        try:
            report = region_maps_load(directory)
        except MapFileError as exc:
            raise CommandError(str(exc)) from exc
        for name, count in report.loaded.items():
            self.stdout.write(f"{name}: {count} features loaded from {MAP_FILES[name]}")
        for name in report.unchanged:
            self.stdout.write(f"{name}: unchanged")
        for file_name in report.missing:
            self.stderr.write(f"missing in {directory}: {file_name}")
        if not report.loaded and not report.unchanged:
            raise CommandError(f"No map file found in {directory} (expected {', '.join(MAP_FILES.values())})")

"""Region boundary maps (GeoJSON) for ECharts and for server-rendered report charts.

The platform may not download anything at run time and the boundary files are not part of the
repository, so `zhibao load-maps DIR` (region_maps_load) reads them from the shared reference
data folder into core.RegionMap, and pages fetch them from /maps/<name>.json (views.region_map_json);
server-side code reads them with region_map(name).
"""

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from .models import RegionMap

# Map name → boundary file: China's provinces (feature names 内蒙古, 北京 …: the short names the
# patent index uses), Inner Mongolia's 12 leagues/cities and its 103 banners/counties.
MAP_FILES = {
    "china": "china_provinces.geojson",
    "neimenggu": "neimenggu_12_leagues_cities.geojson",
    "neimenggu_counties": "neimenggu_counties_all.geojson",
}


def default_maps_dir() -> Path:
    """The shared reference data beside the repository (ZHIBAO_SHARED_DATA overrides it)."""
    shared = Path(os.environ.get("ZHIBAO_SHARED_DATA", settings.BASE_DIR.parent / "shared" / "data"))
    return shared / "regions"


class MapFileError(ValueError):
    """A boundary file that is not a GeoJSON FeatureCollection of named features."""


@dataclass
class MapsLoadReport:
    loaded: dict[str, int] = field(default_factory=dict)  # name → features
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # file names not found in the folder


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise MapFileError(_("%(file)s is not readable JSON: %(error)s") % {"file": path.name, "error": exc}) from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(features, list):
        raise MapFileError(_("%(file)s is not a GeoJSON FeatureCollection.") % {"file": path.name})
    unnamed = sum(1 for f in features if not ((f or {}).get("properties") or {}).get("name"))
    if unnamed:
        raise MapFileError(_("%(file)s has %(count)d features without a name.") % {"file": path.name,
                                                                                 "count": unnamed})
    return data


def region_maps_load(directory: Path | str | None = None) -> MapsLoadReport:
    """Load (or reload) every map of MAP_FILES found in `directory` (default_maps_dir()).

    Idempotent: a map whose GeoJSON is unchanged is left as it is (its loaded_at too, so
    browsers keep their cached copy); a changed file replaces the stored map. Files missing
    from the folder are reported, not an error; a malformed file raises MapFileError and
    nothing is written.
    """
    directory = Path(directory) if directory else default_maps_dir()
    report = MapsLoadReport()
    read = {}
    for name, file_name in MAP_FILES.items():
        path = directory / file_name
        if not path.is_file():
            report.missing.append(file_name)
            continue
        read[name] = (file_name, _read(path))
    with transaction.atomic():
        for name, (file_name, data) in read.items():
            current = RegionMap.objects.filter(name=name).first()
            if current is not None and current.geojson == data:
                report.unchanged.append(name)
                continue
            RegionMap.objects.update_or_create(
                name=name, defaults={"geojson": data, "source": file_name, "features": len(data["features"])})
            report.loaded[name] = len(data["features"])
    return report


def region_map(name: str) -> dict | None:
    """The GeoJSON FeatureCollection of a loaded map ("china", "neimenggu",
    "neimenggu_counties"), or None when it has not been loaded."""
    return RegionMap.objects.filter(name=name).values_list("geojson", flat=True).first()


def region_maps_loaded() -> list[str]:
    """The names of the maps loaded so far (a page fetches only these, and draws bars for the rest)."""
    return sorted(RegionMap.objects.values_list("name", flat=True))

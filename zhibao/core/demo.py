"""Kernel demo data, when the shared reference data is beside the repository (it is not
shipped with the code): the GB/T 4754 industry table (`zhibao load-industries PATH` loads it)
and the region boundary maps of the charts (`zhibao load-maps DIR`)."""

import logging
import os
from pathlib import Path

from django.conf import settings

from .industries import industries_load
from .maps import MapFileError, region_maps_load
from .models import Industry

logger = logging.getLogger(__name__)

SHARED_DATA = Path(os.environ.get("ZHIBAO_SHARED_DATA", settings.BASE_DIR.parent / "shared" / "data"))


def load(stdout=None) -> None:
    path = SHARED_DATA / "industry" / "gbt4754_2017_industry_classification.csv"
    if not Industry.objects.exists() and path.exists():
        report = industries_load(path)
        if stdout is not None:
            stdout.write(f"core: {report.created} industry classes from {path}")
    load_maps(stdout=stdout)


def load_maps(stdout=None) -> None:
    """The boundary maps from SHARED_DATA/regions (idempotent); without that folder the maps
    stay unloaded — pages then show their tables without a map — and the demo goes on."""
    directory = SHARED_DATA / "regions"
    if not directory.is_dir():
        logger.warning("demo: no region maps (%s is absent); load them later with `zhibao load-maps DIR`", directory)
        return
    try:
        report = region_maps_load(directory)
    except MapFileError as exc:
        logger.warning("demo: region maps not loaded: %s", exc)
        return
    if stdout is not None and report.loaded:
        stdout.write("core: region maps " + ", ".join(f"{name} ({count} features)"
                                                      for name, count in report.loaded.items()))

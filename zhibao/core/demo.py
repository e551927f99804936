"""Kernel demo data: the GB/T 4754 industry table when the shared reference data is beside
the repository (it is not shipped with the code; `zhibao load-industries PATH` loads it)."""

import os
from pathlib import Path

from django.conf import settings

from .industries import industries_load
from .models import Industry

SHARED_DATA = Path(os.environ.get("ZHIBAO_SHARED_DATA", settings.BASE_DIR.parent / "shared" / "data"))


def load(stdout=None) -> None:
    path = SHARED_DATA / "industry" / "gbt4754_2017_industry_classification.csv"
    if Industry.objects.exists() or not path.exists():
        return
    report = industries_load(path)
    if stdout is not None:
        stdout.write(f"core: {report.created} industry classes from {path}")

"""Reference data every installation needs: GB/T 2260 regions and the staff-role groups.

The data migration loads it once; this post_migrate handler puts it back whenever it is
missing — after a `flush` (which tests use between transactional tests) or a restore of a
partial dump — so code can rely on it.
"""

import csv
from pathlib import Path

REGIONS_CSV = Path(__file__).resolve().parent / "data" / "regions.csv"


def ensure_reference_data(sender=None, using="default", **kwargs) -> None:
    from django.contrib.auth.models import Group

    from .choices import Role
    from .models import Region

    if Region.objects.using(using).count() < 149:
        with REGIONS_CSV.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):  # parents come before children in the file
                Region.objects.using(using).update_or_create(
                    code=row["code"],
                    defaults={"name": row["name"], "short_name": row["short_name"], "level": row["level"],
                              "parent_id": row["parent_code"] or None},
                )
    existing = set(Group.objects.using(using).values_list("name", flat=True))
    Group.objects.using(using).bulk_create([Group(name=r.value) for r in Role if r.value not in existing])

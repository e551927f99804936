"""Reference data: administrative regions (GB/T 2260) and the staff roles as groups."""

import csv
from pathlib import Path

from django.db import migrations

REGIONS_CSV = Path(__file__).resolve().parent.parent / "data" / "regions.csv"
ROLES = ["clerk", "examiner", "operator", "mediator", "expert", "leader", "sysadmin", "secadmin", "auditadmin"]


def load(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    Group = apps.get_model("auth", "Group")
    with REGIONS_CSV.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):  # parents come before children in the file
            Region.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name": row["name"],
                    "short_name": row["short_name"],
                    "level": row["level"],
                    "parent_id": row["parent_code"] or None,
                },
            )
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

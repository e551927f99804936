"""The patent analysts' group (Role.ANALYST): navigation is their work."""

from django.db import migrations


def create(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="analyst")


class Migration(migrations.Migration):
    dependencies = [("navigation", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]

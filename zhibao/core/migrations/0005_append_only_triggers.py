from django.db import migrations


def install(apps, schema_editor):
    from zhibao.core.append_only import install

    install(schema_editor)


def uninstall(apps, schema_editor):
    from zhibao.core.append_only import uninstall

    uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_security_baseline")]
    operations = [migrations.RunPython(install, uninstall)]

from django.db import migrations

from dixian.core import audit_triggers


def install(apps, schema_editor):
    audit_triggers.enable(schema_editor.connection)


def remove(apps, schema_editor):
    audit_triggers.disable(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]

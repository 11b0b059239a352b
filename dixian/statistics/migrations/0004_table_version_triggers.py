from django.db import migrations

from dixian.statistics import versions


def install(apps, schema_editor):
    versions.install(schema_editor.connection)


def remove(apps, schema_editor):
    versions.remove(schema_editor.connection)


class Migration(migrations.Migration):
    """The triggers that keep each input table's change counter (dixian/statistics/versions.py)."""

    dependencies = [
        ("statistics", "0003_table_version"),
        ("registry", "0008_merge_20261208_0309"),
        ("cases", "0005_category_scheme"),
        ("assistance", "0003_measure_national_text_measure_origin"),
        ("quality", "0002_widen_scope_code"),
    ]

    operations = [migrations.RunPython(install, remove)]

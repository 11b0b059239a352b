"""Re-chain the audit rows of earlier releases with the audit key (HMAC-SHA256).

Earlier releases hashed each row with plain SHA-256. This migration verifies that chain row
by row (and stops at the first broken row: an upgrade must not bless a tampered history with
the key), then rewrites every row's ``prev_hash`` and ``hash`` with the key, in order, with
the append-only triggers lifted for the duration. Set ``DIXIAN_AUDIT_KEY`` before migrating.
See docs/audit.md.
"""

from django.db import migrations


def rechain(apps, schema_editor):
    from dixian.core.audit import rechain_unkeyed

    rechain_unkeyed(apps.get_model("core", "AuditEvent"), schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_departments_that_deliver_measures")]
    operations = [migrations.RunPython(rechain, migrations.RunPython.noop)]

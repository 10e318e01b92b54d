"""Check every stored plan version against the strict plan format (docs/compensation.md, "Plan
JSON"): an invalid one stops the migration with its plan, number and JSON pointers, rather than
paying people by a plan other than the one sales ops wrote. Changes nothing."""

from django.db import migrations

from compensation.plan_check import check_plan_versions


class Migration(migrations.Migration):
    dependencies = [
        ("compensation", "0004_backfill_payout_ledger"),
    ]

    operations = [
        migrations.RunPython(check_plan_versions, migrations.RunPython.noop, elidable=True),
    ]

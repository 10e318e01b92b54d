import importlib

from django.db import migrations, models

PostgresOnly = importlib.import_module("salesops.migrations.0002_efficiency").PostgresOnly

# The person-day primary key led by the day: a night reads whole days (the new day and the one
# leaving the trailing 90 days, every day of a month being recomputed) as key ranges, where the
# key led by the person needed a probe per person and day, or a scan of every row. Django's
# AlterField of a composite primary key changes only the state (a no-op in SQL), so the
# constraint is rebuilt here; the name stays Django's.
KEY = "salesops_efficiencypersonday_pkey"
TABLE = "salesops_efficiencypersonday"


class Migration(migrations.Migration):
    dependencies = [
        ("salesops", "0005_efficiency_day_tables_lean"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="efficiencypersonday",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "day",
                        "person_id",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
            ],
            database_operations=[
                PostgresOnly(
                    migrations.RunSQL(
                        f"ALTER TABLE {TABLE} DROP CONSTRAINT {KEY}, "
                        f"ADD CONSTRAINT {KEY} PRIMARY KEY (day, person_id)",
                        f"ALTER TABLE {TABLE} DROP CONSTRAINT {KEY}, "
                        f"ADD CONSTRAINT {KEY} PRIMARY KEY (person_id, day)",
                    )
                ),
            ],
        ),
    ]

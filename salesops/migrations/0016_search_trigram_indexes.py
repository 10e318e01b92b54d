"""Trigram indexes for the searchable choosers and list search (salesops.choosers, listing).

Django's icontains is UPPER(col) LIKE UPPER('%…%'); a GIN index with gin_trgm_ops on UPPER(col)
serves it at any size (5,000 people, 1M deals). Raw SQL because GinIndex(OpClass(Upper(...)))
renders the operator class inside the expression's parentheses on Django 5.2. CONCURRENTLY is not
used: the tables are built by the same migration run that creates them on a fresh install, and a
deployment with 1M deals can build them ahead with the same statements."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = (
    ("person_name_trgm", "salesops_person", "name"),
    ("account_name_trgm", "salesops_account", "name"),
    ("deal_external_id_trgm", "salesops_deal", "external_id"),
)


class Migration(migrations.Migration):
    dependencies = [
        ("salesops", "0015_job_progress_import_upload"),
    ]

    operations = [
        # pg_trgm ships with PostgreSQL (contrib): the embedded server and docker's image have it.
        TrigramExtension(),
        *(
            migrations.RunSQL(
                sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                f'USING gin ((UPPER("{column}")) gin_trgm_ops)',
                reverse_sql=f'DROP INDEX IF EXISTS "{name}"',
            )
            for name, table, column in INDEXES
        ),
    ]

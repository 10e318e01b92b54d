import django.db.models.deletion
from django.db import migrations, models

# Single-column foreign-key indexes that a composite index already leads with: deal.owner_id
# ((owner, stage)), dealsplit.deal_id (unique (deal, person)), dealsplit.person_id
# ((person, deal)), salescost.person_id ((person, date)), salescost.team_id ((team, date)); and a
# second index on deal.account_id (the foreign key's own stays). Every deal, split and ledger
# write paid for them. Only the indexes go: Django's AlterField would also drop and re-validate the
# foreign-key constraints (a full scan of each table).
REDUNDANT = {
    "salesops_deal_owner_id_54c8c5b6": ("salesops_deal", "owner_id"),
    "salesops_dealsplit_deal_id_df6dca80": ("salesops_dealsplit", "deal_id"),
    "salesops_dealsplit_person_id_91347b56": ("salesops_dealsplit", "person_id"),
    "salesops_salescost_person_id_da30831f": ("salesops_salescost", "person_id"),
    "salesops_salescost_team_id_56554853": ("salesops_salescost", "team_id"),
}
DROP_SQL = [f'DROP INDEX IF EXISTS "{name}"' for name in REDUNDANT]
CREATE_SQL = [f'CREATE INDEX "{name}" ON "{t}" ("{c}")' for name, (t, c) in REDUNDANT.items()]


class Migration(migrations.Migration):
    dependencies = [
        ("salesops", "0006_efficiency_person_day_key_by_day"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="deal",
            name="salesops_de_account_056734_idx",
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="deal",
                    name="owner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deals",
                        to="salesops.person",
                    ),
                ),
                migrations.AlterField(
                    model_name="dealsplit",
                    name="deal",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="splits",
                        to="salesops.deal",
                    ),
                ),
                migrations.AlterField(
                    model_name="dealsplit",
                    name="person",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deal_splits",
                        to="salesops.person",
                    ),
                ),
                migrations.AlterField(
                    model_name="salescost",
                    name="person",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="costs",
                        to="salesops.person",
                    ),
                ),
                migrations.AlterField(
                    model_name="salescost",
                    name="team",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="costs",
                        to="salesops.team",
                    ),
                ),
            ],
            database_operations=[migrations.RunSQL(DROP_SQL, CREATE_SQL)],
        ),
    ]

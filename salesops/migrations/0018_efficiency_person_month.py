"""Per person, fiscal month and team of the day: the efficiency state of the days before the
day horizon (docs/efficiency.md, "Horizon"). A run reads those days only as whole closed months,
so a full rebuild writes ~5,000 people x 20 months of rows here instead of ~1M person days.

Derived state like the engine's other working tables (0002): UNLOGGED, no key and no index (a
full rebuild writes it in one statement; a night deletes a few people's months, and the publish
reads whole months: both sequential over ~100k rows). The GROUP BY that writes it makes
(month, person, team) unique. No Django model: only the engine's SQL reads and writes it."""

from django.db import migrations

CREATE_SQL = """
CREATE UNLOGGED TABLE salesops_efficiencypersonmonth (
    month date NOT NULL,
    person_id bigint NOT NULL,
    team_id bigint NULL,
    revenue numeric(22, 6) NOT NULL,
    cost numeric(18, 2) NOT NULL,
    won_deals integer NOT NULL,
    days integer NOT NULL CHECK (days > 0)
);
"""
DROP_SQL = "DROP TABLE salesops_efficiencypersonmonth;"


class Migration(migrations.Migration):
    dependencies = [("salesops", "0017_deal_default_order_index")]

    operations = [migrations.RunSQL(CREATE_SQL, DROP_SQL)]

"""Two owners of one territory may not overlap in time: an exclusion constraint.

`coverage_assign` checks first (with the territory locked) for a clear validation error; the
constraint is the guarantee. btree_gist gives GiST an equality operator for the territory id.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE territories_territoryassignment
    ADD CONSTRAINT coverage_owner_no_overlap
    EXCLUDE USING gist (
        territory_id WITH =,
        daterange(effective_from, effective_to, '[]') WITH &&
    ) WHERE (role = 'owner');
"""
DROP = "ALTER TABLE territories_territoryassignment DROP CONSTRAINT IF EXISTS coverage_owner_no_overlap;"


def forwards(apps, schema_editor):
    schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("territories", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]

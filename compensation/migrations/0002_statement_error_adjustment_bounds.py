from decimal import Decimal

import django.core.validators
from django.db import migrations, models

TOO_LARGE = "Too large: an amount is at most 999,999,999.99 (either sign); check the figure."


def bounded() -> models.DecimalField:
    return models.DecimalField(
        decimal_places=2,
        max_digits=14,
        validators=[
            django.core.validators.MinValueValidator(Decimal("-999999999.99"), message=TOO_LARGE),
            django.core.validators.MaxValueValidator(Decimal("999999999.99"), message=TOO_LARGE),
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("compensation", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalstatement",
            name="error",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="statement",
            name="error",
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(model_name="adjustment", name="amount", field=bounded()),
        migrations.AlterField(model_name="historicaladjustment", name="amount", field=bounded()),
    ]

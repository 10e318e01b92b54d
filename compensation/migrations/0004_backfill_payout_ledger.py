"""Record what statements approved before the payout ledger existed paid, so a deal they paid is
never paid again (its later changes become corrections). Lines get their ledger component."""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery

SKIP = ("carry_forward",)


def backfill(apps, schema_editor):
    StatementLine = apps.get_model("compensation", "StatementLine")
    PayoutEntry = apps.get_model("compensation", "PayoutEntry")
    DealSplit = apps.get_model("salesops", "DealSplit")
    Statement = apps.get_model("compensation", "Statement")
    StatementLine.objects.filter(component="").update(
        component=F("kind"),
        measure_period=Subquery(
            Statement.objects.filter(pk=OuterRef("statement_id")).values("period_start")[:1]
        ),
    )
    lines = (
        StatementLine.objects.filter(statement__status__in=("approved", "paid"))
        .exclude(kind__in=SKIP)
        .exclude(amount=0)
        .exclude(kind__in=("commission", "spif", "clawback"), deal__isnull=True)
        .filter(payout__isnull=True)
        .select_related("statement")
        .order_by("pk")
    )
    shares = {
        (s.person_id, s.deal_id): s.percent
        for s in DealSplit.objects.filter(deal_id__in=lines.values("deal_id")).only(
            "person_id", "deal_id", "percent"
        )
    }
    batch = []
    for line in lines.iterator(chunk_size=5000):
        statement = line.statement
        batch.append(
            PayoutEntry(
                statement_id=statement.pk,
                line_id=line.pk,
                person_id=statement.person_id,
                deal_id=line.deal_id,
                component=line.kind,
                correction=False,
                amount=line.amount,
                share=shares.get((statement.person_id, line.deal_id)),
                base=line.base,
                measure="revenue",
                period_start=statement.period_start,
                plan_version_id=statement.plan_version_id,
                explanation=f"{line.description}: {line.formula}"[:2000],
            )
        )
        if len(batch) >= 5000:
            PayoutEntry.objects.bulk_create(batch)
            batch = []
    PayoutEntry.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("compensation", "0003_payout_ledger")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]

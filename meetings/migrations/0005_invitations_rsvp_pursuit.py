# Issue 24 (items 1, 2, 5): iTIP invitation parts of deliveries, single-use RSVP links, attendance,
# and the deals a meeting was held for (cost of pursuit).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0004_outside_busy_and_booking_links"),
        ("salesops", "0014_deal_owner_entry"),
    ]

    operations = [
        migrations.AddField(
            model_name="attendee",
            name="attended",
            field=models.BooleanField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="delivery",
            name="kind",
            field=models.CharField(
                choices=[
                    ("meeting_reminder", "Meeting reminder"),
                    ("action_digest", "Action item digest"),
                    ("follow_up", "Customer follow-up"),
                    ("invitation", "Invitation (iTIP)"),
                ],
                max_length=20,
            ),
        ),
        migrations.CreateModel(
            name="InvitationPart",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "method",
                    models.CharField(
                        choices=[("REQUEST", "Request"), ("CANCEL", "Cancel")], max_length=10
                    ),
                ),
                ("sequence", models.PositiveIntegerField()),
                ("ics", models.TextField()),
                (
                    "delivery",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="invitation_part",
                        to="meetings.delivery",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="RsvpLinkUse",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("nonce", models.CharField(max_length=64, unique=True)),
                ("recipient_key", models.CharField(max_length=260)),
                (
                    "answer",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("accepted", "Accepted"),
                            ("declined", "Declined"),
                            ("tentative", "Tentative"),
                        ],
                        max_length=10,
                    ),
                ),
                ("used_at", models.DateTimeField(auto_now_add=True)),
                (
                    "meeting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rsvp_link_uses",
                        to="meetings.meeting",
                    ),
                ),
            ],
            options={"ordering": ["-used_at", "id"]},
        ),
        migrations.CreateModel(
            name="MeetingDeal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "deal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="meeting_links",
                        to="salesops.deal",
                    ),
                ),
                (
                    "meeting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deal_links",
                        to="meetings.meeting",
                    ),
                ),
            ],
            options={
                "ordering": ["meeting", "deal"],
                "indexes": [models.Index(fields=["deal", "meeting"], name="meetingdeal_deal_idx")],
                "constraints": [
                    models.UniqueConstraint(fields=("meeting", "deal"), name="meeting_deal_unique")
                ],
            },
        ),
    ]

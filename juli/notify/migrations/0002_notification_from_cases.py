"""The in-app `Notification` comes over from the cases app (issue 13).

State only: the model takes over the table `cases_notification` as it is, rows, index and
constraint included (`cases.0008` removed it from the cases' state first). Its kinds now
come from the registry `juli.core.notices`.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import juli.core.notices


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0001_channels_and_deliveries"),
        ("cases", "0008_notification_moves_to_notify"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=juli.core.notices.choices,
                                max_length=20,
                                verbose_name="kind",
                            ),
                        ),
                        ("text", models.CharField(max_length=300, verbose_name="text")),
                        (
                            "event_key",
                            models.CharField(
                                blank=True, default="", max_length=120, verbose_name="event"
                            ),
                        ),
                        (
                            "url",
                            models.CharField(
                                blank=True, default="", max_length=300, verbose_name="link"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="created at"
                            ),
                        ),
                        (
                            "read_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="read at"),
                        ),
                        (
                            "case",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to="cases.case",
                                verbose_name="case",
                            ),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="recipient",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "notification",
                        "verbose_name_plural": "notifications",
                        "ordering": ["-created_at", "-id"],
                        "db_table": "cases_notification",
                        "indexes": [
                            models.Index(
                                fields=["recipient", "read_at"], name="notification_unread_idx"
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("event_key", ""), _negated=True),
                                fields=("recipient", "event_key"),
                                name="notification_once_per_event",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]

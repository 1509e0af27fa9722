"""The in-app `Notification` moves to the notify app (issue 13).

State only: the table and its rows stay; `notify.0002_notification_from_cases` takes the
model over in the same table, and `notify.0003` renames it to `notify_notification`.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_case_feed_withdrawn"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
            database_operations=[],
        ),
    ]

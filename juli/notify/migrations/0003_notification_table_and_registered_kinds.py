"""The moved `Notification` gets the notify app's table name (a rename: the rows stay), and
the deliveries' kinds, like the notifications', come from the registry `juli.core.notices`.
"""

from django.db import migrations, models

import juli.core.notices


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0002_notification_from_cases"),
    ]

    operations = [
        migrations.AlterModelTable(name="notification", table=None),
        migrations.AlterField(
            model_name="delivery",
            name="kind",
            field=models.CharField(
                choices=juli.core.notices.choices, max_length=20, verbose_name="kind"
            ),
        ),
    ]

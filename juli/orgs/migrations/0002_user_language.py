# The language each account reads Juli and its notifications in (issue 14).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0001_organisation_system"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="language",
            field=models.CharField(
                blank=True,
                choices=[("zh-hans", "简体中文"), ("en", "English")],
                default="",
                max_length=10,
                verbose_name="language",
            ),
        ),
    ]

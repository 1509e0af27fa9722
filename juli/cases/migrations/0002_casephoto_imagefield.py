"""CasePhoto.file and .thumbnail become ImageFields: the same varchar column, so only the
migration state changes (SQLite would otherwise rebuild the table for nothing)."""

import juli.cases.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_points_cases_inspections_calendar"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="casephoto",
                    name="file",
                    field=models.ImageField(
                        max_length=200,
                        upload_to=juli.cases.models.photo_upload_to,
                        verbose_name="photo",
                    ),
                ),
                migrations.AlterField(
                    model_name="casephoto",
                    name="thumbnail",
                    field=models.ImageField(
                        blank=True,
                        max_length=200,
                        upload_to=juli.cases.models.thumb_upload_to,
                        verbose_name="thumbnail",
                    ),
                ),
            ],
        ),
    ]

"""The case list's search key (`juli.cases.search`), filled for the cases already there."""

from django.db import migrations, models

from juli.cases.search import case_search_key

BATCH = 500


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Case = apps.get_model("cases", "Case")
    rows = Case.objects.order_by("pk").values_list(
        "pk", "title", "point__name", "reporter_address", "description"
    )
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        changed = []
        for pk, title, point_name, address, description in batch:
            case = Case(pk=pk)
            case.search_key = case_search_key(title, point_name or "", address, description)
            changed.append(case)
        Case.objects.bulk_update(changed, ["search_key"])
        last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_notification_moves_to_notify"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="search_key",
            field=models.TextField(blank=True, db_default="", default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]

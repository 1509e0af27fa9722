"""Linked records move from `Evidence.record_type/record_id` into core's `EvidenceLink` (the
evidence entry is the consumer); then the two fields and their constraint go. Reversible."""

from django.db import migrations

BATCH = 500


def _evidence_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ct, _created = ContentType.objects.get_or_create(app_label="letters", model="evidence")
    return ct


def records_to_links(apps, schema_editor):
    """One `EvidenceLink` per record entry, in batches; a link already there is kept."""
    Evidence = apps.get_model("letters", "Evidence")
    EvidenceLink = apps.get_model("core", "EvidenceLink")
    rows = Evidence.objects.filter(record_id__isnull=False).order_by("pk")
    if not rows.exists():
        return
    consumer_type = _evidence_type(apps)
    last = 0
    while True:
        batch = list(
            rows.filter(pk__gt=last).values(
                "pk", "record_type_id", "record_id", "added_by_id", "added_at"
            )[:BATCH]
        )
        if not batch:
            break
        EvidenceLink.objects.bulk_create(
            [
                EvidenceLink(
                    consumer_type=consumer_type,
                    consumer_id=e["pk"],
                    record_type_id=e["record_type_id"],
                    record_id=e["record_id"],
                    added_by_id=e["added_by_id"],
                    added_at=e["added_at"],
                )
                for e in batch
            ],
            ignore_conflicts=True,
        )
        last = batch[-1]["pk"]


def links_to_records(apps, schema_editor):
    """Back: each entry's link into its record fields, then the links go (in batches)."""
    Evidence = apps.get_model("letters", "Evidence")
    EvidenceLink = apps.get_model("core", "EvidenceLink")
    links = EvidenceLink.objects.filter(consumer_type=_evidence_type(apps)).order_by("pk")
    last = 0
    while True:
        batch = list(links.filter(pk__gt=last)[:BATCH])
        if not batch:
            break
        for link in batch:
            Evidence.objects.filter(pk=link.consumer_id).update(
                record_type_id=link.record_type_id, record_id=link.record_id
            )
        EvidenceLink.objects.filter(pk__in=[link.pk for link in batch]).delete()
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0007_evidence_link"),
        ("letters", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(records_to_links, links_to_records),
        migrations.RemoveConstraint(
            model_name="evidence",
            name="letter_record_attached_once",
        ),
        migrations.RemoveField(
            model_name="evidence",
            name="record_id",
        ),
        migrations.RemoveField(
            model_name="evidence",
            name="record_type",
        ),
    ]

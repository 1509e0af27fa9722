"""The in-app Notification moved from cases to notify (cases.0008, notify.0002/0003): the rows
stay, with their ids, links and constraint."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from juli.notify.models import Notification

BEFORE = [("cases", "0007_case_feed_withdrawn"), ("notify", "0001_channels_and_deliveries")]


def _migrate(targets):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _latest():  # type: ignore[no-untyped-def]
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_it_keeps_every_notification_row_when_the_model_moves(cast):  # type: ignore[no-untyped-def]
    latest = _latest()
    try:
        executor = _migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps.get_model("cases", "Notification")
        first = old.objects.create(
            recipient_id=cast.street_officer.pk,
            kind="bulletin",
            text="日通报",
            event_key="bulletin:1:published",
            url="/bulletins/1/",
        )
        second = old.objects.create(recipient_id=cast.unit_staff.pk, kind="escalated", text="督办")
    finally:
        _migrate(latest)
    assert Notification._meta.db_table == "notify_notification"
    rows = Notification.objects.order_by("pk")
    assert [(n.pk, n.recipient, n.kind, n.text, n.event_key, n.url) for n in rows] == [
        (
            first.pk,
            cast.street_officer,
            "bulletin",
            "日通报",
            "bulletin:1:published",
            "/bulletins/1/",
        ),
        (second.pk, cast.unit_staff, "escalated", "督办", "", ""),
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            recipient=cast.street_officer,
            kind="bulletin",
            text="x",
            event_key="bulletin:1:published",
        )
    # New rows continue the ids.
    assert (
        Notification.objects.create(recipient=cast.outsider, kind="test", text="t").pk > second.pk
    )

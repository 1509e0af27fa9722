"""A published bulletin tells the area's office and the area's channels (bulletins/notices.py,
through juli.notify's notify())."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from juli.bulletins import notices
from juli.bulletins.signals import bulletin_published
from juli.core import notices as registry
from juli.notify import actions as notify_actions
from juli.notify.models import Delivery, Notification

T0 = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)


def test_it_registers_the_bulletin_kind():
    assert registry.get("bulletin") == notices.BULLETIN
    assert registry.label_of("bulletin") == "Bulletin published"


def test_a_published_bulletin_tells_the_area_office_and_its_channels(cast, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(notices, "reverse", lambda name, args: f"/{name}/{args[0]}/")
    notify_actions.create_channel(
        None,
        cast.dapuqiao,
        name="街道",
        kind="email",
        target="office@example.cn",
        kinds=["bulletin"],
        covers_subtree=True,
    )
    bulletin = SimpleNamespace(pk=41, area=cast.dapuqiao, date=datetime.date(2026, 11, 20))
    for _ in range(2):  # a signal sent twice still notifies once
        bulletin_published.send(sender=object, bulletin=bulletin, actor=None)
    notes = Notification.objects.all()
    assert [(n.recipient, n.kind, n.event_key, n.url) for n in notes] == [
        (cast.street_officer, "bulletin", "bulletin:41:published", "/bulletin-detail/41/")
    ]
    assert notes[0].text == "Daily bulletin of 打浦桥街道 for 2026-11-20 published"
    (delivery,) = Delivery.objects.all()
    assert delivery.payload["subject"] == notes[0].text


def test_a_bulletin_keeps_its_publication_time_when_it_has_one(cast):  # type: ignore[no-untyped-def]
    bulletin = SimpleNamespace(
        pk=42, area=cast.dapuqiao, date=datetime.date(2026, 11, 19), published_at=T0
    )
    bulletin_published.send(sender=object, bulletin=bulletin, actor=None)
    assert Notification.objects.get().created_at == T0

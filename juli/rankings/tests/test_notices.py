"""A published weekly ranking tells the district's office and channels (rankings/notices.py,
through juli.notify's notify())."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.urls import NoReverseMatch

from juli.core import notices as registry
from juli.notify import actions as notify_actions
from juli.notify.models import Delivery, Notification
from juli.rankings import notices
from juli.rankings.signals import ranking_published


def test_it_registers_the_ranking_kind():
    assert registry.get("ranking") == notices.RANKING
    assert registry.label_of("ranking") == "Ranking published"


def test_a_published_ranking_tells_the_district_office(cast, monkeypatch):  # type: ignore[no-untyped-def]
    def no_route(name, args):  # type: ignore[no-untyped-def]
        raise NoReverseMatch(name)

    monkeypatch.setattr(notices, "reverse", no_route)
    notify_actions.create_channel(
        None,
        cast.huangpu,
        name="区",
        kind="email",
        target="office@example.cn",
        kinds=["ranking"],
        covers_subtree=True,
    )
    ranking = SimpleNamespace(pk=5, district=cast.huangpu, week=datetime.date(2026, 11, 16))
    ranking_published.send(sender=object, ranking=ranking, actor=cast.district_admin)
    (note,) = Notification.objects.all()
    assert (note.recipient, note.kind, note.url) == (cast.district_admin, "ranking", "")
    assert note.text == "Weekly ranking of 黄浦区 for the week of 2026-11-16 published"
    assert Delivery.objects.get().event_key == "ranking:5:published"


def test_a_ranking_notice_links_to_the_published_week(cast):  # type: ignore[no-untyped-def]
    ranking = SimpleNamespace(pk=6, district=cast.huangpu, week="2026-W47")
    ranking_published.send(sender=object, ranking=ranking, actor=None)
    (note,) = Notification.objects.filter(recipient=cast.district_admin)
    assert note.url == f"/rankings/district/{cast.huangpu.pk}/?week=2026-W47"

"""notify(): once per user and per channel for one event; which channels an event reaches;
the case loop, bulletins and rankings announcing through it."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.urls import NoReverseMatch

from juli.bulletins.signals import bulletin_published
from juli.cases.models import Notification
from juli.notify import actions, receivers
from juli.notify.models import Delivery
from juli.rankings.signals import ranking_published

T0 = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)


def _channel(scope, name, kinds=("bulletin",), subtree=True, **kw):  # type: ignore[no-untyped-def]
    return actions.create_channel(
        None,
        scope,
        name=name,
        kind=kw.pop("kind", "email"),
        target=kw.pop("target", "office@example.cn"),
        kinds=list(kinds),
        covers_subtree=subtree,
        **kw,
    )


def _reached(deliveries):  # type: ignore[no-untyped-def]
    return sorted(d.channel.name for d in deliveries)


def test_it_notifies_each_user_and_channel_once_per_event(cast):  # type: ignore[no-untyped-def]
    _channel(cast.dapuqiao, "街道")
    kwargs = {
        "kind": "bulletin",
        "title": "日通报",
        "text": "正文",
        "url": "/bulletins/7/",
        "users": [cast.street_officer, cast.district_admin, cast.street_officer],
        "area": cast.dapuqiao,
    }
    first = actions.notify("bulletin:7:published", **kwargs)
    again = actions.notify("bulletin:7:published", **kwargs)
    assert [d.pk for d in first] == [d.pk for d in again]
    assert Delivery.objects.count() == 1
    rows = Notification.objects.order_by("recipient_id")
    assert [(n.recipient, n.kind, n.text, n.url, n.case) for n in rows] == [
        (cast.district_admin, "bulletin", "日通报", "/bulletins/7/", None),
        (cast.street_officer, "bulletin", "日通报", "/bulletins/7/", None),
    ]
    actions.notify("bulletin:8:published", **kwargs)  # another event: told again
    assert Notification.objects.count() == 4
    assert Delivery.objects.count() == 2


def test_it_reaches_the_channels_of_the_place_and_of_ancestors_covering_it(cast):  # type: ignore[no-untyped-def]
    _channel(cast.huangpu, "区·全辖")
    _channel(cast.huangpu, "区·本级", subtree=False)
    _channel(cast.dapuqiao, "街道")
    _channel(cast.dapuqiao, "街道·只收督办", kinds=("escalated",))
    _channel(cast.huaihai, "隔壁街道")
    _channel(cast.grid1, "网格")  # below the event's place
    off = _channel(cast.dapuqiao, "停用的")
    actions.set_channel_active(None, off, False)
    reached = actions.notify("e:1", kind="bulletin", title="t", text="", area=cast.mengxi)
    assert _reached(reached) == ["区·全辖", "街道"]
    reached = actions.notify("e:2", kind="bulletin", title="t", text="", area=cast.huangpu)
    assert _reached(reached) == ["区·全辖", "区·本级"]


def test_it_reaches_organisation_and_unit_channels(cast):  # type: ignore[no-untyped-def]
    _channel(cast.putuo, "局党组", kinds=("ranking",))
    _channel(cast.branch2, "二支部", kinds=("ranking",))
    _channel(cast.property_co, "物业", kinds=("ranking",))
    reached = actions.notify("e:3", kind="ranking", title="t", text="", org=cast.group1)
    assert _reached(reached) == ["局党组"]
    reached = actions.notify("e:4", kind="ranking", title="t", text="", unit=cast.property_co)
    assert _reached(reached) == ["物业"]


def test_it_refuses_an_unknown_kind_or_an_empty_key(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="unknown event kind"):
        actions.notify("e:5", kind="party", title="t", text="")
    with pytest.raises(ValueError, match="event_key"):
        actions.notify("", kind="bulletin", title="t", text="")
    assert not Notification.objects.exists()


# --- The case loop -------------------------------------------------------------------------------


def test_case_steps_reach_the_channels_of_the_case_area_and_unit(cast):  # type: ignore[no-untyped-def]
    from juli.cases import actions as case_actions
    from juli.cases.tests.conftest import new_case

    street = _channel(cast.dapuqiao, "街道群", kinds=("dispatched", "escalated"))
    unit = _channel(cast.property_co, "物业群", kinds=("dispatched", "sent_back"))
    _channel(cast.huaihai, "隔壁", kinds=("dispatched",))
    world = _case_world(cast)
    case = case_actions.accept_case(cast.street_officer, new_case(world, title="楼道堆物"))
    case = case_actions.dispatch_case(cast.street_officer, case, unit=cast.property_co)
    deliveries = Delivery.objects.order_by("channel_id")
    assert [(d.channel, d.kind) for d in deliveries] == [
        (street, "dispatched"),
        (unit, "dispatched"),
    ]
    key = deliveries[0].event_key
    assert key.startswith(f"case:{case.pk}:dispatched:")
    assert deliveries[1].event_key == key
    content = deliveries[0].payload["body"]
    assert f"- Case: {case.number} · 楼道堆物" in content
    assert "- Responsible unit: 蒙西物业公司" in content
    note = Notification.objects.get(kind="dispatched")
    assert (note.recipient, note.event_key, note.url, note.case) == (cast.unit_staff, key, "", case)


def _case_world(cast):  # type: ignore[no-untyped-def]
    """The cases world fixture, built by hand (fixtures of another app's conftest)."""
    from juli.cases import actions as case_actions

    w = SimpleNamespace(c=cast)
    w.litter = case_actions.create_case_category(
        None, code="litter", name="暴露垃圾", time_limit=4, time_unit="hours"
    )
    return w


# --- Bulletins and rankings ----------------------------------------------------------------------


def test_a_published_bulletin_tells_the_area_office_and_its_channels(cast, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(receivers, "reverse", lambda name, args: f"/{name}/{args[0]}/")
    _channel(cast.dapuqiao, "街道")
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


def test_a_published_ranking_tells_the_district_office(cast, monkeypatch):  # type: ignore[no-untyped-def]
    def no_route(name, args):  # type: ignore[no-untyped-def]
        raise NoReverseMatch(name)

    monkeypatch.setattr(receivers, "reverse", no_route)
    _channel(cast.huangpu, "区", kinds=("ranking",))
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

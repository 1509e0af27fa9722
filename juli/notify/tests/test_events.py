"""notify(): once per user and per channel for one event; which channels an event reaches.
(The case loop, bulletins and rankings announcing through it: their own tests.)"""

from __future__ import annotations

import pytest

from juli.notify import actions
from juli.notify.models import Delivery, Notification


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

"""Failing channels on the work-bench (`juli/notify/todos.py`): a channel whose deliveries
failed in the last seven days waits for whoever manages it."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from juli.core import todos as registry
from juli.notify import actions
from juli.notify.models import Delivery
from juli.orgs.auth import UsernameOrPhoneBackend


def bench(user: Any) -> dict[str, int]:
    fresh = UsernameOrPhoneBackend().get_user(user.pk)
    return {k.key: k.count for g in registry.for_user(fresh) for k in g.kinds}


def test_it_shows_a_failing_channel_to_its_managers(cast: Any) -> None:
    c = cast
    channel = actions.create_channel(
        None, c.dapuqiao, name="街道群", kind="email", kinds=["bulletin"], target="a@example.cn"
    )
    ok = actions.create_channel(
        None, c.huaihai, name="淮海群", kind="email", kinds=["bulletin"], target="b@example.cn"
    )
    now = timezone.now()
    for n, (ch, status, days) in enumerate(
        [
            (channel, Delivery.Status.GAVE_UP, 1),
            (channel, Delivery.Status.FAILED, 2),
            (channel, Delivery.Status.GAVE_UP, 9),  # too old to count
            (ok, Delivery.Status.SENT, 1),
        ]
    ):
        Delivery.objects.create(
            channel=ch,
            event_key=f"e{n}",
            kind="bulletin",
            title="x",
            status=status,
            created_at=now - datetime.timedelta(days=days),
        )
    assert bench(c.street_officer) == {"notify.failing": 1}
    assert bench(c.district_admin) == {"notify.failing": 1}
    fresh = UsernameOrPhoneBackend().get_user(c.street_officer.pk)
    kind = registry.kind_for(fresh, "notify.failing")
    assert kind is not None
    [todo] = kind.items(fresh, 5, 0)
    assert todo.url == f"/notify/area/{c.dapuqiao.pk}/deliveries/?channel={channel.pk}"
    assert todo.subtitle.endswith("2 failed deliveries in 7 days") and todo.overdue
    for other in (c.inspector, c.grid_worker, c.unit_staff, c.outsider):
        assert bench(other) == {}
    actions.set_channel_active(c.street_officer, channel, False)
    assert bench(c.street_officer) == {}

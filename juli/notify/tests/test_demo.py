"""The demo channels: built once, never touching the network."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.utils import timezone

from juli.cases import actions as case_actions
from juli.cases.models import Case
from juli.cases.tests.conftest import new_case
from juli.core.models import AuditLog
from juli.notify.demo import build_demo
from juli.notify.models import Channel, Delivery


def _case_world(cast):  # type: ignore[no-untyped-def]
    """The cases world fixture, built by hand (fixtures of another app's conftest)."""
    w = SimpleNamespace(c=cast)
    w.litter = case_actions.create_case_category(
        None, code="litter", name="暴露垃圾", time_limit=4, time_unit="hours"
    )
    return w


def test_it_builds_the_dapuqiao_channels_once_without_sending(cast):  # type: ignore[no-untyped-def]
    world = _case_world(cast)
    case = case_actions.accept_case(cast.street_officer, new_case(world, title="楼道堆物"))
    case = case_actions.dispatch_case(cast.street_officer, case, unit=cast.property_co)
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - datetime.timedelta(hours=1))
    case_actions.escalate_overdue(timezone.now())
    assert build_demo() == {"channels": 2, "deliveries": 1}
    assert build_demo() == {"channels": 2, "deliveries": 1}
    channels = Channel.objects.order_by("kind")
    assert [(c.kind, c.area, c.is_active) for c in channels] == [
        ("email", cast.dapuqiao, True),
        ("wecom", cast.dapuqiao, False),
    ]
    assert channels[0].addresses == ["djb@dapuqiao.example.cn", "chengyun@dapuqiao.example.cn"]
    assert AuditLog.objects.filter(verb="channel.create").count() == 2
    (row,) = Delivery.objects.all()
    assert (row.channel, row.kind, row.status) == (channels[1], "escalated", "sent")
    assert row.event_key.startswith(f"case:{case.pk}:escalated:")
    assert row.payload["markdown"]["content"].startswith(f"**Case {case.number} is overdue")

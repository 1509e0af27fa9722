"""Demo notification channels for Dapuqiao street (run by `juli demo` after the cases).

- An e-mail channel of the street's party-building office, active: live events of the demo
  reach it through the configured mail backend (the console in development).
- A WeCom group robot, *inactive*: its address is on WeCom's own host (the only one a robot
  channel accepts by default) but its key is made up, so an active one would only collect
  failures. Its delivery log is filled with what the robot
  would have been sent for the street's recent escalations (most sent, one retried, one
  given up) so that the log page shows every state. Those rows are written directly: making
  them through `send_delivery` would need the network, which the demo never touches.

Running it twice changes nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from juli.core.demo import DemoRun, demo_step
from juli.orgs.demo import data as org_data
from juli.orgs.models import Area

from . import actions, senders
from .models import Channel, Delivery, Notification

#: The kind of the escalation notices (registered by the cases in their notices.py).
ESCALATED = "escalated"

EMAIL_NAME = "打浦桥街道党建办邮箱"
WECOM_NAME = "打浦桥街道城运工作群（企业微信机器人）"
WECOM_URL = (
    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=3f6c2a1e-demo-4d0b-9a7e-5b8c0d1e2f3a"
)


def build_demo(stdout: Any = None) -> dict[str, int]:
    street = Area.objects.filter(name=org_data.DAPUQIAO, kind=Area.Kind.STREET).first()
    if street is None:
        return {"channels": 0, "deliveries": 0}
    email = Channel.objects.filter(area=street, name=EMAIL_NAME).first()
    if email is None:
        email = actions.create_channel(
            None,
            street,
            name=EMAIL_NAME,
            kind=Channel.Kind.EMAIL,
            target="djb@dapuqiao.example.cn\nchengyun@dapuqiao.example.cn",
            kinds=["escalated", "bulletin", "ranking"],
            covers_subtree=True,
        )
    wecom = Channel.objects.filter(area=street, name=WECOM_NAME).first()
    if wecom is None:
        wecom = actions.create_channel(
            None,
            street,
            name=WECOM_NAME,
            kind=Channel.Kind.WECOM,
            target=WECOM_URL,
            kinds=["escalated", "bulletin"],
            covers_subtree=True,
            is_active=False,
        )
    made = _history(street, wecom)
    if stdout is not None:
        stdout.write(f"notify: channels {email.name}, {wecom.name}; {made} recorded deliveries")
    return {"channels": 2, "deliveries": made}


def _history(street: Area, channel: Channel) -> int:
    """Deliveries of the street's last escalations, as the robot would have had them.

    It reads the in-app escalation notices (this app's own rows) and the case they point at
    through the foreign key, by field name: no import of the cases app."""
    events = (
        Notification.objects.filter(kind=ESCALATED, case__area_path__startswith=street.path)
        .exclude(event_key="")
        .order_by("-created_at", "-pk")
        .values_list("event_key", "text", "created_at", "case__number", "case__title")
    )
    seen: dict[str, tuple[str, datetime.datetime, str, str]] = {}
    for key, text, at, number, title in events[:200]:
        if key not in seen:
            seen[key] = (text, at, number, title)
        if len(seen) == 12:
            break
    rows = []
    minute = datetime.timedelta(minutes=1)
    for i, (key, (text, at, number, title)) in enumerate(seen.items()):
        payload = senders.build_payload(
            channel.kind, title=text, text=f"- 案件：{number} · {title}", url=""
        )
        row = Delivery(
            channel=channel,
            event_key=key,
            kind=ESCALATED,
            title=text[:300],
            payload=payload,
            created_at=at,
            status=Delivery.Status.SENT,
            attempts=1,
            sent_at=at + datetime.timedelta(seconds=2),
            last_status_code=200,
        )
        if i == 1:  # a retried one: the robot was rate-limited once
            row.attempts, row.sent_at = 2, at + minute
        if i == 4:  # one given up: the robot's key had been reset in the group
            row.status, row.attempts, row.sent_at = Delivery.Status.GAVE_UP, 5, None
            row.last_error = "errcode 93000: invalid webhook url"
        rows.append(row)
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    return Delivery.objects.filter(channel=channel).count()


@demo_step("notify", after=("cases",))
def build_notify_step(run: DemoRun) -> dict[str, int]:
    """This app's step of `juli demo` (see `juli.core.demo`)."""
    return build_demo(stdout=run.stdout)

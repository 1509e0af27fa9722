"""Demo notification channels for Dapuqiao street (run by `juli demo` after the cases).

- An e-mail channel of the street's party-building office, active: live events of the demo
  reach it through the configured mail backend (the console in development).
- A WeCom group robot, *inactive*: its address is on WeCom's own host (the only one a robot
  channel accepts by default) but its key is made up, so an active one would only collect
  failures. Its delivery log is filled with what the robot
  would have been sent for the street's recent escalations (most sent, one retried, one
  given up) so that the log page shows every state. Those rows are written directly: making
  them through `send_delivery` would need the network, which the demo never touches.

- The bell as people would have left it: every hand-over of the months replayed was told
  (issue 14), and people read their bell; what stays unread is the last day's notices
  (before the build), those whose case still waits on the step they announced, and each
  person's last three of the last week (they have not opened the bell since), so each
  officer and unit sees a realistic handful, not months of backlog.
  Marked read in one UPDATE (read an hour after they came), not through `mark_read`: these
  are the demo's history, not reads anyone did; no audit rows.

Running it twice changes nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import F, Max, Q

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
    read = _read_history()
    if stdout is not None:
        stdout.write(
            f"notify: channels {email.name}, {wecom.name}; {made} recorded deliveries; "
            f"{read} older notices marked read"
        )
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


#: How far back from the newest notice the bell stays unread in the demo.
UNREAD_WINDOW = datetime.timedelta(hours=24)
#: … and how many of each person's notices of the last week stay unread.
RECENT_WINDOW = datetime.timedelta(days=7)
RECENT_PER_PERSON = 3


#: The case states in which a notice of the loop still waits on its reader (by the kinds'
#: keys and the case's status, by field name: no import of the cases app).
STILL_WAITING = {
    "reported": ("reported", "accepted"),
    "dispatched": ("dispatched",),
    "sent_back": ("dispatched",),
    "escalated": ("dispatched",),
    "rectified": ("rectified",),
    "verified": ("verified",),
}


def _read_history() -> int:
    """Mark read every notice older than a day before the newest, unless its case still
    waits on the step it announced (see the module doc)."""
    newest = Notification.objects.aggregate(newest=Max("created_at"))["newest"]
    if newest is None:
        return 0
    waiting = Q(pk__in=[])
    for kind, statuses in STILL_WAITING.items():
        waiting |= Q(kind=kind, case__status__in=statuses)
    old = Notification.objects.filter(read_at__isnull=True, created_at__lt=newest - UNREAD_WINDOW)
    recent: dict[int, list[int]] = {}
    week = Notification.objects.filter(created_at__gte=newest - RECENT_WINDOW)
    for pk, recipient in week.order_by("-created_at", "-pk").values_list("pk", "recipient_id"):
        if len(recent.setdefault(recipient, [])) < RECENT_PER_PERSON:
            recent[recipient].append(pk)
    keep = {pk for pks in recent.values() for pk in pks}
    pks = [pk for pk in old.exclude(waiting).values_list("pk", flat=True) if pk not in keep]
    return Notification.objects.filter(pk__in=pks).update(
        read_at=F("created_at") + datetime.timedelta(hours=1)
    )


@demo_step("notify", after=("cases",))
def build_notify_step(run: DemoRun) -> dict[str, int]:
    """This app's step of `juli demo` (see `juli.core.demo`)."""
    return build_demo(stdout=run.stdout)

"""Every write of the notify app: announcing an event, managing channels, sending deliveries.

Conventions as elsewhere: the actor comes first (None = the system); refusals raise
PermissionDenied/ValidationError before anything is written; each write is audited.

`notify()` is the one entry point of every event that should reach people: the in-app rows
(once per user and event, by a unique constraint) and the deliveries to channels (once per
channel and event, by a unique constraint) are written in the caller's transaction, and the
sending is queued for after the commit. Sending is at-most-once per attempt: an attempt is
claimed by a conditional UPDATE (see `send_delivery`), so two workers never both post it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Model, Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from juli.core import notices
from juli.core.audit import record, snapshot
from juli.core.jobs import later
from juli.core.types import Actor
from juli.orgs.models import Area, PartyOrg, Unit, User

from . import access, senders
from .models import (
    TEST_KIND,
    Channel,
    Delivery,
    Notification,
    backoff,
    mask_secret,
    mask_url,
    max_attempts,
)
from .text import Text, render

#: While an attempt is in flight its row is not due; a worker that died mid-attempt leaves
#: a row that comes due again after this long (longer than any HTTP timeout).
LEASE = datetime.timedelta(minutes=5)


# --- Announcing an event ----------------------------------------------------------------------


def _ancestor_paths(path: str, steplen: int) -> list[str]:
    return [path[:n] for n in range(steplen, len(path), steplen)]


def _unit_ancestors(unit: Unit) -> list[int]:
    ids: list[int] = []
    parent_id = unit.parent_id
    while parent_id and parent_id not in ids and len(ids) < 20:
        ids.append(parent_id)
        parent_id = Unit.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    return ids


def channels_for(
    kind: str, *, area: Area | None = None, org: PartyOrg | None = None, unit: Unit | None = None
) -> list[Channel]:
    """The active channels subscribed to `kind` attached to `area`/`org`/`unit` themselves or
    to an ancestor that covers its subtree."""
    q = Q(pk__in=[])
    if area is not None:
        q |= Q(area=area) | Q(
            area__path__in=_ancestor_paths(area.path, Area.steplen), covers_subtree=True
        )
    if org is not None:
        q |= Q(org=org) | Q(
            org__path__in=_ancestor_paths(org.path, PartyOrg.steplen), covers_subtree=True
        )
    if unit is not None:
        q |= Q(unit=unit) | Q(unit__in=_unit_ancestors(unit), covers_subtree=True)
    candidates = Channel.objects.filter(q, is_active=True).order_by("pk")
    # Subscriptions are a short JSON list; SQLite cannot filter inside it, and the candidates
    # are the few channels along one path of the trees.
    return [channel for channel in candidates if kind in channel.kinds]


@transaction.atomic
def notify(
    event_key: str,
    *,
    kind: str,
    title: Text,
    text: Text,
    url: str = "",
    users: Iterable[User | int] = (),
    area: Area | None = None,
    org: PartyOrg | None = None,
    unit: Unit | None = None,
    case: Model | None = None,
    channel_url: str | None = None,
    now: datetime.datetime | None = None,
) -> list[Delivery]:
    """Announce one event: an in-app row for each of `users` and a delivery to each channel
    that receives `kind` there. Announcing the same `event_key` again adds nothing.

    `kind` must be registered in `juli.core.notices` (ValueError naming it otherwise). `title`
    is the one-line message (the bell shows it); `text` the detail sent to channels; `url` the
    link of both (`channel_url` overrides it for channels; an empty `url` lets the kind's
    `link` choose per reader). `case` is the case the in-app rows point at, if any. Returns
    the event's deliveries.

    `title` and `text` are rendered per reader (`juli.notify.text`): each in-app row in its
    recipient's language (`User.language`, else the site's), each channel message in the
    site's language (`settings.LANGUAGE_CODE`: a group chat has no one reader). Never in the
    actor's: whoever acts, the reader reads their own language.
    """
    if not event_key or len(event_key) > 120:
        raise ValueError("event_key must be 1–120 characters")
    if not notices.is_registered(kind):
        raise ValueError(f"unknown event kind {kind!r}: register it in a notices.py")
    now = now or timezone.now()
    site = settings.LANGUAGE_CODE
    languages = _languages(users)
    titles: dict[str, str] = {}

    def title_in(language: str) -> str:
        if language not in titles:
            titles[language] = render(title, language)
        return titles[language]

    case_id = case.pk if case is not None else None
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                case_id=case_id,
                kind=kind,
                text=title_in(language or site)[:300],
                event_key=event_key,
                url=url[:300],
                created_at=now,
            )
            for pk, language in sorted(languages.items())
        ],
        ignore_conflicts=True,  # the unique (recipient, event_key): a replay adds nothing
    )
    channels = channels_for(kind, area=area, org=org, unit=unit)
    if not channels:
        return []
    return _queue(
        event_key,
        kind,
        title_in(site),
        render(text, site),
        url if channel_url is None else channel_url,
        channels,
        now,
    )


def _languages(users: Iterable[User | int]) -> dict[int, str]:
    """Each recipient's chosen language ("" for the site's), by primary key, read in one
    query (a User object handed in may predate the person's latest choice)."""
    ids = {u if isinstance(u, int) else u.pk for u in users}
    if not ids:
        return {}
    chosen = dict(User.objects.filter(pk__in=ids).values_list("pk", "language"))
    return {pk: chosen.get(pk, "") for pk in ids}


def _queue(
    event_key: str,
    kind: str,
    title: str,
    text: str,
    url: str,
    channels: list[Channel],
    now: datetime.datetime,
) -> list[Delivery]:
    if not channels:
        return []
    # Channel messages read the site's language (the robots' "open" link label too).
    with translation.override(settings.LANGUAGE_CODE):
        payloads = {
            channel.pk: senders.build_payload(channel.kind, title=title, text=text, url=url)
            for channel in channels
        }
    Delivery.objects.bulk_create(
        [
            Delivery(
                channel=channel,
                event_key=event_key,
                kind=kind,
                title=title[:300],
                payload=payloads[channel.pk],
                next_attempt_at=now,
                created_at=now,
            )
            for channel in channels
        ],
        ignore_conflicts=True,  # unique (event_key, channel): nothing is sent twice
    )
    rows = list(Delivery.objects.filter(event_key=event_key, channel__in=channels).order_by("pk"))
    from .tasks import deliver

    for row in rows:
        if row.status == Delivery.Status.PENDING and row.attempts == 0:
            later(deliver, row.pk)
    return rows


# --- Sending -----------------------------------------------------------------------------------


def send_delivery(delivery_id: int, *, now: datetime.datetime | None = None) -> Delivery | None:
    """Make the next attempt of one delivery if it is due; record the outcome.

    Safe to call any number of times, from any number of workers: the attempt is claimed by
    one conditional UPDATE (attempts n → n+1, next attempt pushed out by the lease), which
    exactly one caller wins; the others return without sending.
    """
    now = now or timezone.now()
    row = Delivery.objects.select_related("channel").filter(pk=delivery_id).first()
    if row is None or row.status not in {Delivery.Status.PENDING, Delivery.Status.FAILED}:
        return row
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = Delivery.objects.filter(
        due, pk=row.pk, status=row.status, attempts=row.attempts
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    if not claimed:
        row.refresh_from_db()
        return row
    attempt = row.attempts + 1
    channel = row.channel
    error: senders.SendError | None = None
    status_code: int | None = None
    if not channel.is_active and not row.event_key.startswith("test:"):
        error = senders.SendError(_("The channel was deactivated."))
    else:
        try:
            status_code = senders.send(channel, row.payload, now)
        except senders.SendError as failure:
            error = failure
    return _record_attempt(row, attempt, error, status_code, now)


@transaction.atomic
def _record_attempt(
    row: Delivery,
    attempt: int,
    error: senders.SendError | None,
    status_code: int | None,
    now: datetime.datetime,
) -> Delivery:
    S = Delivery.Status
    row.attempts = attempt
    if error is None:
        row.status, row.sent_at, row.next_attempt_at = S.SENT, now, None
        row.last_status_code = status_code
        row.last_error = ""
    else:
        row.last_error = str(error)[:500]
        row.last_status_code = error.status_code
        # A destination refused by policy stays refused: trying again would only repeat it.
        if attempt >= max_attempts() or not error.retry:
            row.status, row.next_attempt_at = S.GAVE_UP, None
        else:
            row.status, row.next_attempt_at = S.FAILED, now + backoff(attempt)
    fields = ["status", "sent_at", "next_attempt_at", "last_error", "last_status_code"]
    Delivery.objects.filter(pk=row.pk, attempts=attempt).update(
        **{name: getattr(row, name) for name in fields}
    )
    if row.status in {S.SENT, S.GAVE_UP}:
        record(
            None,
            f"delivery.{row.status}",
            row,
            after={"attempts": attempt, "event": row.event_key, "error": row.last_error},
        )
    return row


def send_due(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Attempt every due pending or failed delivery (oldest first); returns how many were
    attempted by this call."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(
            status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED], next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", "attempts")[:limit]
    )
    done = 0
    for pk, attempts in due:
        row = send_delivery(pk, now=now)
        if row is not None and row.attempts == attempts + 1:
            done += 1
    return done


# --- Channels ----------------------------------------------------------------------------------

CHANNEL_FIELDS = ["name", "kind", "target", "secret", "kinds", "is_active", "covers_subtree"]


def _snapshot(channel: Channel) -> dict[str, Any]:
    """The audit view of a channel: the secret and a webhook's token never in full."""
    data = snapshot(channel)
    data["secret"] = mask_secret(channel.secret)
    if channel.is_webhook:
        data["target"] = mask_url(channel.target)
    return data


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    kind = data.get("kind")
    if kind not in Channel.Kind.values:
        raise ValidationError({"kind": _("Choose a kind of channel.")})
    target = str(data.get("target", ""))
    try:
        if kind == Channel.Kind.EMAIL:
            data["target"] = "\n".join(senders.check_addresses(target))
            data["secret"] = ""
        else:
            data["target"] = senders.check_webhook_url(target, kind)
    except ValidationError as error:
        raise ValidationError({"target": error.messages}) from None
    if kind == Channel.Kind.WECOM:
        data["secret"] = ""
    registered = [kind.key for kind in notices.kinds()]
    kinds = [k for k in data.get("kinds", []) if k in registered]
    if not kinds:
        raise ValidationError({"kinds": _("Choose at least one kind of event.")})
    data["kinds"] = [k for k in registered if k in kinds and k != TEST_KIND]
    data["name"] = str(data.get("name", "")).strip()
    if not data["name"]:
        raise ValidationError({"name": _("Give the channel a name.")})
    return data


def _check_manager(actor: Actor, scope: PartyOrg | Area | Unit) -> None:
    if actor is not None and not access.can_manage_scope(actor, scope):
        raise PermissionDenied


@transaction.atomic
def create_channel(actor: Actor, scope: PartyOrg | Area | Unit, **data: Any) -> Channel:
    """Add a channel to an organisation, area or unit (managers of it only)."""
    _check_manager(actor, scope)
    data = _clean({k: v for k, v in data.items() if k in CHANNEL_FIELDS})
    where = {
        "org": scope if isinstance(scope, PartyOrg) else None,
        "area": scope if isinstance(scope, Area) else None,
        "unit": scope if isinstance(scope, Unit) else None,
    }
    channel = Channel.objects.create(**where, **data)
    record(actor, "channel.create", channel, after=_snapshot(channel))
    return channel


@transaction.atomic
def update_channel(actor: Actor, channel: Channel, **data: Any) -> Channel:
    """Change a channel. An empty `secret` keeps the stored one (it is never shown back);
    `clear_secret=True` removes it. Saving without a change records nothing."""
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    _check_manager(actor, channel.scope)
    clear_secret = bool(data.pop("clear_secret", False))
    values = {name: getattr(channel, name) for name in CHANNEL_FIELDS}
    values.update({k: v for k, v in data.items() if k in CHANNEL_FIELDS})
    if not data.get("secret"):
        values["secret"] = "" if clear_secret else channel.secret
    values = _clean(values)
    before = _snapshot(channel)
    changed = [name for name in CHANNEL_FIELDS if getattr(channel, name) != values[name]]
    if not changed:
        return channel
    for name in changed:
        setattr(channel, name, values[name])
    channel.save(update_fields=changed)
    after = _snapshot(channel)
    record(
        actor,
        "channel.update",
        channel,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return channel


@transaction.atomic
def set_channel_active(actor: Actor, channel: Channel, active: bool) -> Channel:
    """Deactivate (or reactivate) a channel; its queued deliveries then give up when due.
    Setting the state it already has records nothing."""
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    _check_manager(actor, channel.scope)
    if channel.is_active == active:
        return channel
    channel.is_active = active
    channel.save(update_fields=["is_active"])
    record(
        actor,
        "channel.activate" if active else "channel.deactivate",
        channel,
        before={"is_active": not active},
        after={"is_active": active},
    )
    return channel


@transaction.atomic
def send_test(actor: Actor, channel: Channel, *, now: datetime.datetime | None = None) -> Delivery:
    """Queue a test message to one channel, through the same delivery path as events."""
    _check_manager(actor, channel.scope)
    now = now or timezone.now()
    who = actor.get_username() if actor is not None else "system"
    with translation.override(settings.LANGUAGE_CODE):  # a group chat reads the site's language
        title = _("Test message from Juli")
        text = _("%(who)s sent this test to the channel “%(name)s” at %(time)s.") % {
            "who": who,
            "name": channel.name,
            "time": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
        }
    key = f"test:{channel.pk}:{now.strftime('%Y%m%dT%H%M%S%f')}"
    (row,) = _queue(key, TEST_KIND, title, text, "", [channel], now)
    record(actor, "channel.test", channel, after={"delivery": row.pk})
    return row


# --- The bell ----------------------------------------------------------------------------------


@transaction.atomic
def mark_read(actor: Actor, notification: Notification) -> Notification:
    """Mark one of the actor's notifications read (404 for someone else's). Audited; marking
    a read notification again changes and records nothing."""
    if actor is None or notification.recipient_id != actor.pk:
        raise Http404
    # The conditional UPDATE claims the row: of two clicks only one writes and records.
    now = timezone.now()
    if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now):
        notification.read_at = now
        record(
            actor,
            "notification.read",
            notification,
            before={"read_at": None},
            after={"read_at": now},
            scope=notification.audit_scope(),
        )
    else:
        notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic
def mark_all_read(actor: Actor) -> int:
    """Mark every unread notification of the actor read; returns how many. One audit row
    (on the actor's account) lists them; with none unread, nothing is written."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Http404
    now = timezone.now()
    unread = Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True)
    # Lock first (PostgreSQL), so that the ids recorded are exactly the rows this call marks.
    pks = list(unread.select_for_update().order_by("pk").values_list("pk", flat=True))
    if not pks:
        return 0
    count = Notification.objects.filter(pk__in=pks, read_at__isnull=True).update(read_at=now)
    record(actor, "notification.read_all", actor, after={"notifications": pks, "read_at": now})
    return count

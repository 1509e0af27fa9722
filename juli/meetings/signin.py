"""Sign-in codes of a meeting: what the QR code on the presider's screen (or on paper) says.

A code is ``<meeting id>.<slot>.<signature>``:

- the rotating screen code: ``slot`` is ``floor(server unix time / 30 s)`` when it was drawn;
- the printable code: ``slot`` is the letter ``p`` (valid for the meeting's whole window).

The signature is a truncated HMAC-SHA256 of ``"<meeting id>.<slot>"`` keyed with the site's
``SECRET_KEY`` and the meeting's ``signin_key``: rotating the key (作废所有签到码) revokes
every code ever drawn for the meeting, screen and paper alike.

A code is valid for a scan when the scan lies in the meeting's window
``[starts_at - signin_opens_minutes, ends_at]`` and, for a screen code, no more than
``GRACE_SLOTS`` slots after the slot it was drawn in (a photo of the screen passed around
later does not sign anyone in).

Server time governs. The phone sends when it scanned (``scanned_at``) and when it sent
(``sent_at``), both by its own clock; the server places the scan at
``server_now - (sent_at - scanned_at)``, which cancels the phone clock's offset. A sign-in
kept in the outbox for hours is still accepted when that scan lay inside the code's
validity, up to ``MAX_DELAY``.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import math
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Meeting

#: How long one screen code is shown (the QR changes this often).
SLOT_SECONDS = 30
#: A screen code scanned up to this many slots after its own is still taken.
GRACE_SLOTS = 2
#: The slot of a printable code.
PRINT_SLOT = "p"
#: How long a sign-in may wait in the phone's outbox.
MAX_DELAY = datetime.timedelta(days=3)
#: Hex characters of the signature kept (64 bits).
SIGNATURE_CHARS = 16

CODE_RE = re.compile(r"^(?P<id>[1-9][0-9]{0,17})\.(?P<slot>p|[0-9]{1,12})\.(?P<sig>[0-9a-f]{16})$")


class CodeError(ValueError):
    """A code refused for a reason the attendee is told: `code` is `invalid`, `expired`,
    `not_open` (too early) or `clock` (times that cannot be)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class ParsedCode:
    meeting_id: int
    slot: int | None  # None for a printable code
    signature: str

    @property
    def printable(self) -> bool:
        return self.slot is None


def slot_of(when: datetime.datetime) -> int:
    return math.floor(when.timestamp() / SLOT_SECONDS)


def slot_start(slot: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(slot * SLOT_SECONDS, tz=datetime.UTC)


def _signature(meeting: Meeting, slot: str) -> str:
    key = f"{settings.SECRET_KEY}:{meeting.signin_key}".encode()
    message = f"{meeting.pk}.{slot}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:SIGNATURE_CHARS]


def screen_code(meeting: Meeting, now: datetime.datetime | None = None) -> str:
    """The rotating code for the slot `now` lies in."""
    slot = str(slot_of(now or timezone.now()))
    return f"{meeting.pk}.{slot}.{_signature(meeting, slot)}"


def print_code(meeting: Meeting) -> str:
    """The code for paper: valid for the meeting's whole window, until the key is rotated."""
    return f"{meeting.pk}.{PRINT_SLOT}.{_signature(meeting, PRINT_SLOT)}"


def sign_url(code: str) -> str:
    """The phone page a QR code opens (a path; the screen makes it absolute)."""
    return f"{reverse('meetings-field-sign')}?{urlencode({'c': code})}"


def window(meeting: Meeting) -> tuple[datetime.datetime, datetime.datetime]:
    """When sign-in is open: from `signin_opens_minutes` before the start to the end."""
    opens = meeting.starts_at - datetime.timedelta(minutes=meeting.signin_opens_minutes)
    return opens, meeting.ends_at


def parse(code: str) -> ParsedCode:
    """The parts of a code, or CodeError("invalid") for anything else."""
    match = CODE_RE.match((code or "").strip())
    if match is None:
        raise CodeError(_("This sign-in code is not valid."), "invalid")
    slot = match["slot"]
    return ParsedCode(
        meeting_id=int(match["id"]),
        slot=None if slot == PRINT_SLOT else int(slot),
        signature=match["sig"],
    )


def verify_signature(meeting: Meeting, parsed: ParsedCode) -> None:
    """CodeError("invalid") unless the code was signed with the meeting's current key."""
    slot = PRINT_SLOT if parsed.slot is None else str(parsed.slot)
    if parsed.meeting_id != meeting.pk or not hmac.compare_digest(
        _signature(meeting, slot), parsed.signature
    ):
        raise CodeError(_("This sign-in code is not valid."), "invalid")


def scan_time(
    scanned_at: datetime.datetime | None,
    sent_at: datetime.datetime | None,
    now: datetime.datetime,
) -> datetime.datetime:
    """When the scan happened, on the server's clock: `now - (sent_at - scanned_at)`.

    Without both phone times the scan is placed at `now` (a client that sends at once).
    A scan after its sending, or one waiting longer than MAX_DELAY, is refused."""
    if scanned_at is None or sent_at is None:
        return now
    delay = sent_at - scanned_at
    if delay < -datetime.timedelta(seconds=5):
        raise CodeError(_("The scan time lies after the sending time."), "clock")
    delay = max(delay, datetime.timedelta(0))
    if delay > MAX_DELAY:
        raise CodeError(_("This sign-in code has expired."), "expired")
    return now - delay


def check(meeting: Meeting, parsed: ParsedCode, scanned: datetime.datetime) -> None:
    """CodeError unless the (signed) code was valid at `scanned` (server time)."""
    verify_signature(meeting, parsed)
    opens, closes = window(meeting)
    if scanned < opens:
        raise CodeError(_("Sign-in for this meeting has not opened yet."), "not_open")
    if scanned > closes:
        raise CodeError(_("This sign-in code has expired."), "expired")
    if parsed.slot is None:
        return
    drawn = slot_start(parsed.slot)
    # A screen code exists only while sign-in is open; one "drawn" outside (forged times
    # are caught by the signature, so this is an old code of the same meeting) is refused.
    if drawn < opens - datetime.timedelta(seconds=SLOT_SECONDS) or drawn > closes:
        raise CodeError(_("This sign-in code has expired."), "expired")
    age = slot_of(scanned) - parsed.slot
    if age > GRACE_SLOTS:
        raise CodeError(_("This sign-in code has expired."), "expired")
    if age < -1:  # drawn after the scan: a clock that cannot be
        raise CodeError(_("This sign-in code is not valid."), "invalid")

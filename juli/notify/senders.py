"""The wire formats and the one HTTP/e-mail call per attempt. No database here.

- WeCom group robot (企业微信群机器人): POST {"msgtype": "markdown", "markdown": {"content": …}}
  to the robot's URL; it answered when the JSON reply has errcode 0.
- DingTalk custom robot (钉钉自定义机器人): POST {"msgtype": "markdown", "markdown": {"title": …,
  "text": …}}; with a 加签 secret the URL gets &timestamp=<ms>&sign=<urlencoded base64
  HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret>; errcode 0 is success.
- E-mail through django.core.mail (the EMAIL_* settings).

HTTP goes through urllib (no extra dependency) with a 5 s timeout and redirects refused: a
webhook that redirects is misconfigured or hijacked, and following it would post the message
(and, for DingTalk, a valid signature) somewhere nobody chose.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from .models import Channel, split_addresses

TIMEOUT_SECONDS = 5
#: WeCom refuses markdown over 4096 bytes; keep well inside it (Chinese is 3 bytes a char).
MAX_TEXT_CHARS = 1200


class SendError(Exception):
    """An attempt failed: `str()` says why, `status_code` is the HTTP status if there was one."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


# --- Validation (forms and the sender share it) -------------------------------------------------


def check_webhook_url(url: str) -> str:
    """The URL, stripped, or ValidationError: https only (plain http only to the hosts in
    JULI_WEBHOOK_ALLOW_HTTP_HOSTS, for tests and intranet relays), no credentials."""
    url = url.strip()
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ValidationError(_("Enter a valid web address."), code="invalid_url") from None
    allowed_http = set(getattr(settings, "JULI_WEBHOOK_ALLOW_HTTP_HOSTS", ()) or ())
    if parts.scheme == "http" and host in allowed_http:
        pass
    elif parts.scheme != "https":
        raise ValidationError(
            _("The robot's address must start with https://."), code="insecure_url"
        )
    if not host or parts.username or parts.password or any(c.isspace() for c in url):
        raise ValidationError(_("Enter a valid web address."), code="invalid_url")
    return url


def check_addresses(text: str) -> list[str]:
    """The e-mail addresses of `text` (one per line or comma-separated), or ValidationError
    naming the bad ones."""
    addresses = split_addresses(text)
    if not addresses:
        raise ValidationError(_("Enter at least one e-mail address."), code="required")
    bad = []
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        raise ValidationError(
            _("Not valid e-mail addresses: %(list)s") % {"list": ", ".join(bad)},
            code="invalid_email",
        )
    if len(addresses) > 50:
        raise ValidationError(_("At most 50 addresses per channel."), code="too_many")
    return list(dict.fromkeys(addresses))


# --- Payloads ----------------------------------------------------------------------------------


def absolute(url: str) -> str:
    """A link usable outside Juli: relative paths need JULI_SITE_URL, else no link at all."""
    if not url:
        return ""
    if url.startswith(("https://", "http://")):
        return url
    site = str(getattr(settings, "JULI_SITE_URL", "") or "").rstrip("/")
    return f"{site}{url}" if site else ""


#: Markdown syntax in typed text (a case title, a note) becomes its full-width twin in robot
#: messages: `[点我](http://…)` in a title must not turn into a link in the group chat.
_MARKDOWN_INERT = str.maketrans(
    {
        "[": "［",
        "]": "］",
        "(": "（",
        ")": "）",
        "<": "＜",
        ">": "＞",
        "*": "＊",
        "#": "＃",
        "`": "｀",
    }
)


def _inert(value: str) -> str:
    return value.translate(_MARKDOWN_INERT)


def build_payload(kind: str, *, title: str, text: str, url: str = "") -> dict[str, Any]:
    """What a channel of `kind` is sent for one event (stored on the delivery as is).

    Typed text is made inert for the robots' markdown; an e-mail subject is one line."""
    link = absolute(url)
    title = " ".join(title.split()) if kind == Channel.Kind.EMAIL else title
    if kind != Channel.Kind.EMAIL:
        title, text = _inert(title), _inert(text)
    text = text.strip()
    if len(text) > MAX_TEXT_CHARS:
        text = text[: MAX_TEXT_CHARS - 1] + "…"
    if kind == Channel.Kind.EMAIL:
        body = "\n\n".join(part for part in (text, link) if part)
        return {"subject": title, "body": body or title}
    more = f"\n\n[{_('Open in Juli')}]({link})" if link else ""
    if kind == Channel.Kind.WECOM:
        content = f"**{title}**" + (f"\n{text}" if text else "") + more
        return {"msgtype": "markdown", "markdown": {"content": content}}
    if kind == Channel.Kind.DINGTALK:
        body_text = f"#### {title}" + (f"\n\n{text}" if text else "") + more
        return {"msgtype": "markdown", "markdown": {"title": title, "text": body_text}}
    raise ValueError(kind)


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The urlencoded signature of DingTalk's 加签 for `timestamp_ms`."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def signed_url(url: str, secret: str, now: datetime.datetime) -> str:
    if not secret:
        return url
    timestamp = int(now.timestamp() * 1000)
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp}&sign={dingtalk_sign(secret, timestamp)}"


# --- Sending -----------------------------------------------------------------------------------


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError with the 3xx status


_opener = urllib.request.build_opener(_RefuseRedirects())


def send(channel: Channel, payload: dict[str, Any], now: datetime.datetime) -> int | None:
    """Make one attempt. Returns the HTTP status (None for e-mail); raises SendError."""
    if channel.kind == Channel.Kind.EMAIL:
        _send_email(channel, payload)
        return None
    try:
        url = check_webhook_url(channel.target)
    except ValidationError as error:
        raise SendError(" ".join(error.messages)) from None
    if channel.kind == Channel.Kind.DINGTALK:
        url = signed_url(url, channel.secret, now)
    return _post_json(url, payload)


def _send_email(channel: Channel, payload: dict[str, Any]) -> None:
    try:
        EmailMessage(
            subject=payload["subject"],
            body=payload["body"],
            from_email=None,  # DEFAULT_FROM_EMAIL
            to=channel.addresses,
        ).send()
    except Exception as error:  # noqa: BLE001 - SMTP and socket errors alike are one failure
        raise SendError(f"{type(error).__name__}: {error}") from None


def _post_json(url: str, payload: dict[str, Any]) -> int:
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 - scheme checked by check_webhook_url
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            status = int(response.status)
            body = response.read(65536)
    except urllib.error.HTTPError as error:
        raise SendError(f"HTTP {error.code}", status_code=error.code) from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise SendError(f"{type(error).__name__}: {reason}") from None
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise SendError(_("The robot did not answer in JSON."), status_code=status) from None
    errcode = answer.get("errcode") if isinstance(answer, dict) else None
    if errcode != 0:
        message = answer.get("errmsg", "") if isinstance(answer, dict) else ""
        raise SendError(f"errcode {errcode}: {message}"[:500], status_code=status)
    return status

"""The wire formats and the one HTTP/e-mail call per attempt. No database here.

- WeCom group robot (企业微信群机器人): POST {"msgtype": "markdown", "markdown": {"content": …}}
  to the robot's URL; it answered when the JSON reply has errcode 0.
- DingTalk custom robot (钉钉自定义机器人): POST {"msgtype": "markdown", "markdown": {"title": …,
  "text": …}}; with a 加签 secret the URL gets &timestamp=<ms>&sign=<urlencoded base64
  HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret>; errcode 0 is success.
- E-mail through django.core.mail (the EMAIL_* settings).

A robot's URL is chosen by whoever manages the channel, so it must not become a way into
Juli's own network (server-side request forgery; finding 4 of the outside security test):

- at save time and again before every attempt, the URL must be https:// on the robot's
  official host (WeCom qyapi.weixin.qq.com, DingTalk oapi.dingtalk.com) or on a host the
  operator lists in JULI_WEBHOOK_ALLOWED_HOSTS (plain http only to JULI_WEBHOOK_ALLOW_HTTP_HOSTS);
- before connecting, the host is resolved once and every address checked (`address_allowed`):
  loopback, private, link-local, shared, reserved, multicast, unspecified and cloud metadata
  addresses are refused, IPv4 inside IPv6 included, unless the operator allows a network in
  JULI_WEBHOOK_ALLOWED_NETWORKS (metadata, multicast and unspecified never);
- the connection goes to the checked address (`_PinnedHTTPSConnection`), so a DNS answer that
  changes between the check and the connect cannot win, while TLS still sends the host name
  (SNI) and checks the certificate against it;
- redirects are never followed: a webhook that redirects is misconfigured or hijacked, and
  following it would post the message (and, for DingTalk, a valid signature) somewhere nobody
  chose;
- a failure is reported as a class (refused, connection failed, timed out, TLS, HTTP 4xx …),
  never the socket's own message, which would tell open ports from closed ones; the detail
  goes to this module's logger at debug level. A refused destination is not retried.

HTTP goes through http.client (no extra dependency) with a 5 s timeout, directly: proxy
environment variables are not used.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import urllib.parse
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from .models import Channel, split_addresses

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS: float = 5
#: WeCom refuses markdown over 4096 bytes; keep well inside it (Chinese is 3 bytes a char).
MAX_TEXT_CHARS = 1200
#: The addresses of one name tried in turn (each with the timeout) before the attempt fails.
MAX_ADDRESSES = 4

#: The hosts the robots' webhooks live on (企业微信群机器人, 钉钉自定义机器人).
OFFICIAL_HOSTS: dict[str, str] = {
    Channel.Kind.WECOM: "qyapi.weixin.qq.com",
    Channel.Kind.DINGTALK: "oapi.dingtalk.com",
}


class SendError(Exception):
    """An attempt failed: `str()` says why (a class of failure, never a socket's message),
    `status_code` is the HTTP status if there was one, `retry` False when trying again cannot
    help (the destination is refused by policy)."""

    def __init__(self, message: str, status_code: int | None = None, *, retry: bool = True) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.retry = retry


def _refused() -> SendError:
    return SendError(_("The destination address is not allowed."), retry=False)


# --- Validation (forms and the sender share it) -------------------------------------------------


def _host_names(setting: str) -> set[str]:
    names = getattr(settings, setting, ()) or ()
    return {str(name).strip().strip("[]").rstrip(".").lower() for name in names} - {""}


def allowed_hosts(kind: str) -> set[str]:
    """The hosts a robot channel of `kind` may post to: its official host and the ones the
    operator allows (JULI_WEBHOOK_ALLOWED_HOSTS, and JULI_WEBHOOK_ALLOW_HTTP_HOSTS, which also
    allows plain http)."""
    official = {OFFICIAL_HOSTS[kind]} if kind in OFFICIAL_HOSTS else set()
    extra = _host_names("JULI_WEBHOOK_ALLOWED_HOSTS") | _host_names("JULI_WEBHOOK_ALLOW_HTTP_HOSTS")
    return official | extra


def check_webhook_url(url: str, kind: str) -> str:
    """The URL, stripped, or ValidationError: https only (plain http only to the hosts in
    JULI_WEBHOOK_ALLOW_HTTP_HOSTS, for tests and intranet relays), no credentials, and on
    the official host of a `kind` robot or a host the operator allows (`allowed_hosts`)."""
    url = url.strip()
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ValidationError(_("Enter a valid web address."), code="invalid_url") from None
    if parts.scheme == "http" and host in _host_names("JULI_WEBHOOK_ALLOW_HTTP_HOSTS"):
        pass
    elif parts.scheme != "https":
        raise ValidationError(
            _("The robot's address must start with https://."), code="insecure_url"
        )
    if not host or parts.username or parts.password or any(c.isspace() for c in url):
        raise ValidationError(_("Enter a valid web address."), code="invalid_url")
    if host not in allowed_hosts(kind):
        raise ValidationError(
            _(
                "Only the official address of this robot (https://%(host)s/…) is accepted; "
                "other hosts must be allowed by the system administrator."
            )
            % {"host": OFFICIAL_HOSTS.get(kind, "")},
            code="host_not_allowed",
        )
    return url


# --- Addresses ---------------------------------------------------------------------------------

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Cloud metadata services (AWS, Huawei, OpenStack …; AWS ECS; Tencent Cloud; Alibaba Cloud;
#: AWS over IPv6): never a robot, whatever JULI_WEBHOOK_ALLOWED_NETWORKS says.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(text)
    for text in (
        "169.254.169.254",
        "169.254.170.2",
        "169.254.0.23",
        "100.100.100.200",
        "fd00:ec2::254",
    )
)
#: Not globally reachable, yet not all flagged by `ipaddress` on every Python version.
_REFUSED_NETWORKS = tuple(
    ipaddress.ip_network(text)
    for text in (
        "0.0.0.0/8",
        "100.64.0.0/10",  # shared address space (carrier-grade NAT, Alibaba Cloud's metadata)
        "192.0.0.0/24",
        "198.18.0.0/15",
        "64:ff9b:1::/48",
        "fec0::/10",  # site-local
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one leads to: mapped (::ffff:a.b.c.d), compatible
    (::a.b.c.d), 6to4 (2002:…) or NAT64 (64:ff9b::a.b.c.d)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or int(ip) >> 32 == 0:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _is_public(ip: IPAddress) -> bool:
    if (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or any(ip in network for network in _REFUSED_NETWORKS if network.version == ip.version)
    ):
        return False
    return ip.is_global


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """JULI_WEBHOOK_ALLOWED_NETWORKS: inner networks the operator lets robots live in."""
    networks = []
    for text in getattr(settings, "JULI_WEBHOOK_ALLOWED_NETWORKS", ()) or ():
        try:
            networks.append(ipaddress.ip_network(str(text).strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"JULI_WEBHOOK_ALLOWED_NETWORKS: {text!r} is not a network"
            ) from None
    return networks


def address_allowed(
    ip: IPAddress, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] | None = None
) -> bool:
    """May a robot's host name resolve to `ip`? Public addresses only, unless `ip` lies in one
    of the operator's `networks` (never a metadata, multicast or unspecified address)."""
    ip = ipaddress.ip_address(str(ip).partition("%")[0])  # without an IPv6 zone
    inner = _embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else None
    candidates = [ip] if inner is None else [ip, inner]
    if any(c in METADATA_ADDRESSES or c.is_multicast or c.is_unspecified for c in candidates):
        return False
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    effective = mapped or ip  # ::ffff:a.b.c.d is a.b.c.d on the wire
    for network in allowed_networks() if networks is None else networks:
        if network.version == effective.version and effective in network:
            return True
    return all(_is_public(c) for c in candidates)


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
    open_label = _("Open in Juli")  # outside the f-string, where makemessages finds it
    more = f"\n\n[{open_label}]({link})" if link else ""
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


def send(channel: Channel, payload: dict[str, Any], now: datetime.datetime) -> int | None:
    """Make one attempt. Returns the HTTP status (None for e-mail); raises SendError.

    The channel's URL is checked again with today's rules (the row may predate them, or the
    operator may have withdrawn an allowance): a refusal sends nothing."""
    if channel.kind == Channel.Kind.EMAIL:
        _send_email(channel, payload)
        return None
    try:
        url = check_webhook_url(channel.target, channel.kind)
    except ValidationError as error:
        logger.debug("channel %s: webhook refused: %s", channel.pk, error.messages)
        raise _refused() from None
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


def tls_context() -> ssl.SSLContext:
    """Certificates checked against the system's CAs and the URL's host name."""
    return ssl.create_default_context()


def _resolve(host: str, port: int) -> list[tuple[int, Any]]:
    """The (family, socket address) pairs to connect to for `host`, every one of them checked
    by `address_allowed`; SendError when the name does not resolve or any address is refused
    (a name that also points inside is not a robot)."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        logger.debug("webhook host %s does not resolve: %r", host, error)
        raise SendError(_("Connection failed.")) from None
    networks = allowed_networks()
    found: list[tuple[int, Any]] = []
    for family, _type, _proto, _name, sockaddr in answers:
        try:
            ip = ipaddress.ip_address(str(sockaddr[0]).partition("%")[0])
        except ValueError:
            ip = None
        if family not in (socket.AF_INET, socket.AF_INET6) or ip is None:
            logger.debug("webhook host %s: unusable address %r", host, sockaddr)
            raise _refused()
        if not address_allowed(ip, networks):
            logger.debug("webhook host %s resolves to refused address %s", host, ip)
            raise _refused()
        if (family, sockaddr) not in found:
            found.append((family, sockaddr))
    if not found:
        raise SendError(_("Connection failed."))
    return found[:MAX_ADDRESSES]


def _dial(addresses: list[tuple[int, Any]], timeout: float | None) -> socket.socket:
    """A TCP connection to the first of `addresses` (already checked) that answers."""
    last: OSError = OSError("no address")
    for family, sockaddr in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError as error:
            sock.close()
            last = error
            continue
        return sock
    raise last


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Plain HTTP to checked addresses only (an intranet relay the operator allows)."""

    def __init__(
        self, host: str, port: int, addresses: list[tuple[int, Any]], timeout: float
    ) -> None:
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = _dial(self.addresses, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to checked addresses only; SNI and the certificate check use the host name."""

    def __init__(
        self,
        host: str,
        port: int,
        addresses: list[tuple[int, Any]],
        timeout: float,
        context: ssl.SSLContext,
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self.addresses = addresses
        self.tls = context

    def connect(self) -> None:
        sock = _dial(self.addresses, self.timeout)
        try:
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def _post_json(url: str, payload: dict[str, Any]) -> int:
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    addresses = _resolve(host, port)
    connection: http.client.HTTPConnection
    if https:
        connection = _PinnedHTTPSConnection(host, port, addresses, TIMEOUT_SECONDS, tls_context())
    else:
        connection = _PinnedHTTPConnection(host, port, addresses, TIMEOUT_SECONDS)
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8"}
    # The socket's own words ("Connection refused", "No route to host" …) would tell open
    # ports from closed ones: the log keeps only the class.
    try:
        connection.request("POST", target, body=data, headers=headers)
        response = connection.getresponse()
        status = int(response.status)
        body = response.read(65536)
    except TimeoutError as error:
        logger.debug("webhook %s:%s timed out: %r", host, port, error)
        raise SendError(_("Timed out.")) from None
    except ssl.SSLError as error:
        logger.debug("webhook %s:%s TLS failed: %r", host, port, error)
        raise SendError(_("Secure connection (TLS) failed.")) from None
    except (OSError, http.client.HTTPException, ValueError) as error:
        logger.debug("webhook %s:%s failed: %r", host, port, error)
        raise SendError(_("Connection failed.")) from None
    finally:
        connection.close()
    if 300 <= status < 400:  # never followed
        raise SendError(
            _("The robot answered with a redirect (HTTP 3xx), which is not followed."),
            status_code=status,
        )
    if not 200 <= status < 300:
        raise SendError(
            _("The robot answered with an error: HTTP %(class)s.")
            % {"class": f"{status // 100}xx"},
            status_code=status,
        )
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise SendError(_("The robot did not answer in JSON."), status_code=status) from None
    errcode = answer.get("errcode") if isinstance(answer, dict) else None
    if errcode != 0:
        message = answer.get("errmsg", "") if isinstance(answer, dict) else ""
        raise SendError(f"errcode {errcode}: {message}"[:500], status_code=status)
    return status

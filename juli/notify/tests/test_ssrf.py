"""Robot channels cannot be aimed at Juli's own network (finding 4 of the outside security test).

A street officer could point a WeCom or DingTalk channel at https://127.0.0.1:<port>, press
"test", and read open ports off the delivery log. Now: only the robots' official hosts (and
the hosts an operator allows) are saved; at send time the name is resolved, every address
checked, and the connection made to the checked address; a refused destination is given up
at once; the log shows a class of error, never the socket's message.

The robot here is a real server on 127.0.0.1 (see conftest); `robot.connections` proves that
a refusal sent nothing at all.
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import threading
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse

from juli.core.models import AuditLog
from juli.notify import actions, senders
from juli.notify.models import Channel, Delivery

from .conftest import TEST_CA, Robot

T0 = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)
MIN = datetime.timedelta(minutes=1)
KEY = "/cgi-bin/webhook/send?key=3f6c2a1e-4d0b-9a7e-5b8c0d1e2f3a"
OFFICIAL = f"https://qyapi.weixin.qq.com{KEY}"

REFUSED = "The destination address is not allowed."
CONNECTION_FAILED = "Connection failed."
TIMED_OUT = "Timed out."
TLS_FAILED = "Secure connection (TLS) failed."
WECOM_ONLY = (
    "Only the official address of this robot (https://qyapi.weixin.qq.com/…) is accepted; "
    "other hosts must be allowed by the system administrator."
)
DINGTALK_ONLY = (
    "Only the official address of this robot (https://oapi.dingtalk.com/…) is accepted; "
    "other hosts must be allowed by the system administrator."
)


@pytest.fixture
def local(settings):  # type: ignore[no-untyped-def]
    """A robot on loopback, under the default policy (nothing allowed beyond the official
    hosts): whatever a channel says, it must receive no connection."""
    settings.JULI_WEBHOOK_ALLOWED_HOSTS = []
    settings.JULI_WEBHOOK_ALLOW_HTTP_HOSTS = []
    settings.JULI_WEBHOOK_ALLOWED_NETWORKS = []
    settings.JULI_NOTIFY_MAX_ATTEMPTS = 5
    r = Robot()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def tls_robot(settings, monkeypatch):  # type: ignore[no-untyped-def]
    """An HTTPS robot on loopback with a certificate for qyapi.weixin.qq.com from the test CA,
    which the sender trusts here; loopback is allowed as an operator would allow a relay."""
    settings.JULI_WEBHOOK_ALLOWED_HOSTS = []
    settings.JULI_WEBHOOK_ALLOW_HTTP_HOSTS = []
    settings.JULI_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.JULI_NOTIFY_MAX_ATTEMPTS = 5
    monkeypatch.setattr(
        senders, "tls_context", lambda: ssl.create_default_context(cafile=str(TEST_CA))
    )
    r = Robot(tls=True)
    yield r
    r.server.shutdown()
    r.server.server_close()


class FakeDNS:
    """socket.getaddrinfo answering `answers[name]` (one list of addresses per lookup, the last
    repeated) for the names given, the real resolver for every other name."""

    def __init__(self, monkeypatch: Any, answers: dict[str, list[list[str]]]) -> None:
        self.lookups: list[str] = []
        real = socket.getaddrinfo

        def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            if host not in answers:
                return real(host, port, *args, **kwargs)
            self.lookups.append(host)
            queue = answers[host]
            addresses = queue.pop(0) if len(queue) > 1 else queue[0]
            port = int(port or 0)
            rows: list[tuple[Any, ...]] = []
            for text in addresses:
                if ipaddress.ip_address(text).version == 4:
                    rows.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (text, port)))
                else:
                    rows.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (text, port, 0, 0)))
            return rows

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def dialled(monkeypatch):  # type: ignore[no-untyped-def]
    """Every outgoing connect() is recorded and refused, so no test reaches a real network."""
    calls: list[Any] = []

    def connect(self: socket.socket, address: Any) -> None:
        calls.append(address)
        raise ConnectionRefusedError(111, "Connection refused")

    def connect_ex(self: socket.socket, address: Any) -> int:
        calls.append(address)
        return 111

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    return calls


def _announce(cast, key="bulletin:1:published"):  # type: ignore[no-untyped-def]
    return actions.notify(
        key, kind="bulletin", title="日通报", text="正文", area=cast.dapuqiao, now=T0
    )


def _legacy_channel(cast, target, kind="wecom"):  # type: ignore[no-untyped-def]
    """A channel row saved before the rule existed (written directly, as old rows are)."""
    return Channel.objects.create(
        area=cast.dapuqiao, name="旧渠道", kind=kind, target=target, kinds=["bulletin"]
    )


def _given_up_at_once(row):  # type: ignore[no-untyped-def]
    row.refresh_from_db()
    return (row.status, row.attempts, row.next_attempt_at, row.last_status_code, row.last_error)


# --- At save time ------------------------------------------------------------------------------


def _loopback_targets(port: int) -> list[tuple[str, str, str]]:
    return [
        ("wecom", f"https://127.0.0.1:{port}{KEY}", WECOM_ONLY),
        ("wecom", f"https://localhost:{port}{KEY}", WECOM_ONLY),
        ("wecom", f"https://[::1]:{port}{KEY}", WECOM_ONLY),
        ("wecom", f"https://[::ffff:127.0.0.1]:{port}{KEY}", WECOM_ONLY),
        ("wecom", f"https://169.254.169.254{KEY}", WECOM_ONLY),
        ("wecom", f"https://qyapi.weixin.qq.com.evil.example{KEY}", WECOM_ONLY),
        ("wecom", "https://evil.example/?qyapi.weixin.qq.com", WECOM_ONLY),
        ("wecom", "https://oapi.dingtalk.com/robot/send?access_token=1", WECOM_ONLY),
        ("dingtalk", f"https://127.0.0.1:{port}/robot/send?access_token=1", DINGTALK_ONLY),
        ("dingtalk", f"https://qyapi.weixin.qq.com{KEY}", DINGTALK_ONLY),
    ]


def test_it_refuses_other_hosts_than_the_robots_own_in_the_form(client, cast, local):  # type: ignore[no-untyped-def]
    client.force_login(cast.street_officer)
    for kind, target, error in _loopback_targets(local.port):
        response = client.post(
            reverse("channel-new", args=["area", cast.dapuqiao.pk]),
            {"name": "群", "kind": kind, "target": target, "kinds": ["bulletin"]},
        )
        assert response.status_code == 200, target
        assert response.context["form"].errors == {"target": [error]}, target
    assert not Channel.objects.exists()
    assert not AuditLog.objects.filter(verb__startswith="channel.").exists()
    assert local.connections == 0


def test_it_refuses_them_in_the_actions_too(cast, local):  # type: ignore[no-untyped-def]
    for kind, target, error in _loopback_targets(local.port):
        with pytest.raises(ValidationError) as refused:
            actions.create_channel(
                cast.street_officer,
                cast.dapuqiao,
                name="群",
                kind=kind,
                target=target,
                kinds=["bulletin"],
            )
        assert refused.value.message_dict == {"target": [error]}, target
    channel = actions.create_channel(
        None, cast.dapuqiao, name="群", kind="wecom", target=OFFICIAL, kinds=["bulletin"]
    )
    with pytest.raises(ValidationError) as refused:
        actions.update_channel(
            cast.street_officer, channel, target=f"https://127.0.0.1:{local.port}{KEY}"
        )
    assert refused.value.message_dict == {"target": [WECOM_ONLY]}
    channel.refresh_from_db()
    assert channel.target == OFFICIAL
    assert Channel.objects.count() == 1
    assert local.connections == 0


def test_it_accepts_the_official_hosts_and_the_allowed_ones(cast, settings):  # type: ignore[no-untyped-def]
    settings.JULI_WEBHOOK_ALLOWED_HOSTS = ["Relay.Example.gov.cn"]
    settings.JULI_WEBHOOK_ALLOW_HTTP_HOSTS = []
    made = [
        actions.create_channel(
            None, cast.dapuqiao, name=f"群{i}", kind=kind, target=target, kinds=["bulletin"]
        )
        for i, (kind, target) in enumerate(
            [
                ("wecom", OFFICIAL),
                ("wecom", "https://QYAPI.weixin.qq.com/cgi-bin/webhook/send?key=1"),
                ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=1"),
                ("dingtalk", "https://relay.example.gov.cn:8443/ding?access_token=1"),
                ("wecom", "https://relay.example.gov.cn/wecom?key=1"),
            ]
        )
    ]
    assert len(made) == 5
    with pytest.raises(ValidationError) as refused:  # allowed, but still https only
        actions.create_channel(
            None,
            cast.dapuqiao,
            name="明文",
            kind="wecom",
            target="http://relay.example.gov.cn/wecom?key=1",
            kinds=["bulletin"],
        )
    assert refused.value.message_dict == {
        "target": ["The robot's address must start with https://."]
    }


# --- At send time ------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["https", "http"])
def test_it_gives_up_a_channel_saved_before_the_rule_without_connecting(cast, local, scheme):  # type: ignore[no-untyped-def]
    _legacy_channel(cast, f"{scheme}://127.0.0.1:{local.port}{KEY}")
    (row,) = _announce(cast)
    assert actions.send_due(now=T0) == 1
    assert _given_up_at_once(row) == ("gave_up", 1, None, None, REFUSED)
    assert actions.send_due(now=T0 + 1000 * MIN) == 0
    assert local.connections == 0
    audit = AuditLog.objects.get(verb="delivery.gave_up")
    assert audit.after == {"attempts": 1, "event": "bulletin:1:published", "error": REFUSED}


@pytest.mark.parametrize(
    "withdrawn", ["JULI_WEBHOOK_ALLOW_HTTP_HOSTS", "JULI_WEBHOOK_ALLOWED_NETWORKS"]
)
def test_it_refuses_at_send_a_channel_whose_allowance_was_withdrawn(
    cast, local, settings, withdrawn
):  # type: ignore[no-untyped-def]
    settings.JULI_WEBHOOK_ALLOW_HTTP_HOSTS = ["127.0.0.1"]
    settings.JULI_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    actions.create_channel(
        None,
        cast.dapuqiao,
        name="内网中转",
        kind="wecom",
        target=f"http://127.0.0.1:{local.port}{KEY}",
        kinds=["bulletin"],
    )
    setattr(settings, withdrawn, [])
    (row,) = _announce(cast)
    actions.send_due(now=T0)
    assert _given_up_at_once(row) == ("gave_up", 1, None, None, REFUSED)
    assert local.connections == 0


REFUSED_ADDRESSES = [
    "10.0.0.5",
    "172.16.3.4",
    "192.168.1.10",
    "127.0.0.1",
    "127.8.9.10",
    "0.0.0.0",  # noqa: S104 - the address under test
    "169.254.169.254",  # cloud metadata (AWS, Huawei, …)
    "169.254.0.23",  # Tencent Cloud metadata
    "100.100.100.200",  # Alibaba Cloud metadata, in the shared 100.64/10
    "100.64.0.1",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.0.8",
    "198.18.0.1",
    "::1",
    "::",
    "::ffff:10.0.0.5",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "::127.0.0.1",
    "64:ff9b::a00:5",  # NAT64 of 10.0.0.5
    "2002:a00:5::1",  # 6to4 of 10.0.0.5
    "fd00:ec2::254",  # AWS metadata over IPv6
    "fc00::1",
    "fe80::1",
    "ff02::1",
    "2001:db8::1",
]


@pytest.mark.parametrize("address", REFUSED_ADDRESSES)
def test_it_refuses_an_official_name_resolving_to_an_inner_address(
    cast, local, monkeypatch, dialled, address
):  # type: ignore[no-untyped-def]
    dns = FakeDNS(monkeypatch, {"qyapi.weixin.qq.com": [[address]]})
    actions.create_channel(
        None, cast.dapuqiao, name="群", kind="wecom", target=OFFICIAL, kinds=["bulletin"]
    )
    (row,) = _announce(cast)
    actions.send_due(now=T0)
    assert _given_up_at_once(row) == ("gave_up", 1, None, None, REFUSED)
    assert dns.lookups == ["qyapi.weixin.qq.com"]
    assert dialled == []


def test_it_lets_allowed_networks_open_inner_addresses_but_never_metadata(settings):  # type: ignore[no-untyped-def]
    def allowed(text: str) -> bool:
        return senders.address_allowed(ipaddress.ip_address(text))

    settings.JULI_WEBHOOK_ALLOWED_NETWORKS = []
    assert [allowed(a) for a in ("101.91.22.57", "2408:8000::1", "10.20.1.2", "::1")] == [
        True,
        True,
        False,
        False,
    ]
    settings.JULI_WEBHOOK_ALLOWED_NETWORKS = ["10.20.0.0/16", "127.0.0.1", "169.254.0.0/16"]
    assert [
        allowed(a)
        for a in (
            "10.20.1.2",
            "10.21.1.2",
            "127.0.0.1",
            "::ffff:127.0.0.1",
            "127.0.0.2",
            "169.254.1.1",
            "169.254.169.254",
            "::ffff:169.254.169.254",
        )
    ] == [True, False, True, True, False, True, False, False]
    settings.JULI_WEBHOOK_ALLOWED_NETWORKS = ["0.0.0.0/0", "::/0"]
    assert [allowed(a) for a in ("169.254.169.254", "fd00:ec2::254", "0.0.0.0", "ff02::1")] == [  # noqa: S104
        False,
        False,
        False,
        False,
    ]
    settings.JULI_WEBHOOK_ALLOWED_NETWORKS = ["10.20.0.0/33"]
    with pytest.raises(ImproperlyConfigured, match="is not a network"):
        allowed("10.20.1.2")


def test_it_refuses_a_name_with_one_inner_address_among_public_ones(
    cast, local, monkeypatch, dialled
):  # type: ignore[no-untyped-def]
    FakeDNS(monkeypatch, {"qyapi.weixin.qq.com": [["101.91.22.57", "10.0.0.5"]]})
    actions.create_channel(
        None, cast.dapuqiao, name="群", kind="wecom", target=OFFICIAL, kinds=["bulletin"]
    )
    (row,) = _announce(cast)
    actions.send_due(now=T0)
    assert _given_up_at_once(row) == ("gave_up", 1, None, None, REFUSED)
    assert dialled == []


def test_it_sends_nothing_to_the_local_robot_through_a_rebound_name(cast, local, monkeypatch):  # type: ignore[no-untyped-def]
    FakeDNS(monkeypatch, {"qyapi.weixin.qq.com": [["127.0.0.1"]]})
    actions.create_channel(
        None,
        cast.dapuqiao,
        name="群",
        kind="wecom",
        target=f"https://qyapi.weixin.qq.com:{local.port}{KEY}",
        kinds=["bulletin"],
    )
    (row,) = _announce(cast)
    actions.send_due(now=T0)
    assert _given_up_at_once(row) == ("gave_up", 1, None, None, REFUSED)
    assert local.connections == 0


def test_it_connects_to_the_checked_address_and_checks_tls_for_the_name(
    cast, tls_robot, monkeypatch
):  # type: ignore[no-untyped-def]
    # The first lookup passes the check; a rebinding afterwards must not be looked up again.
    dns = FakeDNS(monkeypatch, {"qyapi.weixin.qq.com": [["127.0.0.1"], ["169.254.169.254"]]})
    actions.create_channel(
        None,
        cast.dapuqiao,
        name="群",
        kind="wecom",
        target=f"https://qyapi.weixin.qq.com:{tls_robot.port}{KEY}",
        kinds=["bulletin"],
    )
    (row,) = _announce(cast)
    actions.send_due(now=T0)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == ("sent", 1, 200, "")
    assert dns.lookups == ["qyapi.weixin.qq.com"]
    assert tls_robot.sni == ["qyapi.weixin.qq.com"]
    (request,) = tls_robot.requests
    assert request.host == f"qyapi.weixin.qq.com:{tls_robot.port}"
    assert request.path == "/cgi-bin/webhook/send"
    assert request.body == {"msgtype": "markdown", "markdown": {"content": "**日通报**\n正文"}}


def test_it_refuses_a_certificate_for_another_name_before_any_request(
    cast, tls_robot, monkeypatch, settings
):  # type: ignore[no-untyped-def]
    settings.JULI_WEBHOOK_ALLOWED_HOSTS = ["relay.example.gov.cn"]
    FakeDNS(monkeypatch, {"relay.example.gov.cn": [["127.0.0.1"]]})
    actions.create_channel(
        None,
        cast.dapuqiao,
        name="中转",
        kind="wecom",
        target=f"https://relay.example.gov.cn:{tls_robot.port}{KEY}",
        kinds=["bulletin"],
    )
    (row,) = _announce(cast)
    actions.send_due(now=T0)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == (
        "failed",
        1,
        None,
        TLS_FAILED,
    )
    assert tls_robot.sni == ["relay.example.gov.cn"]
    assert tls_robot.requests == []


# --- What the log says -------------------------------------------------------------------------


def test_it_follows_no_redirect_and_logs_errors_as_a_class(cast, robot):  # type: ignore[no-untyped-def]
    actions.create_channel(
        None,
        cast.dapuqiao,
        name="群",
        kind="wecom",
        target=robot.url(KEY),
        kinds=["bulletin"],
    )
    robot.answers = [(307, robot.url("/elsewhere")), (404, {"errcode": 404})]
    (row,) = _announce(cast)
    actions.send_due(now=T0)
    row.refresh_from_db()
    assert (row.status, row.last_status_code, row.last_error) == (
        "failed",
        307,
        "The robot answered with a redirect (HTTP 3xx), which is not followed.",
    )
    actions.send_due(now=T0 + MIN)
    row.refresh_from_db()
    assert (row.status, row.last_status_code, row.last_error) == (
        "failed",
        404,
        "The robot answered with an error: HTTP 4xx.",
    )
    assert [r.path for r in robot.requests] == ["/cgi-bin/webhook/send"] * 2


def test_it_logs_a_closed_port_as_a_failed_connection_only(client, cast, robot):  # type: ignore[no-untyped-def]
    actions.create_channel(
        None, cast.dapuqiao, name="群", kind="wecom", target=robot.url(KEY), kinds=["bulletin"]
    )
    robot.server.shutdown()
    robot.server.server_close()
    (row,) = _announce(cast)
    actions.send_due(now=T0)
    row.refresh_from_db()
    assert (row.status, row.last_status_code, row.last_error) == (
        "failed",
        None,
        CONNECTION_FAILED,
    )
    client.force_login(cast.street_officer)
    page = client.get(reverse("delivery-log", args=["area", cast.dapuqiao.pk])).content.decode()
    assert CONNECTION_FAILED in page
    assert "Errno" not in page and "refused" not in page and "URLError" not in page


def test_it_logs_a_robot_that_never_answers_as_a_timeout(cast, robot, monkeypatch):  # type: ignore[no-untyped-def]
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    held: list[socket.socket] = []
    accepting = threading.Thread(target=lambda: held.append(silent.accept()[0]), daemon=True)
    accepting.start()
    monkeypatch.setattr(senders, "TIMEOUT_SECONDS", 0.3)
    port = silent.getsockname()[1]
    actions.create_channel(
        None,
        cast.dapuqiao,
        name="群",
        kind="wecom",
        target=f"http://127.0.0.1:{port}{KEY}",
        kinds=["bulletin"],
    )
    (row,) = _announce(cast)
    actions.send_due(now=T0)
    row.refresh_from_db()
    assert (row.status, row.last_status_code, row.last_error) == ("failed", None, TIMED_OUT)
    accepting.join(1)
    for sock in [*held, silent]:
        sock.close()


def test_it_shows_only_the_class_after_the_test_button_on_a_refused_channel(  # type: ignore[no-untyped-def]
    client, cast, local, django_capture_on_commit_callbacks
):
    channel = _legacy_channel(cast, f"https://127.0.0.1:{local.port}{KEY}")
    client.force_login(cast.street_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("channel-test", args=[channel.pk]))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert REFUSED in page
    assert "Errno" not in page and "refused" not in page
    (row,) = Delivery.objects.all()
    assert (row.status, row.attempts, row.last_error) == ("gave_up", 1, REFUSED)
    assert local.connections == 0

"""Sending: the WeCom and DingTalk wire formats, signing, failures, back-off, at most once."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac

import pytest
from django.core import mail
from django.utils import timezone

from juli.core.models import AuditLog
from juli.notify import actions, senders, tasks
from juli.notify.models import Delivery, Notification

T0 = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)
MIN = datetime.timedelta(minutes=1)


def _channel(cast, robot, kind="wecom", path="/cgi-bin/webhook/send?key=abc123456789", **kw):  # type: ignore[no-untyped-def]
    data = {
        "name": f"{kind} robot",
        "kind": kind,
        "target": robot.url(path),
        "kinds": ["bulletin", "escalated", "dispatched"],
        "covers_subtree": True,
        **kw,
    }
    return actions.create_channel(None, kw.pop("scope", cast.dapuqiao), **data)


def _announce(cast, key="bulletin:1:published", **kw):  # type: ignore[no-untyped-def]
    return actions.notify(
        key,
        kind="bulletin",
        title="打浦桥街道 2026-11-20 日通报已发布",
        text="今日发现问题 12 件，已整改 9 件。",
        url="/bulletins/1/",
        area=kw.pop("area", cast.dapuqiao),
        now=T0,
        **kw,
    )


def test_it_posts_the_exact_wecom_markdown_body(cast, robot):  # type: ignore[no-untyped-def]
    channel = _channel(cast, robot)
    (row,) = _announce(cast)
    assert actions.send_due(now=T0) == 1
    (request,) = robot.requests
    assert request.path == "/cgi-bin/webhook/send"
    assert request.query == {"key": "abc123456789"}
    assert request.content_type == "application/json; charset=utf-8"
    assert request.body == {
        "msgtype": "markdown",
        "markdown": {
            "content": "**打浦桥街道 2026-11-20 日通报已发布**\n今日发现问题 12 件，已整改 9 件。"
            "\n\n[Open in Juli](https://juli.example.cn/bulletins/1/)"
        },
    }
    row.refresh_from_db()
    assert (row.channel, row.status, row.attempts, row.sent_at, row.last_status_code) == (
        channel,
        "sent",
        1,
        T0,
        200,
    )
    assert row.next_attempt_at is None
    assert row.payload == request.body
    audit = AuditLog.objects.get(verb="delivery.sent")
    assert audit.after is not None
    assert (audit.object_id, audit.actor, audit.after["attempts"]) == (str(row.pk), None, 1)


def test_it_signs_dingtalk_messages_with_the_secret(cast, robot):  # type: ignore[no-untyped-def]
    secret = "SEC0123456789abcdef"  # noqa: S105 - a test secret
    _channel(cast, robot, "dingtalk", "/robot/send?access_token=tok987654321", secret=secret)
    _announce(cast)
    actions.send_due(now=T0)
    (request,) = robot.requests
    timestamp = int(T0.timestamp() * 1000)
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert request.query == {
        "access_token": "tok987654321",
        "timestamp": str(timestamp),
        "sign": expected,
    }
    # The sign travels urlencoded (base64 has + / =): the raw query carries the escaped form.
    assert senders.dingtalk_sign(secret, timestamp) in request.raw_query
    assert request.body == {
        "msgtype": "markdown",
        "markdown": {
            "title": "打浦桥街道 2026-11-20 日通报已发布",
            "text": "#### 打浦桥街道 2026-11-20 日通报已发布\n\n今日发现问题 12 件，已整改 9 件。"
            "\n\n[Open in Juli](https://juli.example.cn/bulletins/1/)",
        },
    }


def test_it_leaves_dingtalk_unsigned_without_a_secret(cast, robot):  # type: ignore[no-untyped-def]
    _channel(cast, robot, "dingtalk", "/robot/send?access_token=tok987654321")
    _announce(cast)
    actions.send_due(now=T0)
    assert robot.requests[0].query == {"access_token": "tok987654321"}


def test_it_retries_with_back_off_and_sends_once_after_the_third_attempt(cast, robot):  # type: ignore[no-untyped-def]
    _channel(cast, robot)
    robot.answers = [
        (200, {"errcode": 93000, "errmsg": "invalid webhook url"}),
        (500, {"errcode": -1}),
    ]
    (row,) = _announce(cast)
    assert actions.send_due(now=T0) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code) == ("failed", 1, 200)
    assert row.last_error == "errcode 93000: invalid webhook url"
    assert row.next_attempt_at == T0 + MIN
    # Not due before the back-off has passed: nothing is sent.
    assert actions.send_due(now=T0 + 30 * datetime.timedelta(seconds=1)) == 0
    assert len(robot.requests) == 1
    assert actions.send_due(now=T0 + MIN) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == (
        "failed",
        2,
        500,
        "The robot answered with an error: HTTP 5xx.",
    )
    assert row.next_attempt_at == T0 + MIN + 5 * MIN
    assert actions.send_due(now=T0 + 6 * MIN) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at, row.last_error) == ("sent", 3, T0 + 6 * MIN, "")
    assert actions.send_due(now=T0 + 600 * MIN) == 0  # and never again
    assert tasks.retry_deliveries.call() == 0
    assert len(robot.requests) == 3
    assert AuditLog.objects.filter(verb="delivery.sent").count() == 1


def test_it_gives_up_after_the_configured_attempts(cast, robot, settings):  # type: ignore[no-untyped-def]
    settings.JULI_NOTIFY_MAX_ATTEMPTS = 3
    _channel(cast, robot)
    robot.answers = [(200, {"errcode": 1, "errmsg": "busy"})] * 5
    (row,) = _announce(cast)
    when = T0
    for wait in (0, 1, 5):
        when += wait * MIN
        assert actions.send_due(now=when) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == ("gave_up", 3, None)
    assert actions.send_due(now=when + 1000 * MIN) == 0
    assert len(robot.requests) == 3
    audit = AuditLog.objects.get(verb="delivery.gave_up")
    assert audit.after == {
        "attempts": 3,
        "event": "bulletin:1:published",
        "error": "errcode 1: busy",
    }


def test_it_records_refused_redirects_and_bad_answers(cast, robot):  # type: ignore[no-untyped-def]
    _channel(cast, robot)
    robot.answers = [(302, "https://elsewhere.example/"), (200, "<html>not json</html>")]
    (row,) = _announce(cast)
    actions.send_due(now=T0)
    row.refresh_from_db()
    assert (row.status, row.last_status_code, row.last_error) == (
        "failed",
        302,
        "The robot answered with a redirect (HTTP 3xx), which is not followed.",
    )
    actions.send_due(now=T0 + MIN)
    row.refresh_from_db()
    assert (row.status, row.last_error) == ("failed", "The robot did not answer in JSON.")
    assert len(robot.requests) == 2  # the redirect was not followed


def test_it_records_an_unreachable_robot(cast, robot):  # type: ignore[no-untyped-def]
    channel = _channel(cast, robot)
    robot.server.shutdown()
    robot.server.server_close()
    (row,) = _announce(cast)
    actions.send_due(now=T0)
    row.refresh_from_db()
    assert row.status == "failed"
    assert row.last_error == "Connection failed."  # never the socket's own words
    assert row.last_status_code is None
    assert channel.deliveries.count() == 1


def test_two_workers_never_both_send_one_delivery(cast, robot, monkeypatch):  # type: ignore[no-untyped-def]
    _channel(cast, robot)
    (row,) = _announce(cast)
    real_send = senders.send
    inner: list[Delivery | None] = []

    def racing_send(channel, payload, now):  # type: ignore[no-untyped-def]
        # A second worker picks the same row while the first is mid-request.
        inner.append(actions.send_delivery(row.pk, now=now))
        inner.append(actions.send_delivery(row.pk, now=now + MIN))
        assert actions.send_due(now=now + MIN) == 0  # in flight: leased, not due
        return real_send(channel, payload, now)

    monkeypatch.setattr(senders, "send", racing_send)
    actions.send_delivery(row.pk, now=T0)
    assert len(robot.requests) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)
    assert [(r.status, r.attempts) for r in inner if r] == [("pending", 1), ("pending", 1)]


def test_a_crashed_attempt_comes_due_again_after_the_lease(cast, robot, monkeypatch):  # type: ignore[no-untyped-def]
    _channel(cast, robot)
    (row,) = _announce(cast)

    def crash(*args):  # type: ignore[no-untyped-def]
        raise SystemExit("worker killed")

    monkeypatch.setattr(senders, "send", crash)
    with pytest.raises(SystemExit):
        actions.send_delivery(row.pk, now=T0)
    monkeypatch.undo()
    assert actions.send_due(now=T0 + MIN) == 0
    assert actions.send_due(now=T0 + actions.LEASE) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(robot.requests) == 1


def test_the_task_sends_on_commit(cast, robot, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    _channel(cast, robot)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        (row,) = actions.notify(
            "bulletin:2:published", kind="bulletin", title="通报", text="", area=cast.mengxi
        )
    assert len(callbacks) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)
    assert robot.requests[0].body == {"msgtype": "markdown", "markdown": {"content": "**通报**"}}
    assert tasks.deliver.call(row.pk) == "sent"
    assert len(robot.requests) == 1


def test_it_sends_email_through_the_mail_backend(cast, robot):  # type: ignore[no-untyped-def]
    actions.create_channel(
        None,
        cast.dapuqiao,
        name="街道办公室邮箱",
        kind="email",
        target="office@dpq.example.cn, chief@dpq.example.cn",
        kinds=["bulletin"],
        covers_subtree=True,
    )
    (row,) = _announce(cast)
    actions.send_due(now=T0)
    (message,) = mail.outbox
    assert message.to == ["office@dpq.example.cn", "chief@dpq.example.cn"]
    assert message.subject == "打浦桥街道 2026-11-20 日通报已发布"
    assert (
        message.body == "今日发现问题 12 件，已整改 9 件。\n\nhttps://juli.example.cn/bulletins/1/"
    )
    row.refresh_from_db()
    assert (row.status, row.last_status_code) == ("sent", None)


def test_it_records_a_failing_mail_server(cast, robot, monkeypatch):  # type: ignore[no-untyped-def]
    actions.create_channel(
        None, cast.dapuqiao, name="邮箱", kind="email", target="a@b.cn", kinds=["bulletin"]
    )

    def refuse(self, *args):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    (row,) = _announce(cast)
    actions.send_due(now=T0)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error == "ConnectionRefusedError: [Errno 111] Connection refused"


def test_a_deactivated_channel_gives_up_its_queued_deliveries(cast, robot):  # type: ignore[no-untyped-def]
    channel = _channel(cast, robot)
    (row,) = _announce(cast)
    actions.set_channel_active(None, channel, False)
    actions.send_due(now=T0)
    row.refresh_from_db()
    assert row.last_error == "The channel was deactivated."
    assert robot.requests == []
    assert _announce(cast, key="bulletin:9:published") == []


def test_a_test_message_goes_through_the_same_path(cast, robot):  # type: ignore[no-untyped-def]
    channel = _channel(cast, robot)
    row = actions.send_test(cast.street_officer, channel, now=T0)
    assert row.event_key.startswith(f"test:{channel.pk}:")
    actions.send_due(now=T0)
    (request,) = robot.requests
    assert request.body["markdown"]["content"] == (
        "**Test message from Juli**\nstreet_officer sent this test to the channel "
        "“wecom robot” at 2026-11-20 17:00."
    )
    row.refresh_from_db()
    assert row.status == "sent"
    assert not Notification.objects.exists()


def test_the_scheduled_task_takes_no_arguments_and_sends_what_is_due(cast, robot):  # type: ignore[no-untyped-def]
    _channel(cast, robot)
    actions.notify(
        "bulletin:3:published",
        kind="bulletin",
        title="通报",
        text="",
        area=cast.dapuqiao,
        now=timezone.now() - MIN,
    )
    assert tasks.retry_deliveries.call() == 1
    assert tasks.retry_deliveries.call() == 0
    assert len(robot.requests) == 1


def test_typed_markdown_stays_text_in_robot_messages_and_subjects_stay_one_line():
    title = "[点我](http://evil.example) **急**\r\n<b>标题</b>"
    wecom = senders.build_payload("wecom", title=title, text="# 大标题 `x`", url="")
    content = wecom["markdown"]["content"]
    assert (
        content
        == "**［点我］（http://evil.example） ＊＊急＊＊\r\n＜b＞标题＜/b＞**\n＃ 大标题 ｀x｀"
    )
    ding = senders.build_payload("dingtalk", title=title, text="", url="")
    assert "[点我](" not in ding["markdown"]["text"] and "［点我］" in ding["markdown"]["title"]
    email = senders.build_payload("email", title=title, text="正文", url="")
    assert email["subject"] == "[点我](http://evil.example) **急** <b>标题</b>"

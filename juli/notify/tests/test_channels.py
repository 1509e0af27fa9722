"""The channel pages: who may see and change them, forms and their errors, audit rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from juli.core.models import AuditLog
from juli.notify import actions
from juli.notify.models import Channel, Delivery

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DING = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123456789abcdef"
SECRET = "SECd2d7f3b9a8e4c1f0e5d6c7b8a9f0e1d2"  # noqa: S105 - a test secret


@pytest.fixture
def street_channel(cast):  # type: ignore[no-untyped-def]
    return actions.create_channel(
        None,
        cast.dapuqiao,
        name="打浦桥街道工作群",
        kind="dingtalk",
        target=DING,
        secret=SECRET,
        kinds=["bulletin", "escalated"],
        covers_subtree=True,
    )


@pytest.fixture
def branch_channel(cast):  # type: ignore[no-untyped-def]
    return actions.create_channel(
        None,
        cast.branch1,
        name="一支部邮箱",
        kind="email",
        target="b1@pt.example.cn",
        kinds=["ranking"],
    )


AREA_MATRIX = [
    ("street_officer", 200),
    ("district_admin", 200),
    ("platform_admin", 200),
    ("inspector", 404),
    ("grid_worker", 404),
    ("unit_staff", 404),
    ("branch_secretary", 404),
    ("outsider", 404),
]
ORG_MATRIX = [
    ("branch_secretary", 200),
    ("bureau_secretary", 200),
    ("platform_admin", 200),
    ("sibling_secretary", 404),
    ("street_officer", 404),
    ("outsider", 404),
]


def _pages(kind, pk, channel):  # type: ignore[no-untyped-def]
    return [
        reverse("channel-list", args=[kind, pk]),
        reverse("channel-new", args=[kind, pk]),
        reverse("delivery-log", args=[kind, pk]),
        reverse("channel-edit", args=[channel.pk]),
    ]


def test_anonymous_users_are_sent_to_sign_in(client, cast, street_channel):  # type: ignore[no-untyped-def]
    for url in [reverse("channel-home"), *_pages("area", cast.dapuqiao.pk, street_channel)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert client.post(reverse("channel-test", args=[street_channel.pk])).status_code == 302
    assert not Delivery.objects.exists()


@pytest.mark.parametrize(("who", "status"), AREA_MATRIX)
def test_area_channel_pages_are_for_managers_of_the_area(client, cast, street_channel, who, status):  # type: ignore[no-untyped-def]
    client.force_login(getattr(cast, who))
    for url in _pages("area", cast.dapuqiao.pk, street_channel):
        assert client.get(url).status_code == status, url


@pytest.mark.parametrize(("who", "status"), ORG_MATRIX)
def test_org_channel_pages_are_for_managers_of_the_org(client, cast, branch_channel, who, status):  # type: ignore[no-untyped-def]
    client.force_login(getattr(cast, who))
    for url in _pages("org", cast.branch1.pk, branch_channel):
        assert client.get(url).status_code == status, url


def test_a_child_cannot_manage_the_parents_channels(client, cast):  # type: ignore[no-untyped-def]
    client.force_login(cast.street_officer)
    assert client.get(reverse("channel-list", args=["area", cast.huangpu.pk])).status_code == 404
    assert client.get(reverse("channel-list", args=["area", cast.huaihai.pk])).status_code == 404
    assert client.get(reverse("channel-list", args=["planet", cast.huaihai.pk])).status_code == 404
    assert client.get(reverse("channel-list", args=["area", 999999])).status_code == 404


@pytest.mark.parametrize("who", ["outsider", "inspector", "grid_worker", "sibling_secretary"])
def test_refused_writes_change_nothing_and_record_nothing(client, cast, street_channel, who):  # type: ignore[no-untyped-def]
    client.force_login(getattr(cast, who))
    before = AuditLog.objects.count()
    pk = street_channel.pk
    assert client.post(reverse("channel-test", args=[pk])).status_code == 404
    assert client.post(reverse("channel-active", args=[pk]), {"active": "0"}).status_code == 404
    assert client.post(reverse("channel-edit", args=[pk]), {"name": "x"}).status_code == 404
    response = client.post(
        reverse("channel-new", args=["area", cast.dapuqiao.pk]),
        {"name": "x", "kind": "email", "target": "a@b.cn", "kinds": ["bulletin"]},
    )
    assert response.status_code == 404
    street_channel.refresh_from_db()
    assert (street_channel.name, street_channel.is_active) == ("打浦桥街道工作群", True)
    assert Channel.objects.count() == 1
    assert not Delivery.objects.exists()
    assert AuditLog.objects.count() == before


def test_a_manager_adds_a_channel_and_the_audit_masks_the_secret(client, cast):  # type: ignore[no-untyped-def]
    client.force_login(cast.street_officer)
    response = client.post(
        reverse("channel-new", args=["area", cast.dapuqiao.pk]),
        {
            "name": "街道钉钉群",
            "kind": "dingtalk",
            "target": f"  {DING} ",
            "secret": SECRET,
            "kinds": ["bulletin", "dispatched"],
            "covers_subtree": "on",
        },
    )
    assert response.status_code == 302
    channel = Channel.objects.get()
    assert response["Location"] == reverse("channel-list", args=["area", cast.dapuqiao.pk])
    assert (channel.area, channel.target, channel.secret, channel.kinds) == (
        cast.dapuqiao,
        DING,
        SECRET,
        ["dispatched", "bulletin"],
    )
    row = AuditLog.objects.get(verb="channel.create")
    assert (row.actor, row.scope_kind, row.scope_path) == (
        cast.street_officer,
        "area",
        cast.dapuqiao.path,
    )
    assert row.after is not None
    assert row.after["secret"] == "SEC…d2"
    assert row.after["target"] == ("https://oapi.dingtalk.com/robot/send?access_token=0123…cdef")
    assert SECRET not in str(row.after) and "0123456789abcdef0123" not in str(row.after)
    page = client.get(reverse("channel-list", args=["area", cast.dapuqiao.pk])).content.decode()
    assert "街道钉钉群" in page and "SEC…d2" in page
    assert SECRET not in page and "0123456789abcdef0123" not in page


def test_editing_keeps_the_secret_unless_replaced_or_removed(client, cast, street_channel):  # type: ignore[no-untyped-def]
    client.force_login(cast.district_admin)
    url = reverse("channel-edit", args=[street_channel.pk])
    page = client.get(url).content.decode()
    assert SECRET not in page and "SEC…d2" in page
    assert "0123456789abcdef0123" not in page  # the URL's token is masked in the form too
    masked = "https://oapi.dingtalk.com/robot/send?access_token=0123…cdef"
    assert masked in page
    data = {
        "name": "改名",
        "kind": "dingtalk",
        "target": masked,
        "kinds": ["bulletin", "escalated"],
    }
    assert client.post(url, {**data, "covers_subtree": "on"}).status_code == 302
    street_channel.refresh_from_db()
    assert (street_channel.name, street_channel.secret, street_channel.target) == (
        "改名",
        SECRET,
        DING,
    )
    row = AuditLog.objects.get(verb="channel.update")
    assert (row.before, row.after) == ({"name": "打浦桥街道工作群"}, {"name": "改名"})
    client.post(url, {**data, "covers_subtree": "on", "clear_secret": "on"})
    street_channel.refresh_from_db()
    assert street_channel.secret == ""
    row = AuditLog.objects.filter(verb="channel.update").latest("pk")
    assert (row.before, row.after) == ({"secret": "SEC…d2"}, {"secret": ""})
    client.post(url, {**data, "covers_subtree": "on"})  # nothing changed: nothing recorded
    assert AuditLog.objects.filter(verb="channel.update").count() == 2


@pytest.mark.parametrize(
    ("kind", "target", "error"),
    [
        (
            "wecom",
            "ftp://qyapi.weixin.qq.com/send?key=1",
            "The robot&#x27;s address must start with https://.",
        ),
        (
            "dingtalk",
            "http://oapi.dingtalk.com/robot/send?access_token=1",
            "The robot&#x27;s address must start with https://.",
        ),
        ("wecom", "http://127.0.0.1:9/send", "The robot&#x27;s address must start with https://."),
        ("wecom", "https://user:pw@qyapi.weixin.qq.com/send", "Enter a valid web address."),
        (
            "email",
            "office@dpq.cn, not-an-address，boss@",
            "Not valid e-mail addresses: not-an-address, boss@",
        ),
        ("email", " , ", "Enter at least one e-mail address."),
    ],
)
def test_bad_targets_get_clear_errors_and_keep_the_input(client, cast, kind, target, error):  # type: ignore[no-untyped-def]
    client.force_login(cast.street_officer)
    response = client.post(
        reverse("channel-new", args=["area", cast.dapuqiao.pk]),
        {"name": "群", "kind": kind, "target": target, "kinds": ["bulletin"]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert error in html
    assert response.context["form"]["target"].value() == target
    assert not Channel.objects.exists()
    assert not AuditLog.objects.filter(verb__startswith="channel.").exists()


def test_plain_http_is_allowed_only_to_configured_hosts(client, cast, settings):  # type: ignore[no-untyped-def]
    settings.JULI_WEBHOOK_ALLOW_HTTP_HOSTS = ["127.0.0.1"]
    client.force_login(cast.street_officer)
    response = client.post(
        reverse("channel-new", args=["area", cast.dapuqiao.pk]),
        {
            "name": "测试",
            "kind": "wecom",
            "target": "http://127.0.0.1:9/send",
            "kinds": ["bulletin"],
        },
    )
    assert response.status_code == 302
    assert Channel.objects.get().target == "http://127.0.0.1:9/send"


def test_a_channel_needs_events_and_a_name(client, cast):  # type: ignore[no-untyped-def]
    client.force_login(cast.street_officer)
    response = client.post(
        reverse("channel-new", args=["area", cast.dapuqiao.pk]),
        {"name": "", "kind": "email", "target": "a@b.cn"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "kinds"}
    assert "Choose at least one kind of event." in response.content.decode()
    assert not Channel.objects.exists()


def test_deactivating_is_audited_once(client, cast, street_channel):  # type: ignore[no-untyped-def]
    client.force_login(cast.street_officer)
    url = reverse("channel-active", args=[street_channel.pk])
    for _ in range(2):
        assert client.post(url, {"active": "0"}).status_code == 302
    street_channel.refresh_from_db()
    assert street_channel.is_active is False
    assert AuditLog.objects.filter(verb="channel.deactivate").count() == 1
    client.post(url, {"active": "1"})
    street_channel.refresh_from_db()
    assert street_channel.is_active is True
    assert AuditLog.objects.filter(verb="channel.activate").count() == 1


def test_the_test_button_queues_a_delivery_shown_in_the_log(
    client, cast, street_channel, monkeypatch
):  # type: ignore[no-untyped-def]
    from juli.notify import senders

    monkeypatch.setattr(senders, "send", lambda *a: 200)
    client.force_login(cast.street_officer)
    response = client.post(reverse("channel-test", args=[street_channel.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "A test message was queued: its result shows in the delivery log below."
    ]
    (row,) = Delivery.objects.all()
    assert (row.channel, row.kind) == (street_channel, "test")
    assert AuditLog.objects.get(verb="channel.test").after == {"delivery": row.pk}
    log = client.get(reverse("delivery-log", args=["area", cast.dapuqiao.pk]))
    assert [d.pk for d in log.context["rows"]] == [row.pk]


def test_the_home_page_lists_only_managed_channels(client, cast, street_channel, branch_channel):  # type: ignore[no-untyped-def]
    client.force_login(cast.street_officer)
    response = client.get(reverse("channel-home"))
    assert [c.pk for c in response.context["channels"]] == [street_channel.pk]
    assert [a.pk for a in response.context["areas"]] == [cast.dapuqiao.pk]
    client.force_login(cast.branch_secretary)
    response = client.get(reverse("channel-home"))
    assert [c.pk for c in response.context["channels"]] == [branch_channel.pk]
    client.force_login(cast.outsider)
    response = client.get(reverse("channel-home"))
    assert response.status_code == 200
    assert response.context["channels"] == []
    assert "You manage no notification channels." in response.content.decode()


def _deliveries(channel, n):  # type: ignore[no-untyped-def]
    Delivery.objects.bulk_create(
        [
            Delivery(
                channel=channel, event_key=f"e:{channel.pk}:{i}", kind="bulletin", title=f"通报{i}"
            )
            for i in range(n)
        ]
    )


@pytest.mark.parametrize("n", [2, 30])
def test_the_list_and_the_log_take_a_fixed_number_of_queries(
    client, cast, street_channel, n, django_assert_num_queries
):  # type: ignore[no-untyped-def]
    for i in range(3):
        actions.create_channel(
            None, cast.dapuqiao, name=f"邮箱{i}", kind="email", target="a@b.cn", kinds=["bulletin"]
        )
    _deliveries(street_channel, n)
    client.force_login(cast.street_officer)
    client.get(reverse("channel-list", args=["area", cast.dapuqiao.pk]))  # warm the session
    with django_assert_num_queries(8):  # the person and membership come joined to the user
        client.get(reverse("channel-list", args=["area", cast.dapuqiao.pk]))
    with django_assert_num_queries(8):
        response = client.get(reverse("delivery-log", args=["area", cast.dapuqiao.pk]))
    assert len(response.context["rows"]) == n

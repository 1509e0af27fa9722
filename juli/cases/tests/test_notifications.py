"""Notifications in Juli: the bell, the list, marking read (督办 and dispatch notices)."""

from __future__ import annotations

import datetime

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from juli.cases import actions
from juli.cases.models import Case
from juli.core.models import AuditLog
from juli.notify import actions as notify_actions
from juli.notify.models import Delivery, Notification

from .conftest import new_case


def _dispatched(world, title="楼道堆物"):  # type: ignore[no-untyped-def]
    c = world.c
    case = actions.accept_case(c.street_officer, new_case(world, title=title))
    return actions.dispatch_case(c.street_officer, case, unit=c.property_co)


@pytest.fixture
def notified(world):  # type: ignore[no-untyped-def]
    """A dispatched case (unit_staff told), then escalated (unit_staff and street_officer told)."""
    case = _dispatched(world)
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - datetime.timedelta(hours=1))
    actions.escalate_overdue(timezone.now() + datetime.timedelta(minutes=1))
    return case


def test_it_sends_anonymous_users_to_sign_in(client):
    response = client.get(reverse("notifications"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('notifications')}"
    assert client.post(reverse("notifications-read-all")).status_code == 302


def test_it_lists_only_the_users_own_notifications_newest_first(client, world, notified):
    c = world.c
    client.force_login(c.unit_staff)
    rows = client.get(reverse("notifications")).context["rows"]
    assert [(n.kind, n.url) for n in rows] == [
        ("escalated", reverse("field-case", args=[notified.pk])),
        ("dispatched", reverse("field-case", args=[notified.pk])),
    ]
    client.force_login(c.street_officer)
    rows = client.get(reverse("notifications")).context["rows"]
    assert [(n.kind, n.url) for n in rows] == [
        ("escalated", reverse("case-detail", args=[notified.pk])),
        ("reported", reverse("case-detail", args=[notified.pk])),  # to accept (issue 14)
    ]
    client.force_login(c.outsider)
    response = client.get(reverse("notifications"))
    assert response.context["rows"] == []
    assert "No notifications." in response.content.decode()


def test_it_marks_one_notification_read_and_audits_it(client, world, notified):
    c = world.c
    note = Notification.objects.get(recipient=c.unit_staff, kind="dispatched")
    client.force_login(c.unit_staff)
    response = client.post(reverse("notification-read", args=[note.pk]))
    assert response["Location"] == f"{reverse('notifications')}#notification-{note.pk}"
    note.refresh_from_db()
    assert note.read_at is not None
    row = AuditLog.objects.get(verb="notification.read")
    assert (row.actor, row.object_id, row.scope_kind, row.scope_path) == (
        c.unit_staff,
        str(note.pk),
        "area",
        notified.area_path,
    )
    assert row.before == {"read_at": None}
    client.post(reverse("notification-read", args=[note.pk]))  # again: nothing more
    assert AuditLog.objects.filter(verb="notification.read").count() == 1


@pytest.mark.parametrize("who", ["street_officer", "outsider", "grid_worker"])
def test_it_refuses_to_mark_someone_elses_notification(client, world, notified, who):
    note = Notification.objects.get(recipient=world.c.unit_staff, kind="dispatched")
    client.force_login(getattr(world.c, who))
    assert client.post(reverse("notification-read", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None
    assert not AuditLog.objects.filter(verb__startswith="notification.").exists()
    with pytest.raises(Http404):
        notify_actions.mark_read(getattr(world.c, who), note)


def test_it_marks_all_read_once(client, world, notified):
    c = world.c
    mine = list(
        Notification.objects.filter(recipient=c.unit_staff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    client.force_login(c.unit_staff)
    response = client.post(reverse("notifications-read-all"), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["2 notifications marked read."]
    assert not Notification.objects.filter(recipient=c.unit_staff, read_at__isnull=True).exists()
    assert Notification.objects.get(recipient=c.street_officer, kind="escalated").read_at is None
    row = AuditLog.objects.get(verb="notification.read_all")
    assert row.after is not None
    assert (row.actor, row.after["notifications"]) == (c.unit_staff, mine)
    assert notify_actions.mark_all_read(c.unit_staff) == 0
    assert AuditLog.objects.filter(verb="notification.read_all").count() == 1


def test_it_shows_the_unread_count_in_the_bell(client, world, notified):
    c = world.c
    client.force_login(c.unit_staff)
    html = client.get(reverse("home")).content.decode()
    assert '<span class="bell-count">2</span>' in html
    assert 'aria-label="2 unread notifications"' in html
    first = Notification.objects.filter(recipient=c.unit_staff).first()
    assert first is not None
    notify_actions.mark_read(c.unit_staff, first)
    html = client.get(reverse("home")).content.decode()
    assert '<span class="bell-count">1</span>' in html
    client.force_login(c.outsider)
    html = client.get(reverse("home")).content.decode()
    assert 'class="bell"' in html and "bell-count" not in html


def test_it_links_the_daily_plan_only_for_planners(client, world):
    client.force_login(world.c.street_officer)
    assert f'href="{reverse("plan")}"' in client.get(reverse("home")).content.decode()
    client.force_login(world.c.branch_secretary)
    assert f'href="{reverse("plan")}"' not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("n", [3, 30])
def test_it_lists_notifications_in_a_fixed_number_of_queries(
    client, world, n, django_assert_num_queries
):
    for i in range(n):
        _dispatched(world, title=f"问题{i}")
    assert Notification.objects.filter(recipient=world.c.unit_staff).count() == n
    client.force_login(world.c.unit_staff)
    # Session; the user with their person and party organisation (one join); posts; the
    # page; the bell's count (no session save: written at sign-in, within
    # SessionIdleMiddleware's interval).
    with django_assert_num_queries(5):
        response = client.get(reverse("notifications"))
    assert len(response.context["rows"]) == n


def test_it_pages_older_notifications(client, world):
    for i in range(52):
        _dispatched(world, title=f"问题{i}")
    client.force_login(world.c.unit_staff)
    first = client.get(reverse("notifications")).context
    assert len(first["rows"]) == 50 and first["older"] == first["rows"][-1].pk
    second = client.get(reverse("notifications"), {"before": first["older"]}).context
    assert len(second["rows"]) == 2 and second["older"] is None
    seen = {n.pk for n in first["rows"]} | {n.pk for n in second["rows"]}
    assert seen == set(
        Notification.objects.filter(recipient=world.c.unit_staff).values_list("pk", flat=True)
    )


# --- Events other than case steps (juli.notify) -----------------------------------------------


def test_it_lists_and_marks_read_a_notification_without_a_case(client, world, notified):
    from juli.notify.actions import notify

    c = world.c
    notify(
        "bulletin:9:published",
        kind="bulletin",
        title="打浦桥街道 11月20日 日通报已发布",
        text="",
        url="/bulletins/9/",
        users=[c.street_officer],
    )
    client.force_login(c.street_officer)
    response = client.get(reverse("notifications"))
    rows = response.context["rows"]
    # The escalation is stamped a minute ahead (the fixture's clock), so it sorts first.
    assert [(n.kind, n.url, n.case_id) for n in rows] == [
        ("escalated", reverse("case-detail", args=[notified.pk]), notified.pk),
        ("bulletin", "/bulletins/9/", None),
        ("reported", reverse("case-detail", args=[notified.pk]), notified.pk),
    ]
    html = response.content.decode()
    assert '<a href="/bulletins/9/">打浦桥街道 11月20日 日通报已发布</a>' in html
    assert "Bulletin published" in html
    assert '<span class="bell-count">3</span>' in html
    note = rows[1]
    client.post(reverse("notification-read", args=[note.pk]))
    note.refresh_from_db()
    assert note.read_at is not None
    row = AuditLog.objects.get(verb="notification.read")
    assert (row.object_id, row.scope_kind, row.scope_path) == (
        str(note.pk),
        "area",
        c.dapuqiao.path,
    )


def test_it_tells_each_user_once_per_event(world):
    from django.db import IntegrityError, transaction

    from juli.notify.actions import notify

    c = world.c
    for _ in range(2):
        notify(
            "ranking:3:published", kind="ranking", title="周排名", text="", users=[c.district_admin]
        )
    assert Notification.objects.filter(event_key="ranking:3:published").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            recipient=c.district_admin, kind="ranking", text="x", event_key="ranking:3:published"
        )
    # Rows without an event key (older ones) are not constrained.
    Notification.objects.create(recipient=c.district_admin, kind="ranking", text="a")
    Notification.objects.create(recipient=c.district_admin, kind="ranking", text="b")


def test_case_steps_carry_an_event_key(world, notified):
    keys = list(
        Notification.objects.filter(recipient=world.c.unit_staff)
        .order_by("pk")
        .values_list("kind", "event_key")
    )
    assert [k for k, _ in keys] == ["dispatched", "escalated"]
    assert all(key.startswith(f"case:{notified.pk}:{kind}:") for kind, key in keys)


def test_case_steps_reach_the_channels_of_the_case_area_and_unit(world):  # type: ignore[no-untyped-def]
    c = world.c

    def channel(scope, name, kinds):  # type: ignore[no-untyped-def]
        return notify_actions.create_channel(
            None,
            scope,
            name=name,
            kind="email",
            target="office@example.cn",
            kinds=list(kinds),
            covers_subtree=True,
        )

    street = channel(c.dapuqiao, "街道群", ("dispatched", "escalated"))
    unit = channel(c.property_co, "物业群", ("dispatched", "sent_back"))
    channel(c.huaihai, "隔壁", ("dispatched",))
    case = actions.accept_case(c.street_officer, new_case(world, title="楼道堆物"))
    case = actions.dispatch_case(c.street_officer, case, unit=c.property_co)
    deliveries = Delivery.objects.order_by("channel_id")
    assert [(d.channel, d.kind) for d in deliveries] == [
        (street, "dispatched"),
        (unit, "dispatched"),
    ]
    key = deliveries[0].event_key
    assert key.startswith(f"case:{case.pk}:dispatched:")
    assert deliveries[1].event_key == key
    content = deliveries[0].payload["body"]
    assert f"- Case: {case.number} · 楼道堆物" in content
    assert "- Responsible unit: 蒙西物业公司" in content
    note = Notification.objects.get(kind="dispatched")
    assert (note.recipient, note.event_key, note.url, note.case) == (c.unit_staff, key, "", case)

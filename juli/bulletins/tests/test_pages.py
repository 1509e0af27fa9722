"""The bulletin pages: who sees what (the matrix), the figures' links, notes over htmx,
publishing with its refusal, generating for a date, settings, and query counts."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from django.utils import timezone

from juli.bulletins import actions
from juli.bulletins.models import Bulletin, BulletinSettings
from juli.core.models import AuditLog

from .conftest import D

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture
def bulletins(cast):  # type: ignore[no-untyped-def]
    return {
        name: actions.ensure_bulletin(getattr(cast, name), YESTERDAY)[0]
        for name in ("huangpu", "dapuqiao", "huaihai")
    }


def _user(cast, committee_secretary, who):  # type: ignore[no-untyped-def]
    return committee_secretary if who == "committee_secretary" else getattr(cast, who)


# who → bulletins they read (by area), may they write Dapuqiao's, may they configure Huangpu
MATRIX = {
    "outsider": (set(), False, False),
    "grid_worker": (set(), False, False),
    "inspector": (set(), False, False),
    "unit_staff": (set(), False, False),
    "branch_secretary": (set(), False, False),
    "committee_secretary": ({"dapuqiao"}, False, False),
    "street_officer": ({"dapuqiao"}, True, False),
    "district_admin": ({"huangpu", "dapuqiao", "huaihai"}, True, True),
    "platform_admin": ({"huangpu", "dapuqiao", "huaihai"}, True, True),
}
OFFICE = {
    "branch_secretary",
    "committee_secretary",
    "street_officer",
    "district_admin",
    "platform_admin",
}


@pytest.mark.parametrize("who", sorted(MATRIX))
def test_the_read_pages_follow_the_scope(client, cast, committee_secretary, bulletins, who):
    reads, _writes, configures = MATRIX[who]
    client.force_login(_user(cast, committee_secretary, who))
    listing = client.get(reverse("bulletin-list"))
    assert listing.status_code == (200 if who in OFFICE else 404)
    for name, bulletin in bulletins.items():
        expected = 200 if name in reads else 404
        for url_name in ("bulletin-detail", "bulletin-pdf", "bulletin-xlsx"):
            assert client.get(reverse(url_name, args=[bulletin.pk])).status_code == expected, (
                url_name,
                name,
            )
        cases = reverse("bulletin-cases", args=[bulletin.pk, "overdue"])
        assert client.get(cases).status_code == expected
        by_area = client.get(reverse("bulletin-list"), {"area": bulletin.area_id})
        assert by_area.status_code == expected
    settings_page = client.get(reverse("bulletin-settings"))
    assert settings_page.status_code == (200 if configures else 404)


@pytest.mark.parametrize("who", sorted(MATRIX))
def test_the_write_pages_follow_the_scope(client, cast, committee_secretary, bulletins, who):
    reads, writes, configures = MATRIX[who]
    client.force_login(_user(cast, committee_secretary, who))
    target = bulletins["dapuqiao"]
    audits = AuditLog.objects.count()
    refused = 404 if "dapuqiao" not in reads else 403
    notes = client.post(reverse("bulletin-notes", args=[target.pk]), {"notes": "说明"})
    assert notes.status_code == (302 if writes else refused)
    generate = client.post(
        reverse("bulletin-generate"), {"area": target.area_id, "date": YESTERDAY.isoformat()}
    )
    assert generate.status_code == (302 if writes else refused)
    publish = client.post(reverse("bulletin-publish", args=[target.pk]))
    assert publish.status_code == (302 if writes else refused)
    target.refresh_from_db()
    if writes:
        assert (target.status, target.notes) == ("published", "说明")
    else:
        assert (target.status, target.notes) == ("draft", "")
        assert AuditLog.objects.count() == audits
    saved = client.post(
        reverse("bulletin-settings"),
        {"district": cast.huangpu.pk, "generation_hour": 7, "worst_points": 4},
    )
    assert saved.status_code == (302 if configures else 404)
    assert BulletinSettings.objects.exists() == configures


def test_anonymous_users_are_sent_to_sign_in(client, bulletins):
    pk = bulletins["dapuqiao"].pk
    for url in (
        reverse("bulletin-list"),
        reverse("bulletin-detail", args=[pk]),
        reverse("bulletin-pdf", args=[pk]),
        reverse("bulletin-xlsx", args=[pk]),
        reverse("bulletin-settings"),
        reverse("bulletin-cases", args=[pk, "closed"]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"] or "login" in response["Location"]
    assert client.post(reverse("bulletin-publish", args=[pk])).status_code == 302
    assert Bulletin.objects.get(pk=pk).status == "draft"


def test_unknown_and_huge_ids_are_404(client, cast, bulletins):
    client.force_login(cast.district_admin)
    for pk in (999999, 2**63, 2**70):
        assert client.get(f"/bulletins/{pk}/").status_code == 404
    assert client.get(reverse("bulletin-list"), {"area": "abc"}).status_code == 404
    assert client.get(reverse("bulletin-list"), {"area": cast.mengxi.pk}).status_code == 404
    pk = bulletins["dapuqiao"].pk
    assert client.get(reverse("bulletin-cases", args=[pk, "found"])).status_code == 404


def test_the_bulletin_page_links_every_figure_to_its_cases(client, day):
    c = day.c
    bulletin = actions.generate_bulletin(c.street_officer, c.dapuqiao, D)
    client.force_login(c.street_officer)
    page = client.get(reverse("bulletin-detail", args=[bulletin.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert bulletin.title in html
    links = {
        href
        for href in __import__("re").findall(r'href="([^"]+)"', html)
        if href.startswith("/cases/?")
    }
    queries = [
        {k: v[0] for k, v in parse_qs(urlparse(h.replace("&amp;", "&")).query).items()}
        for h in links
    ]
    day_filter = {"reported_from": "2026-11-18", "reported_to": "2026-11-18"}
    assert {"area": str(c.dapuqiao.pk), **day_filter} in queries
    assert {"area": str(c.dapuqiao.pk), "category": str(day.w.facility.pk), **day_filter} in queries
    assert {"area": str(c.mengxi.pk), **day_filter} in queries
    assert {"area": str(c.dapuqiao.pk), "unit": str(c.property_co.pk), **day_filter} in queries
    assert {"area": str(c.dapuqiao.pk), "point": str(day.w.point_a.pk), **day_filter} in queries
    assert {"area": str(c.dapuqiao.pk), "source": "inspection", **day_filter} in queries
    for figure in ("rectified", "verified", "closed", "overdue"):
        assert reverse("bulletin-cases", args=[bulletin.pk, figure]) in html
    # The case list answers the links it is given, with the cases behind the figure.
    listed = client.get(reverse("case-list"), {"area": c.dapuqiao.pk, **day_filter})
    for case in (day.a1, day.a2, day.b1, day.g1, day.h1):
        assert case.number in listed.content.decode()
    overdue = client.get(reverse("bulletin-cases", args=[bulletin.pk, "overdue"]))
    text = overdue.content.decode()
    assert [n in text for n in (day.o1.number, day.o2.number, day.o4.number, day.o3.number)] == [
        True,
        True,
        True,
        False,
    ]


def test_notes_are_saved_over_htmx_and_refused_once_published(client, cast, bulletins):
    bulletin = bulletins["dapuqiao"]
    client.force_login(cast.street_officer)
    url = reverse("bulletin-notes", args=[bulletin.pk])
    response = client.post(url, {"notes": "今日重点：菜场A。"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="bulletin-notes"' in response.content.decode()
    assert Bulletin.objects.get(pk=bulletin.pk).notes == "今日重点：菜场A。"
    too_long = client.post(url, {"notes": "字" * 4001}, HTTP_HX_REQUEST="true")
    assert too_long.status_code == 400
    assert Bulletin.objects.get(pk=bulletin.pk).notes == "今日重点：菜场A。"
    client.post(reverse("bulletin-publish", args=[bulletin.pk]))
    frozen = client.post(url, {"notes": "改"}, HTTP_HX_REQUEST="true")
    assert frozen.status_code == 400
    assert "published" in frozen.content.decode()
    assert Bulletin.objects.get(pk=bulletin.pk).notes == "今日重点：菜场A。"


def test_publishing_twice_says_so_and_changes_nothing(client, cast, bulletins):
    bulletin = bulletins["dapuqiao"]
    client.force_login(cast.street_officer)
    client.post(reverse("bulletin-publish", args=[bulletin.pk]))
    first = Bulletin.objects.get(pk=bulletin.pk)
    client.force_login(cast.district_admin)
    again = client.post(reverse("bulletin-publish", args=[bulletin.pk]), follow=True)
    assert "can no longer be changed" in again.content.decode()
    second = Bulletin.objects.get(pk=bulletin.pk)
    assert (second.published_by_id, second.published_at) == (
        first.published_by_id,
        first.published_at,
    )
    page = again.content.decode()
    assert "李东风" in page
    assert reverse("bulletin-publish", args=[bulletin.pk]) not in page


def test_generating_for_a_date_refuses_bad_dates_clearly(client, cast):
    client.force_login(cast.street_officer)
    url = reverse("bulletin-generate")
    bad = client.post(url, {"area": cast.dapuqiao.pk, "date": "2026-02-30"}, follow=True)
    assert "Give a valid date." in bad.content.decode()
    today = client.post(
        url, {"area": cast.dapuqiao.pk, "date": timezone.localdate().isoformat()}, follow=True
    )
    assert "once the day is over" in today.content.decode()
    assert not Bulletin.objects.exists()
    made = client.post(url, {"area": cast.dapuqiao.pk, "date": YESTERDAY.isoformat()})
    bulletin = Bulletin.objects.get()
    assert made["Location"] == reverse("bulletin-detail", args=[bulletin.pk])


def test_the_settings_page_shows_errors_and_saves(client, cast):
    client.force_login(cast.district_admin)
    url = reverse("bulletin-settings")
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="8"' in page.content.decode()
    bad = client.post(url, {"district": cast.huangpu.pk, "generation_hour": 30, "worst_points": 5})
    assert bad.status_code == 400
    assert not BulletinSettings.objects.exists()
    other = client.post(
        url, {"district": cast.dapuqiao.pk, "generation_hour": 3, "worst_points": 5}
    )
    assert other.status_code == 404
    ok = client.post(
        url,
        {
            "district": cast.huangpu.pk,
            "generation_hour": 6,
            "auto_publish": "on",
            "worst_points": 3,
        },
    )
    assert ok.status_code == 302
    row = BulletinSettings.objects.get()
    assert (row.generation_hour, row.auto_publish, row.worst_points) == (6, True, 3)
    assert AuditLog.objects.filter(verb="bulletin.settings", actor=cast.district_admin).count() == 1


def test_the_list_runs_the_same_queries_for_more_bulletins(client, cast, django_assert_num_queries):
    for back in range(1, 3):
        actions.ensure_bulletin(cast.dapuqiao, timezone.localdate() - datetime.timedelta(days=back))
    client.force_login(cast.street_officer)
    url = reverse("bulletin-list")
    client.get(url)
    # The signed-in person and their membership come joined to the user.
    with django_assert_num_queries(8) as small:
        client.get(url, {"area": cast.dapuqiao.pk})
    for back in range(3, 40):
        bulletin, _made = actions.ensure_bulletin(
            cast.dapuqiao, timezone.localdate() - datetime.timedelta(days=back)
        )
        if back % 2:
            actions.publish_bulletin(cast.street_officer, bulletin)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url, {"area": cast.dapuqiao.pk})
    assert response.content.decode().count("bulletin.pdf") == 31

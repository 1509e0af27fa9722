"""Each person's language (issue 14): chosen on the account page or through the language
switch, stored on the account (audited), and winning over the browser's when signed in."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from juli.core.models import AuditLog
from juli.orgs import actions


def test_it_saves_the_choice_audits_it_and_sets_the_cookie(client, cast):  # type: ignore[no-untyped-def]
    client.force_login(cast.grid_worker)
    response = client.post(reverse("account"), {"language": "en"})
    assert (response.status_code, response["Location"]) == (302, reverse("account"))
    assert response.cookies["django_language"].value == "en"
    cast.grid_worker.refresh_from_db()
    assert cast.grid_worker.language == "en"
    row = AuditLog.objects.get(verb="account.language")
    assert (row.actor, row.before, row.after) == (
        cast.grid_worker,
        {"language": ""},
        {"language": "en"},
    )
    client.post(reverse("account"), {"language": "en"})  # the same again: nothing recorded
    assert AuditLog.objects.filter(verb="account.language").count() == 1
    response = client.post(reverse("account"), {"language": ""})  # back to the site's
    assert response.cookies["django_language"].value == ""  # deleted
    cast.grid_worker.refresh_from_db()
    assert cast.grid_worker.language == ""


def test_it_refuses_an_unknown_language_at_the_field_in_chinese(client, cast):  # type: ignore[no-untyped-def]
    client.force_login(cast.grid_worker)
    response = client.post(reverse("account"), {"language": "fr"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<p class="error" role="alert">请从所列语言中选择。</p>' in html
    cast.grid_worker.refresh_from_db()
    assert cast.grid_worker.language == ""
    assert not AuditLog.objects.filter(verb="account.language").exists()


def test_the_users_choice_wins_over_the_browser(client, cast):  # type: ignore[no-untyped-def]
    client.force_login(cast.street_officer)
    chinese = client.get(reverse("account"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese["Content-Language"] == "zh-hans"
    actions.set_language(cast.street_officer, cast.street_officer, "en")
    english = client.get(reverse("account"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert english["Content-Language"] == "en"
    assert "My account" in english.content.decode()
    # Signed out, the browser decides again.
    client.logout()
    assert client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-hans")["Content-Language"] == (
        "zh-hans"
    )


def test_the_language_switch_stores_a_signed_in_users_choice(client, cast):  # type: ignore[no-untyped-def]
    url = reverse("set_language")
    response = client.post(url, {"language": "en", "next": "/"})  # anonymous: a cookie only
    assert (response.status_code, response.cookies["django_language"].value) == (302, "en")
    client.force_login(cast.inspector)
    response = client.post(url, {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    cast.inspector.refresh_from_db()
    assert cast.inspector.language == "zh-hans"
    client.post(url, {"language": "xx", "next": "/"})  # not offered: ignored
    cast.inspector.refresh_from_db()
    assert cast.inspector.language == "zh-hans"


def test_only_the_person_or_the_platform_admin_sets_a_language(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        actions.set_language(cast.street_officer, cast.grid_worker, "en")
    actions.set_language(cast.platform_admin, cast.grid_worker, "en")
    with pytest.raises(ValidationError):
        actions.set_language(cast.grid_worker, cast.grid_worker, "fr")

"""Signing in: by username or phone, lockout on every way in, second factor, idle timeout."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from juli.conftest import PASSWORD
from juli.core.models import AuditLog
from juli.orgs import actions


def _post_login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_it_signs_in_by_username(cast, client):
    response = _post_login(client, "street_officer", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_it_signs_in_by_phone(cast, client):
    response = _post_login(client, "13800000002", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(cast.street_officer.pk)


def test_it_refuses_a_wrong_password_without_saying_which_part_was_wrong(cast, client):
    response = _post_login(client, "street_officer", "wrong-password-1")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    unknown = _post_login(client, "nobody-here", "wrong-password-1")
    assert unknown.status_code == 200
    assert response.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()


def test_it_locks_the_account_after_the_configured_failures(cast, client, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert _post_login(client, "street_officer", "wrong-password-1").status_code == 200
    # The fifth failure locks it, and the right password no longer helps.
    assert _post_login(client, "street_officer", "wrong-password-1").status_code == 429
    locked = _post_login(client, "street_officer", PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Other accounts are not affected.
    assert _post_login(client, "inspector", PASSWORD).status_code == 302


def test_it_counts_phone_and_username_failures_against_one_account(cast, client):
    for i in range(5):
        ident = "street_officer" if i % 2 else "13800000002"
        _post_login(client, ident, "wrong-password-1")
    assert _post_login(client, "13800000002", PASSWORD).status_code == 429
    assert _post_login(client, "street_officer", PASSWORD).status_code == 429


def test_it_asks_office_roles_with_a_second_factor_for_a_code(cast, client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # throttling is on in production; here we test the flow
    device = TOTPDevice.objects.create(user=cast.street_officer, name="phone", confirmed=True)
    response = _post_login(client, "street_officer", PASSWORD)
    assert response["Location"] == reverse("login-otp")
    assert "_auth_user_id" not in client.session
    bad = client.post(reverse("login-otp"), {"token": "000000"})
    assert bad.status_code == 200
    assert "_auth_user_id" not in client.session
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    good = client.post(reverse("login-otp"), {"token": f"{totp.token():06d}"})
    assert good.status_code == 302
    assert client.session["_auth_user_id"] == str(cast.street_officer.pk)


def test_it_sets_up_a_second_factor_only_for_office_roles(cast, client):
    client.force_login(cast.grid_worker)
    assert client.get(reverse("totp-setup")).status_code == 302
    assert not TOTPDevice.objects.filter(user=cast.grid_worker).exists()
    client.force_login(cast.street_officer)
    page = client.get(reverse("totp-setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=cast.street_officer, confirmed=False)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    done = client.post(reverse("totp-setup"), {"action": "confirm", "token": f"{totp.token():06d}"})
    assert done.status_code == 302
    assert TOTPDevice.objects.get(user=cast.street_officer).confirmed is True
    assert AuditLog.objects.filter(verb="account.totp_on", actor=cast.street_officer).count() == 1


def test_it_expires_idle_sessions(cast, client, settings):
    assert "juli.core.middleware.SessionIdleMiddleware" in settings.MIDDLEWARE
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client.force_login(cast.street_officer)
    session = client.session
    session.set_expiry(-1)  # as if the idle time had passed
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_moves_the_idle_deadline_at_most_once_a_refresh_interval(cast, client, settings):
    from django.contrib.sessions.models import Session

    from juli.core.middleware import SESSION_SEEN_KEY

    settings.JULI_SESSION_REFRESH_SECONDS = 60
    client.force_login(cast.street_officer)
    assert client.get(reverse("home")).status_code == 200
    key = client.session.session_key
    first = Session.objects.get(pk=key).expire_date
    seen = client.session[SESSION_SEEN_KEY]
    assert client.get(reverse("home")).status_code == 200  # within the interval: no write
    assert Session.objects.get(pk=key).expire_date == first
    session = client.session
    session[SESSION_SEEN_KEY] = seen - 61  # as if the last write was 61 s ago
    session.save()
    written = Session.objects.get(pk=key).expire_date
    assert client.get(reverse("home")).status_code == 200
    assert Session.objects.get(pk=key).expire_date > written
    assert client.session[SESSION_SEEN_KEY] >= seen


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short1", "too short"),
        ("onlyletterslong", "digit or symbol"),
        ("12345678901", "entirely numeric"),
    ],
)
def test_it_enforces_the_password_policy(cast, client, password, fragment, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(cast.grid_worker)
    response = client.post(
        reverse("password-change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert fragment in response.content.decode()
    cast.grid_worker.refresh_from_db()
    assert cast.grid_worker.check_password(PASSWORD)


def test_it_changes_the_password_and_audits_it(cast, client):
    client.force_login(cast.grid_worker)
    new = "Tarmac-Violet-93"
    response = client.post(
        reverse("password-change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    cast.grid_worker.refresh_from_db()
    assert cast.grid_worker.check_password(new)
    row = AuditLog.objects.get(verb="account.password")
    assert row.actor == cast.grid_worker
    assert "password" not in (row.after or {})


def test_it_refuses_new_accounts_from_non_managers(cast):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.create_account(cast.grid_worker, cast.member_person, "sneaky", "Sneaky-pass-1")

"""The rights registry: core names a right, an app's `rights.py` decides it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured

from juli.core import actions, rights


@pytest.fixture
def registry(monkeypatch):  # type: ignore[no-untyped-def]
    """A copy of the registry for the test to change, the apps' rights already found."""
    rights.registered_rights()
    monkeypatch.setattr(rights, "_rules", dict(rights._rules))


def test_it_finds_the_upload_right_that_the_organisation_app_registers() -> None:
    assert rights.UPLOAD_PHOTOS in rights.registered_rights()
    from juli.orgs.rights import may_upload_photos

    assert rights._rules[rights.UPLOAD_PHOTOS] is may_upload_photos


def test_it_lets_field_and_office_posts_and_superusers_upload(cast) -> None:  # type: ignore[no-untyped-def]
    allowed = {
        name: actions.can_upload(getattr(cast, name))
        for name in (
            "district_admin",
            "street_officer",
            "inspector",
            "grid_worker",
            "unit_staff",
            "branch_secretary",
            "platform_admin",
            "outsider",
        )
    }
    assert allowed == {
        "district_admin": True,
        "street_officer": True,
        "inspector": True,
        "grid_worker": True,
        "unit_staff": True,
        "branch_secretary": True,
        "platform_admin": True,
        "outsider": False,
    }
    assert rights.has_right(AnonymousUser(), rights.UPLOAD_PHOTOS) is False
    assert rights.has_right(None, rights.UPLOAD_PHOTOS) is False


def test_it_refuses_a_right_nobody_registered(cast) -> None:  # type: ignore[no-untyped-def]
    assert rights.has_right(cast.platform_admin, "no_such_right") is False


def test_it_accepts_the_same_rule_twice_and_refuses_another(registry) -> None:  # type: ignore[no-untyped-def]
    def rule(user: object) -> bool:
        return user == "yes"

    assert rights.register_right("test_right", rule) is rule
    assert rights.register_right("test_right", rule) is rule
    with pytest.raises(ImproperlyConfigured) as refused:
        rights.register_right("test_right", lambda user: True)
    assert str(refused.value) == (
        "The right 'test_right' is already decided by juli.core.tests.test_rights."
        "test_it_accepts_the_same_rule_twice_and_refuses_another.<locals>.rule."
    )
    assert (rights.has_right("yes", "test_right"), rights.has_right("no", "test_right")) == (
        True,
        False,
    )

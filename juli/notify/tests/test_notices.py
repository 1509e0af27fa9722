"""The registry of notification kinds (juli.core.notices) and notify()'s use of it."""

from __future__ import annotations

import pytest
from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _

import config.settings as production
from juli.core import notices
from juli.notify import actions
from juli.notify.forms import ChannelForm
from juli.notify.models import Delivery, Notification


@pytest.fixture
def registry(monkeypatch):  # type: ignore[no-untyped-def]
    """The real registry, restored after the test (a test may add a kind)."""
    notices.kinds()
    monkeypatch.setattr(notices, "_kinds", dict(notices._kinds))
    monkeypatch.setattr(notices, "_origins", dict(notices._origins))
    return notices


#: Apps that only the test settings install (config/settings_test.py).
TEST_ONLY = tuple(f"{a}." for a in set(settings.INSTALLED_APPS) - set(production.INSTALLED_APPS))


def installed(key: str) -> bool:
    """A kind of an app `config.settings` installs (the test settings add test-only apps)."""
    return not notices._origins.get(key, "").startswith(TEST_ONLY)


def test_it_lists_the_kinds_of_every_app_in_the_order_of_installed_apps():
    assert [c for c in notices.choices() if installed(c[0])] == [
        ("dispatched", "Case dispatched"),
        ("sent_back", "Rectification sent back"),
        ("escalated", "Overdue case escalated"),
        ("reported", "New case to accept"),
        ("rectified", "Case rectified, to verify"),
        ("verified", "Case verified, to close"),
        ("closed", "Reported case closed"),
        ("rejected", "Reported case not accepted"),
        ("deferred", "Case deferred"),
        ("reopened", "Case reopened"),
        ("bulletin", "Bulletin published"),
        ("ranking", "Ranking published"),
        ("test", "Test message"),
        ("letter_issued", "Responsibility letter to sign"),
        ("letter_signed", "Responsibility letter signed"),
        ("letter_assessed", "Self-assessment to review"),
        ("letter_returned", "Self-assessment returned"),
        ("letter_graded", "Year-end assessment graded"),
        ("letter_published", "Assessment result published"),
        ("meeting_planned", "Meeting planned"),
        ("meeting_cancelled", "Meeting cancelled"),
        ("minutes_to_confirm", "Minutes to confirm"),
        ("minutes_confirmed", "Minutes confirmed"),
        ("make_up_due", "Make-up due"),
        ("meetings_due", "Meetings due soon"),
        ("news_submitted", "News to review"),
        ("news_returned", "News returned"),
        ("news_published", "News published"),
        ("rating_opened", "Rating round opened"),
        ("rating_returned", "Rating self-assessment returned"),
        ("rating_submitted", "Self-assessment submitted"),
        ("rating_reviewed", "Self-assessment reviewed"),
        ("rating_publicity", "Star rating on public notice"),
        ("rating_objection", "Objection to a rating"),
        ("rating_published", "Star rating published"),
        ("rating_stars_changed", "Stars lowered or withdrawn"),
        ("obs_visit_planned", "Observation visit planned"),
        ("obs_rect_assigned", "Rectification item assigned"),
        ("obs_rect_escalated", "Rectification overdue"),
        ("honour_call", "Nominations for an honour open"),
        ("honour_nominated", "Nominated for an honour"),
        ("honour_conferred", "Honour conferred or published"),
    ]
    assert notices.label_of("escalated") == "Overdue case escalated"
    assert notices.label_of("gone") == "gone"
    assert notices.get("gone") is None


def test_it_registers_the_same_kind_twice_but_refuses_another_under_a_taken_key(registry):  # type: ignore[no-untyped-def]
    kind = registry.NoticeKind("meeting", _("Meeting called"))
    assert registry.register(kind) is kind
    registry.register(registry.NoticeKind("meeting", _("Meeting called")))
    with pytest.raises(ImproperlyConfigured, match="'meeting' is already registered"):
        registry.register(registry.NoticeKind("meeting", _("Meeting cancelled")))
    with pytest.raises(ImproperlyConfigured, match="1–20 characters"):
        registry.NoticeKind("a" * 21, "x")
    keys = [k.key for k in registry.kinds() if installed(k.key)]
    assert keys.index("meeting") == keys.index("test") + 1  # notify's kinds, as registered


def test_it_refuses_to_announce_an_unregistered_kind_naming_it(cast):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="unknown event kind 'meeting'"):
        actions.notify(
            "meeting:1:called", kind="meeting", title="t", text="", users=[cast.outsider]
        )
    assert not Notification.objects.exists()


def test_it_announces_a_kind_a_new_app_registers(registry, cast):  # type: ignore[no-untyped-def]
    registry.register(registry.NoticeKind("meeting", _("Meeting called")))
    channel = actions.create_channel(
        None,
        cast.dapuqiao,
        name="街道",
        kind="email",
        target="office@example.cn",
        kinds=["meeting", "bulletin", "test"],
        covers_subtree=True,
    )
    assert channel.kinds == ["bulletin", "meeting"]  # registry order; never the test message
    assert channel.kind_labels() == ["Bulletin published", "Meeting called"]
    actions.notify(
        "meeting:1:called",
        kind="meeting",
        title="支部大会",
        text="",
        users=[cast.street_officer],
        area=cast.dapuqiao,
    )
    note = Notification.objects.get()
    assert (note.kind, note.get_kind_display(), note.link_for(cast.street_officer)) == (
        "meeting",
        "Meeting called",
        "",
    )
    assert Delivery.objects.get().get_kind_display() == "Meeting called"
    kinds = ChannelForm().fields["kinds"]
    assert isinstance(kinds, forms.MultipleChoiceField)
    choices = kinds.choices  # `event_choices`, a callable: read afresh on each iteration
    assert isinstance(choices, CallableChoiceIterator)
    assert [k for k, _label in choices if installed(k)] == [
        "dispatched",
        "sent_back",
        "escalated",
        "reported",
        "rectified",
        "verified",
        "closed",
        "rejected",
        "deferred",
        "reopened",
        "bulletin",
        "ranking",
        "meeting",
        "letter_issued",
        "letter_signed",
        "letter_assessed",
        "letter_returned",
        "letter_graded",
        "letter_published",
        "meeting_planned",
        "meeting_cancelled",
        "minutes_to_confirm",
        "minutes_confirmed",
        "make_up_due",
        "meetings_due",
        "news_submitted",
        "news_returned",
        "news_published",
        "rating_opened",
        "rating_returned",
        "rating_submitted",
        "rating_reviewed",
        "rating_publicity",
        "rating_objection",
        "rating_published",
        "rating_stars_changed",
        "obs_visit_planned",
        "obs_rect_assigned",
        "obs_rect_escalated",
        "honour_call",
        "honour_nominated",
        "honour_conferred",
    ]

"""Filing a note announces the kind declared in `juli/sampleapp/notices.py` through
`juli.notify.actions.notify()`: a bell row per office recipient, a delivery per channel."""

from __future__ import annotations

from typing import Any

from juli.core import notices
from juli.notify import actions as notify_actions
from juli.notify.forms import ChannelForm
from juli.notify.models import Delivery, Notification

from .conftest import file_note


def test_it_announces_a_filed_note_to_the_bell_and_to_a_channel_that_takes_the_kind(
    cast: Any,
) -> None:
    street = notify_actions.create_channel(
        None,
        cast.dapuqiao,
        name="打浦桥街道邮箱",
        kind="email",
        target="dpq@hp.example.cn",
        kinds=["note_filed"],
    )
    notify_actions.create_channel(
        None,
        cast.dapuqiao,
        name="通报邮箱",
        kind="email",
        target="bulletins@hp.example.cn",
        kinds=["bulletin"],
    )
    note = file_note(cast, actor=cast.street_officer, title="街道巡查")
    rows = list(Notification.objects.values_list("recipient__username", "kind", "url", "text"))
    assert rows == [
        ("street_officer", "note_filed", f"/sample/notes/{note.pk}/", "Field note filed: 街道巡查")
    ]
    assert list(Delivery.objects.values_list("channel", "kind", "event_key")) == [
        (street.pk, "note_filed", f"sampleapp.note:{note.pk}:filed")
    ]


def test_it_offers_the_kind_to_channels(cast: Any) -> None:
    assert notices.label_of("note_filed") == "Field note filed"
    offered = str(ChannelForm()["kinds"])  # the field as the channel page renders it
    assert 'value="note_filed"' in offered
    assert "Field note filed" in offered

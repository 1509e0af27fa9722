"""Forms of the notify app. They validate input for the actions; the actions write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from juli.core import notices

from . import senders
from .models import TEST_KIND, Channel


def event_choices() -> list[tuple[str, Any]]:
    """The kinds a channel may take: every registered kind but the test message. A callable,
    so that the registry is read when the form is, not when this module is imported."""
    return [(key, label) for key, label in notices.choices() if key != TEST_KIND]


class ChannelForm(forms.Form):
    name = forms.CharField(label=_("Channel name"), max_length=80)
    kind = forms.ChoiceField(label=_("Kind"), choices=Channel.Kind.choices)
    target = forms.CharField(
        label=_("Addresses or robot URL"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "E-mail: addresses, one per line or comma-separated. WeCom or DingTalk: the "
            "robot's webhook address (https://…), as copied from the group's robot settings."
        ),
    )
    secret = forms.CharField(
        label=_("DingTalk signing secret (加签)"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Only for DingTalk robots with 加签 turned on."),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Events it receives"),
        choices=event_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one kind of event.")},
    )
    covers_subtree = forms.BooleanField(
        label=_("Also events of everything below"),
        required=False,
        initial=True,
        help_text=_("A street's channel then also receives the events of its communities."),
    )

    def __init__(self, *args: Any, channel: Channel | None = None, **kwargs: Any) -> None:
        if channel is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": channel.name,
                "kind": channel.kind,
                # A webhook URL carries its access token: shown masked, kept if unchanged.
                "target": channel.masked_target,
                "kinds": channel.kinds,
                "covers_subtree": channel.covers_subtree,
            }
        super().__init__(*args, **kwargs)
        self.channel = channel
        if channel is not None and channel.secret:
            self.fields["secret"].help_text = _(
                "A secret is stored (%(masked)s). Leave empty to keep it."
            ) % {"masked": channel.masked_secret}
            self.fields["clear_secret"] = forms.BooleanField(
                label=_("Remove the stored secret"), required=False
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, target = data.get("kind"), data.get("target", "")
        channel = self.channel
        if channel is not None and channel.is_webhook and target.strip() == channel.masked_target:
            data["target"] = target = channel.target
        if kind and target:
            try:
                if kind == Channel.Kind.EMAIL:
                    data["target"] = "\n".join(senders.check_addresses(target))
                else:
                    data["target"] = senders.check_webhook_url(target, kind)
            except ValidationError as error:
                self.add_error("target", error)
        return data

    def action_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.fields}
        if self.channel is None:
            data.pop("clear_secret", None)
        return data

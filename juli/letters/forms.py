"""Forms of the letters pages. They validate shapes; the rules live in `actions`."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.orgs.models import PartyOrg

from .models import ItemFields, LetterTemplate, Signature, TemplateItem


class TemplateForm(forms.ModelForm):
    org = forms.ModelChoiceField(queryset=PartyOrg.objects.none(), label=_("Issuing organisation"))

    class Meta:
        model = LetterTemplate
        fields = ["org", "year", "level", "title", "preamble"]
        widgets = {"preamble": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, orgs: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = (  # type: ignore[attr-defined]
            orgs if orgs is not None else PartyOrg.objects.none()
        )
        self.fields["level"].initial = PartyOrg.Kind.BRANCH
        self.fields["year"].initial = timezone.localdate().year

    def validate_unique(self) -> None:  # the action reports a duplicate with its own message
        return


class TemplateHeadForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["title", "preamble"]
        widgets = {"preamble": forms.Textarea(attrs={"rows": 3})}


class ItemForm(forms.ModelForm):
    class Meta:
        model = TemplateItem
        fields = list(ItemFields.CONTENT_FIELDS)
        widgets = {
            "content": forms.Textarea(attrs={"rows": 2}),
            "indicator": forms.Textarea(attrs={"rows": 2}),
        }


class CopyForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class PrepareForm(forms.Form):
    receivers = forms.ModelMultipleChoiceField(
        queryset=PartyOrg.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Receiving organisations"),
    )

    def __init__(self, *args: Any, choices: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receivers"].queryset = (  # type: ignore[attr-defined]
            choices if choices is not None else PartyOrg.objects.none()
        )


class LetterHeadForm(forms.Form):
    title = forms.CharField(label=_("Letter title"), max_length=200)
    preamble = forms.CharField(
        label=_("Preamble"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SignForm(forms.Form):
    side = forms.ChoiceField(choices=Signature.Side.choices, widget=forms.HiddenInput)
    method = forms.ChoiceField(choices=Signature.Method.choices, initial=Signature.Method.DRAWN)
    image = forms.CharField(required=False, widget=forms.HiddenInput, max_length=600_000)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp = forms.CharField(
        label=_("Code from your authenticator app"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client_uuid"].initial = uuid.uuid4()


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("Evidence title"), max_length=200, required=False)
    happened_on = forms.DateField(
        label=_("Date"),
        initial=datetime.date.today,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    items = forms.MultipleChoiceField(
        label=_("Serves the items"), widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    file = forms.FileField(label=_("File or photo"), required=False)
    record = forms.ChoiceField(label=_("Or link a record Juli holds"), required=False)

    def __init__(self, *args: Any, items: Any = (), records: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = (  # type: ignore[attr-defined]
            [(str(i.pk), f"{i.order}. {i.content[:40]}") for i in items]
        )
        self.fields["record"].choices = (  # type: ignore[attr-defined]
            [("", "—"), *records]
        )

"""Desk forms of observation visits. The forms only shape the input; the rules are the
actions' (`actions.py`), whose errors are put back at the fields (`put_errors`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from juli.orgs.models import PartyOrg, Person

from .models import ObservationVisit


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class CycleForm(forms.Form):
    org = forms.ModelChoiceField(
        queryset=PartyOrg.objects.none(), label=_("Organising organisation")
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    visitors_per_visit = forms.IntegerField(
        label=_("Visiting branches per visit"),
        min_value=0,
        max_value=500,
        initial=0,
        help_text=_("0: every other branch visits each host."),
    )

    def __init__(self, *args: Any, orgs: QuerySet[PartyOrg], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


class SwapForm(forms.Form):
    visit = forms.ModelChoiceField(queryset=ObservationVisit.objects.none(), label=_("Visit"))
    other = forms.ModelChoiceField(
        queryset=ObservationVisit.objects.none(), label=_("Swap dates with")
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: Any, visits: QuerySet[ObservationVisit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("visit", "other"):
            field = self.fields[name]
            field.queryset = visits  # type: ignore[attr-defined]
            field.label_from_instance = (  # type: ignore[attr-defined]
                lambda v: f"{v.sequence}. {v.scheduled_on:%Y-%m-%d} {v.host.name}"
            )


class HoldForm(forms.Form):
    shown = forms.CharField(
        label=_("What the host showed"), widget=forms.Textarea(attrs={"rows": 3})
    )


class FeedbackForm(forms.Form):
    feedback = forms.CharField(
        label=_("Feedback to the host"), widget=forms.Textarea(attrs={"rows": 4})
    )


class RectificationForm(forms.Form):
    title = forms.CharField(label=_("Item"), max_length=200)
    detail = forms.CharField(
        label=_("Detail"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("Owner"))
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people  # type: ignore[attr-defined]


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reason for reopening"), max_length=300)


def put_errors(form: forms.Form, error: ValidationError) -> None:
    """The action's refusal at the form's fields (or above the form)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = name if name in form.fields else None
            for e in errors:
                form.add_error(target, e)
    else:
        form.add_error(None, error)

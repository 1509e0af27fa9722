"""Forms of the honours pages; the actions check the rules, the forms only the shapes."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from juli.orgs.models import PartyOrg, Person
from juli.rating.models import RatingRound

from .models import HonourKind, Target


class KindForm(forms.Form):
    org = forms.ModelChoiceField(PartyOrg.objects.none(), label=_("Conferring organisation"))
    name = forms.CharField(label=_("Honour"), max_length=100)
    code = forms.RegexField(
        regex=r"^[A-Za-z]{2,8}$",
        label=_("Code in numbers"),
        help_text=_("Capital letters used in the honours' numbers, e.g. BYZB."),
    )
    target = forms.ChoiceField(label=_("Honours"), choices=Target.choices)
    default_quota = forms.IntegerField(label=_("Default quota"), min_value=1, max_value=10000)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    criteria = forms.CharField(label=_("Criteria"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


class CallForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quota = forms.IntegerField(label=_("Quota"), min_value=1, max_value=10000)
    per_nominator_quota = forms.IntegerField(
        label=_("Quota per nominating organisation"), min_value=1, max_value=10000, required=False
    )
    nominate_until = forms.DateField(
        label=_("Nominations until"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, kind: HonourKind, **kwargs: Any) -> None:
        today = datetime.date.today()  # noqa: DTZ011 - a form default, the local day
        kwargs.setdefault("initial", {"year": today.year, "quota": kind.default_quota})
        super().__init__(*args, **kwargs)


class NominateForm(forms.Form):
    nominator = forms.ModelChoiceField(PartyOrg.objects.none(), label=_("Nominating organisation"))
    nominee_org = forms.ModelChoiceField(
        PartyOrg.objects.none(), label=_("Nominated organisation"), required=False
    )
    nominee_person = forms.ModelChoiceField(
        Person.objects.none(), label=_("Nominated person"), required=False
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self, *args: Any, kind: HonourKind, nominators: Any, nominees: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nominator"].queryset = nominators  # type: ignore[attr-defined]
        if kind.target == Target.ORG:
            del self.fields["nominee_person"]
            self.fields["nominee_org"].queryset = nominees  # type: ignore[attr-defined]
            self.fields["nominee_org"].required = True
        else:
            del self.fields["nominee_org"]
            self.fields["nominee_person"].queryset = nominees  # type: ignore[attr-defined]
            self.fields["nominee_person"].required = True


class RoundNominateForm(forms.Form):
    nominator = forms.ModelChoiceField(PartyOrg.objects.none(), label=_("Nominating organisation"))
    round = forms.ModelChoiceField(RatingRound.objects.none(), label=_("Rating round"))
    min_stars = forms.IntegerField(
        label=_("At least stars"), min_value=1, max_value=5, required=False
    )
    top = forms.IntegerField(
        label=_("Or the top places"), min_value=1, max_value=10000, required=False
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, nominators: Any, rounds: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nominator"].queryset = nominators  # type: ignore[attr-defined]
        self.fields["round"].queryset = rounds  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    decision_ref = forms.CharField(label=_("Decision document"), max_length=100)


def attach(form: forms.Form, exc: ValidationError) -> None:
    """Put an action's refusal on the form: at its field when the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)

"""Forms of the duty-list pages. They shape input; the rules (rights, duplicates, which post
exists at which level) live in `actions`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from juli.orgs.models import PartyOrg, Person

from .models import YEAR_VALIDATORS, Duty, DutyPostKind, Level
from .queries import this_year


class ListForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Issuing organisation"), queryset=PartyOrg.objects.none(), empty_label=None
    )
    year = forms.IntegerField(label=_("Year"), validators=YEAR_VALIDATORS)
    title = forms.CharField(label=_("Title"), max_length=120)
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, owners: QuerySet[PartyOrg], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = owners
        self.fields["year"].initial = this_year()


class ListEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CopyForm(forms.Form):
    year = forms.IntegerField(label=_("Copy to year"), validators=YEAR_VALIDATORS)
    title = forms.CharField(
        label=_("Title of the copy"),
        max_length=120,
        required=False,
        help_text=_("Leave empty to reuse the title with the new year."),
    )


class PostForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    post = forms.ChoiceField(label=_("Post"), choices=DutyPostKind.choices)
    title = forms.CharField(label=_("Title as printed"), max_length=60, required=False)
    required = forms.BooleanField(
        label=_("Required (empty is a vacancy)"), required=False, initial=True
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=0)


class PostEditForm(forms.Form):
    title = forms.CharField(label=_("Title as printed"), max_length=60, required=False)
    required = forms.BooleanField(label=_("Required (empty is a vacancy)"), required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999)


class DutyForm(forms.Form):
    text = forms.CharField(
        label=_("Duty"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.ChoiceField(label=_("Category"), choices=Duty.Category.choices)
    frequency = forms.CharField(label=_("Frequency or deadline"), max_length=60, required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, required=False)


class DesignationForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    title = forms.CharField(
        label=_("Business post"), max_length=60, help_text=_("副局长, 中心主任, 科长 …")
    )

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = people

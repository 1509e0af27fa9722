"""Forms of the news pages: they shape input; the rules live in `actions`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BODY_MAX, REASON_MAX, SUMMARY_MAX, TITLE_MAX


class NewsForm(forms.Form):
    title = forms.CharField(label=_("Headline"), max_length=TITLE_MAX)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Plain text; separate paragraphs with an empty line."),
        strip=True,
    )


class NewItemForm(NewsForm):
    org: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Organisation"), queryset=None, empty_label=None
    )

    field_order = ["org", "title", "summary", "body"]

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX)

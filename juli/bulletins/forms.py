"""Forms of the bulletin pages: they shape input; the rules live in `actions`."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import MAX_WORST_POINTS, NOTES_MAX, BulletinSettings

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GenerateForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        self.fields["date"].initial = yesterday
        self.fields["date"].widget.attrs["max"] = yesterday.isoformat()


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        strip=True,
    )


class SettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = BulletinSettings
        fields = ["generation_hour", "auto_publish", "worst_points"]
        widgets = {
            "generation_hour": forms.NumberInput(attrs={"min": 0, "max": 23}),
            "worst_points": forms.NumberInput(attrs={"min": 1, "max": MAX_WORST_POINTS}),
        }

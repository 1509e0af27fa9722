"""Forms of the ranking pages. They shape input; the rules live in `actions`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import COMPONENTS, DEFAULT_WEIGHTS, WEIGHT_VALIDATORS, RankingSettings


class SettingsForm(forms.Form):
    enabled = forms.BooleanField(required=False, label=_("Weekly ranking on"))
    auto_publish = forms.BooleanField(
        required=False,
        label=_("Publish automatically"),
        help_text=_("Off: a computed ranking waits for a district administrator to publish it."),
    )

    def __init__(self, *args: Any, current: RankingSettings | None = None, **kwargs: Any) -> None:
        initial: dict[str, Any] = {"enabled": True, "auto_publish": True}
        for key, _label in COMPONENTS:
            initial[f"weight_{key}"] = DEFAULT_WEIGHTS[key]
        if current is not None:
            initial["enabled"], initial["auto_publish"] = current.enabled, current.auto_publish
            initial |= {f"weight_{k}": v for k, v in current.weights().items()}
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for key, label in COMPONENTS:
            self.fields[f"weight_{key}"] = forms.DecimalField(
                label=label,
                max_digits=5,
                decimal_places=2,
                validators=WEIGHT_VALIDATORS,
                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}),
            )

    def weight_fields(self) -> list[Any]:
        return [self[f"weight_{key}"] for key, _label in COMPONENTS]

    def weights(self) -> dict[str, Decimal]:
        return {key: self.cleaned_data[f"weight_{key}"] for key, _label in COMPONENTS}

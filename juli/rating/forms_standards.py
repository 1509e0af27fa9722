"""Forms of the standards pages. They only read the input; the rules (points in range, a
registered metric, ascending thresholds, a category of the same standard, a draft) are the
actions' (`actions.standards`), whose field errors the views put back on these forms."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.core import metrics
from juli.orgs.models import PartyOrg

from .models import Criterion, RatingStandard, StandardCategory


def year_choices(today: datetime.date | None = None) -> list[tuple[int, int]]:
    year = (today or timezone.localdate()).year
    return [(y, y) for y in range(year + 1, year - 4, -1)]


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class StandardForm(forms.Form):
    """A new standard, or a copy (year, issuing organisation, title)."""

    org = OrgChoiceField(label=_("Issuing organisation"), queryset=PartyOrg.objects.none())
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, orgs: QuerySet[PartyOrg], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_field = self.fields["org"]
        assert isinstance(org_field, forms.ModelChoiceField)
        org_field.queryset = orgs.order_by("path")
        year_field = self.fields["year"]
        assert isinstance(year_field, forms.TypedChoiceField)
        year_field.choices = year_choices()


class ThresholdsForm(forms.Form):
    star1 = forms.DecimalField(label=_("1 star from"), max_digits=6, decimal_places=2)
    star2 = forms.DecimalField(label=_("2 stars from"), max_digits=6, decimal_places=2)
    star3 = forms.DecimalField(label=_("3 stars from"), max_digits=6, decimal_places=2)
    star4 = forms.DecimalField(label=_("4 stars from"), max_digits=6, decimal_places=2)
    star5 = forms.DecimalField(label=_("5 stars from"), max_digits=6, decimal_places=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.update({"min": "0", "max": "100", "step": "0.5"})


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Category"), max_length=100)


class CriterionForm(forms.Form):
    category = CategoryChoiceField(
        label=_("Category"), queryset=StandardCategory.objects.none(), empty_label=None
    )
    code = forms.CharField(label=_("Code"), max_length=20, required=False)
    title = forms.CharField(label=_("Criterion"), max_length=200)
    description = forms.CharField(
        label=_("How it is scored"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    points = forms.DecimalField(
        label=_("Points"), max_digits=6, decimal_places=2, min_value=Decimal("0.5")
    )
    method = forms.ChoiceField(label=_("Scoring"), choices=Criterion.Method.choices)
    metric = forms.ChoiceField(label=_("Measured by"), required=False)
    full_share = forms.DecimalField(
        label=_("Full points at (%)"),
        max_digits=4,
        decimal_places=1,
        min_value=Decimal(1),
        max_value=Decimal(100),
        required=False,
        help_text=_("A computed criterion earns full points from this share on."),
    )
    evidence_hint = forms.CharField(label=_("Evidence expected"), max_length=300, required=False)

    def __init__(self, *args: Any, standard: RatingStandard, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ModelChoiceField)
        category.queryset = standard.categories.all()
        metric = self.fields["metric"]
        assert isinstance(metric, forms.ChoiceField)
        metric.choices = [("", "—"), *metrics.choices()]
        self.fields["points"].widget.attrs.update({"max": "100", "step": "0.5"})
        self.fields["full_share"].widget.attrs.update({"min": "1", "max": "100", "step": "1"})

    @staticmethod
    def initial_of(criterion: Criterion) -> dict[str, Any]:
        return {
            "category": criterion.category_id,
            "code": criterion.code,
            "title": criterion.title,
            "description": criterion.description,
            "points": criterion.points,
            "method": criterion.method,
            "metric": criterion.metric,
            "full_share": (Decimal(criterion.full_share) * 100).quantize(Decimal("0.1")),
            "evidence_hint": criterion.evidence_hint,
        }

    def action_data(self) -> dict[str, Any]:
        """The criterion's fields as the actions take them (the share from a percentage)."""
        data = {
            k: self.cleaned_data[k]
            for k in ("code", "title", "description", "points", "method", "metric")
        }
        data["evidence_hint"] = self.cleaned_data["evidence_hint"]
        share = self.cleaned_data.get("full_share")
        if share is not None:
            data["full_share"] = share / 100
        return data


class VetoForm(forms.Form):
    title = forms.CharField(label=_("Veto item"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=2000)
    cap_stars = forms.TypedChoiceField(
        label=_("Stars at most"), coerce=int, choices=[(n, n) for n in range(5)]
    )


def put_errors(form: forms.Form, exc: ValidationError) -> None:
    """The action's errors at the form's fields (the full-share field speaks percent, the
    rest as given); errors of a field the form lacks go to the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)

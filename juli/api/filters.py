"""Query filters of the list endpoints: each takes exactly the values its schema documents.

django-filter is lenient by default: an empty value or one it cannot read ("null" for a
boolean, "05/01/2026" for a date) silently means "no filter". An API client then gets a list
it did not ask for, and the schema lies. Here a filter given in the query must hold a value
of its documented type, or the answer is a 400 with `fields` naming it; only text filters
(`q`) take the empty string, which their schema allows.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .ids import MAX_ID


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An id: a whole number from 1 to MAX_ID ("3.5", "abc" or 10**30 are a 400)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.NullBooleanField):
    """`true` or `false`, as the schema's boolean is written in a query; nothing else."""

    widget = forms.TextInput  # NullBooleanSelect would turn anything unknown into "no filter"

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if value in (True, "true"):
            return True
        if value in (False, "false"):
            return False
        raise ValidationError(_("Enter true or false."), code="invalid")


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class DateFilter(django_filters.DateFilter):
    """A date as the schema's `format: date` writes it: YYYY-MM-DD only."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(*args, **kwargs)


def _empty() -> str:
    return _("Give a value, or leave the parameter out.")


def refuse_empty(data: Any, names: list[str]) -> None:
    """A 400 naming each of `names` given in the query with an empty value."""
    getlist = getattr(data, "getlist", None)
    empty = {name: [_empty()] for name in names if getlist is not None and "" in getlist(name)}
    if empty:
        raise serializers.ValidationError(empty)


class QuerySerializer(serializers.Serializer):
    """Query parameters read through a serializer: one given empty is a 400 (DRF would take it
    as not given), unless its field allows blank text."""

    def to_internal_value(self, data: Any) -> Any:
        refuse_empty(
            data, [name for name, f in self.fields.items() if not getattr(f, "allow_blank", False)]
        )
        return super().to_internal_value(data)


class ApiFilterSet(django_filters.FilterSet):
    """A filter set whose filters, when given, must not be empty (only text filters may)."""

    def get_form_class(self) -> type[forms.Form]:
        base = super().get_form_class()
        text = {
            name for name, f in self.filters.items() if isinstance(f, django_filters.CharFilter)
        }

        class Form(base):  # type: ignore[valid-type,misc]
            def clean(self) -> dict[str, Any]:
                cleaned: dict[str, Any] = super().clean()
                for name in self.fields:
                    if name in text or name not in self.data or name in self.errors:
                        continue
                    values = self.data.getlist(name) if hasattr(self.data, "getlist") else []
                    if any(value == "" for value in values):
                        self.add_error(name, _empty())
                return cleaned

        return Form

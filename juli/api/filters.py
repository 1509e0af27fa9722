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

    def to_python(self, value: Any) -> Any:  # True, False, or None when not given
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


def _problem(values: list[Any], *, blank: bool, many: bool) -> str | None:
    """What is wrong with the values a query gave one parameter, if anything."""
    if len(values) > 1 and not many:
        return _("Give one value.")
    if "" in values and not blank:
        return _("Give a value, or leave the parameter out.")
    return None


def _values(data: Any, name: str) -> list[Any]:
    return data.getlist(name) if hasattr(data, "getlist") else []


def refuse_malformed(data: Any, names: list[str], *, blank: frozenset[str] = frozenset()) -> None:
    """A 400 naming each of `names` that the query gave twice or empty (`blank` may be)."""
    errors = {}
    for name in names:
        problem = _problem(_values(data, name), blank=name in blank, many=False)
        if problem:
            errors[name] = [problem]
    if errors:
        raise serializers.ValidationError(errors)


def single(data: Any, name: str) -> str | None:
    """The one value of a query parameter (None if not given); given twice, a 400."""
    refuse_malformed(data, [name], blank=frozenset({name}))
    value = data.get(name)
    return None if value is None else str(value)


class QuerySerializer(serializers.Serializer):
    """Query parameters read through a serializer: one given twice, or empty (DRF would take
    it as not given), is a 400, unless its field allows blank text or is a list."""

    def to_internal_value(self, data: Any) -> Any:
        errors = {}
        for name, field in self.fields.items():
            problem = _problem(
                _values(data, name),
                blank=getattr(field, "allow_blank", False),
                many=isinstance(field, serializers.ListField),
            )
            if problem:
                errors[name] = [problem]
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class ApiFilterSet(django_filters.FilterSet):
    """A filter set whose filters, when given, hold one value (several for a multiple-choice
    one), not empty (text filters may be)."""

    def get_form_class(self) -> type[forms.Form]:
        base = super().get_form_class()
        text = {
            name for name, f in self.filters.items() if isinstance(f, django_filters.CharFilter)
        }
        many = {
            name
            for name, f in self.filters.items()
            if isinstance(f, django_filters.MultipleChoiceFilter)
        }

        class Form(base):  # type: ignore[valid-type,misc]
            def clean(self) -> dict[str, Any]:
                cleaned: dict[str, Any] = super().clean()
                for name in self.fields:
                    if name not in self.data or name in self.errors:
                        continue
                    problem = _problem(
                        _values(self.data, name), blank=name in text, many=name in many
                    )
                    if problem:
                        self.add_error(name, problem)
                return cleaned

        return Form

"""Serializer fields that take JSON as the schema says it, where DRF would coerce: a string
must be a string (DRF takes a number as text), a whole number a JSON integer (DRF takes "3"
and 3.0). The schemathesis tests send exactly those mismatches."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class WholeNumberField(serializers.IntegerField):
    """An integer as JSON writes it: a string or a fraction is refused."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return int(super().to_internal_value(data))


class TextField(serializers.CharField):
    """A JSON string: a number is refused."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))

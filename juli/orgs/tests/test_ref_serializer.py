"""`RefSerializer` reads its two fields directly: the output must be what DRF's generic
field loop gives for the same declaration, for model rows, plain dicts and missing names."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework import serializers

from juli.api.serializers import RefSerializer
from juli.orgs.models import Area, Unit

pytestmark = pytest.mark.django_db


class _Generic(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class _Row(serializers.Serializer):  # type: ignore[type-arg]
    area = RefSerializer(read_only=True, allow_null=True)


class _GenericRow(serializers.Serializer):  # type: ignore[type-arg]
    area = _Generic(read_only=True, allow_null=True)


def test_it_gives_what_the_generic_serializer_gives(cast: Any) -> None:
    for instance in [
        *Area.objects.order_by("pk")[:5],
        *Unit.objects.order_by("pk")[:3],
        {"id": 7, "name": "<b>七</b>"},
        {"id": "8", "name": 8},
        {"id": 9, "name": None},
    ]:
        assert RefSerializer(instance).data == _Generic(instance).data


def test_a_missing_relation_is_null_in_both(cast: Any) -> None:
    class Holder:
        area = None

    assert _Row(Holder()).data == _GenericRow(Holder()).data == {"area": None}
    unit = Unit.objects.select_related("area").filter(area__isnull=False).first()
    assert unit is not None
    assert _Row(unit).data == _GenericRow(unit).data

"""Serializers every app's API shares (plumbing only: no app's models)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers


class RefSerializer(serializers.Serializer):
    """A related record, by id and name."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        # The same output as the two declared fields, read directly: a list of 50 cases has
        # 200 of these, each otherwise a run of DRF's generic field loop.
        if isinstance(instance, Mapping):
            pk, name = instance.get("id"), instance.get("name")
        else:
            pk, name = instance.id, instance.name
        return {
            "id": None if pk is None else int(pk),
            "name": None if name is None else str(name),
        }

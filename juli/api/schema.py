"""How the schema describes what the API reads, where drf-spectacular's defaults say less or
more than the views take (registered in `ApiConfig.ready`).

Decimals in a request body: DRF's DecimalField reads a string or a JSON number, within its
`min_value`/`max_value`, with at most `decimal_places` places. drf-spectacular documents a
string whose pattern also matches "", "-" and "." and says nothing of the bounds, so clients
(and schemathesis) were told that values the API refuses are fine, and that the JSON numbers
the phones send are not. The request schema here is "a decimal string within the bounds, or a
JSON number within them, a multiple of 10^-places"; answers keep drf-spectacular's string.

Nested lists: their bounds (`allow_empty=False`, `max_length`) as minItems/maxItems. A body
that needs one of two fields (`requires_one_of`): an `anyOf` of the two.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension


def _below(n: int) -> str:
    """A regex for the whole numbers 0 … n-1 written without leading zeros (n ≥ 1)."""
    top = str(n - 1)
    if top == "0":
        return "0"
    shorter = ["0"]
    if len(top) > 1:
        shorter.append(rf"[1-9]\d{{0,{len(top) - 2}}}" if len(top) > 2 else "[1-9]")
    same = []
    for i, digit in enumerate(top):
        low = 1 if i == 0 else 0
        if int(digit) > low:
            high = int(digit) - 1
            span = str(low) if high == low else f"[{low}-{high}]"
            rest = len(top) - i - 1
            same.append(top[:i] + span + (rf"\d{{{rest}}}" if rest else ""))
    same.append(top)
    return "(?:" + "|".join(shorter + same) + ")"


def decimal_pattern(places: int, bound: int | None, *, whole_digits: int | None) -> str:
    """A decimal written as DRF reads it: digits (at least one), at most `places` after the
    point, a magnitude of at most `bound` (a whole number) or of at most `whole_digits` digits
    before the point."""
    fraction = rf"(?:\.\d{{0,{places}}})?" if places else ""
    if bound is not None:
        magnitude = (
            rf"(?:{_below(bound)}{fraction}|{bound}(?:\.0{{0,{places}}})?"
            + (rf"|\.\d{{1,{places}}}" if places else "")
            + ")"
        )
    else:
        digits = rf"\d{{1,{whole_digits}}}" if whole_digits else r"\d+"
        magnitude = rf"(?:{digits}{fraction}" + (rf"|\.\d{{1,{places}}}" if places else "") + ")"
    # DRF reads a sign and leading zeros too ("+07.5"): the pattern says so.
    return rf"^[-+]?0*{magnitude}$"


def _whole(value: Any) -> int | None:
    """A bound as a whole number, or None when it is not one (then it is not in the pattern)."""
    if value is None:
        return None
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else None


class DecimalInputExtension(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]
    target_class = "rest_framework.fields.DecimalField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> Any:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        field = self.target
        if direction != "request" or field.read_only:
            return schema
        places = field.decimal_places or 0
        whole_digits = field.max_whole_digits
        low, high = _whole(field.min_value), _whole(field.max_value)
        symmetric = low is not None and high is not None and low == -high
        number: dict[str, Any] = {"type": "number"}
        if places:
            number["multipleOf"] = float(Decimal(1).scaleb(-places))
        if field.min_value is not None:
            number["minimum"] = float(field.min_value)
        if field.max_value is not None:
            number["maximum"] = float(field.max_value)
        if whole_digits is not None:
            limit = float(10**whole_digits - Decimal(1).scaleb(-places))
            number.setdefault("minimum", -limit)
            number.setdefault("maximum", limit)
        string = {
            "type": "string",
            "format": "decimal",
            "pattern": decimal_pattern(
                places, high if symmetric else None, whole_digits=whole_digits
            ),
        }
        out: dict[str, Any] = {"anyOf": [string, number]}
        for key in ("nullable", "description", "title", "default", "readOnly", "writeOnly"):
            if key in schema:
                out[key] = schema[key]
        return out


class ListSerializerExtension(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]
    """A nested list (`many=True`) with its bounds: drf-spectacular leaves out `allow_empty`
    and `min_length`/`max_length`, which the API enforces."""

    target_class = "rest_framework.serializers.ListSerializer"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> Any:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        field = self.target
        if direction != "request" or field.read_only or schema.get("type") != "array":
            return schema
        least = field.min_length or (0 if field.allow_empty else 1)
        if least:
            schema["minItems"] = least
        if field.max_length is not None:
            schema["maxItems"] = field.max_length
        return schema


def requires_one_of(*names: str) -> Any:
    """Class decorator: the serializer's body must hold at least one of `names`, not null
    (`validate` says so to the server; this says so to the schema, as an `anyOf`)."""

    def decorate(cls: type) -> type:
        class OneOfExtension(OpenApiSerializerExtension):  # type: ignore[no-untyped-call]
            target_class = cls

            def map_serializer(self, auto_schema: Any, direction: str) -> Any:
                schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
                if direction != "request":
                    return schema
                properties = schema.get("properties", {})
                branches = []
                for name in names:
                    field = {k: v for k, v in properties.get(name, {}).items() if k != "nullable"}
                    branches.append({"required": [name], "properties": {name: field}})
                schema["anyOf"] = branches
                return schema

        OneOfExtension.__name__ = f"{cls.__name__}OneOfExtension"
        return cls

    return decorate

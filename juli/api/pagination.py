"""Keyset ("cursor") pagination for every list endpoint: page 1,000 costs what page 1 costs.

A cursor is opaque: only a `next`/`previous` link of an earlier page holds a valid one. One
that does not decode, or whose position does not fit the ordering, is a 400 (`fields.cursor`),
like any other bad query value; `page_size` is a whole number from 1 (larger than the maximum
gives the maximum).
"""

from __future__ import annotations

import base64
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request

from .filters import single


def page_size_from(value: str | None, *, default: int, maximum: int) -> int:
    """The page size a query asked for: `default` when absent, at most `maximum`; anything but
    a whole number from 1 (an empty value too) is a 400 on `page_size`."""
    if value is None:
        return default
    text = value.strip()
    digits = text.lstrip("0")
    if not (text.isascii() and text.isdigit()) or not digits:
        raise ValidationError({"page_size": [_("A whole number from 1.")]})
    # More than 18 digits is more than any maximum: no need to convert it.
    return maximum if len(digits) > 18 else min(int(digits), maximum)


def bad_cursor(name: str = "cursor") -> ValidationError:
    """A 400 on the cursor parameter, with DRF's own (translated) message."""
    return ValidationError({name: [CursorPagination.invalid_cursor_message]})


class KeysetPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"

    def get_page_size(self, request: Request) -> int:
        return page_size_from(
            single(request.query_params, self.page_size_query_param),
            default=self.page_size,
            maximum=self.max_page_size,
        )

    def decode_cursor(self, request: Request) -> Cursor | None:
        encoded = single(request.query_params, self.cursor_query_param)
        try:
            # DRF's decoder skips characters outside base64 ("%%%" would be page one).
            if encoded is not None:
                base64.b64decode(encoded, validate=True)
            return super().decode_cursor(request)
        except (NotFound, ValueError):
            raise bad_cursor(self.cursor_query_param) from None

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        # A cursor that decodes can still hold a position the ordering's column cannot take
        # (text for an id, a number no column holds): the filter or the query refuses it.
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, OverflowError, DjangoValidationError):
            if request.query_params.get(self.cursor_query_param) is None:
                raise
            raise bad_cursor(self.cursor_query_param) from None

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The cursor of a `next` or `previous` link (opaque).",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (default {self.page_size}, at most "
                f"{self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]


class TreeKeysetPagination(KeysetPagination):
    """For the two trees: materialised-path order (unique, indexed) lists a tree top-down."""

    ordering = "path"

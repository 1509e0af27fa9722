"""Keyset ("cursor") pagination for every list endpoint: page 1,000 costs what page 1 costs."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"


class TreeKeysetPagination(KeysetPagination):
    """For the two trees: materialised-path order (unique, indexed) lists a tree top-down."""

    ordering = "path"

"""What every read endpoint shares: token-or-session authentication, signed-in users only."""

from __future__ import annotations

from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from .auth import API_AUTHENTICATION
from .ids import ID_PATTERN


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """A read-only endpoint whose list starts from `visible_*` and whose detail is `access_*`.

    Subclasses implement `get_queryset` from the `visible_*` function and `get_object` from the
    `access_*` function (with `ids.path_id`), so an id outside the caller's scope is a 404, as
    on the pages.
    """

    authentication_classes = API_AUTHENTICATION
    permission_classes = (IsAuthenticated,)
    # Any other path (a non-numeric id) falls through to the API's JSON 404 (`errors.not_found`).
    lookup_value_regex = ID_PATTERN

"""One error shape for the whole of /api/v1/: `{"detail": "...", "code": "..."}`, plus `fields`
(`{field path: [messages]}`) when the body or the query did not validate.

| status | code (examples) | when |
|---|---|---|
| 400 | `invalid` (with `fields`), `parse_error`, a rule's own code | the body or the query does not validate, or a rule refuses it |
| 401 | `not_authenticated`, `authentication_failed` | no or a bad token / session |
| 403 | `permission_denied` | visible, but the caller's posts do not allow it (or no CSRF token with a session) |
| 404 | `not_found` | no such object in the caller's scope, or no such path under /api/v1/ |
| 405 | `method_not_allowed` | the path takes other methods (`Allow` says which) |
| 409 | `illegal_state`, `idempotency_conflict`, … | not from the current state, or a submission id reused |
| 413 | `too_large` | a body over the upload or form limit (nginx answers the same shape, deploy/nginx) |
| 415 | `unsupported_media_type` | a body in a content type the operation does not take |
| 429 | `locked`, `throttled` | too many failed sign-ins, too many requests |

`api_exception_handler` is DRF's EXCEPTION_HANDLER (settings), so every view answers this
shape; apps with exceptions of their own map them first and hand the rest to it (the cases
and letters APIs). `not_found` answers any path under /api/v1/ that no route takes (a
non-numeric id included), so no HTML page ever comes back. `add_error_responses` is a
drf-spectacular postprocessing hook that documents the shape on every operation.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from juli.core import idempotency


class ApiErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text="Stable, machine-readable; see the API's error table.")
    # The metaclass pops declared fields, so this does not shadow Serializer.fields at run time.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Per-field messages, for validation errors.",
    )


def error(detail: str, code: str, http: int, fields: dict[str, Any] | None = None) -> Response:
    """An error answer in the API's shape."""
    body: dict[str, Any] = {"detail": detail, "code": code}
    if fields:
        body["fields"] = fields
    return Response(body, status=http)


def flat(detail: Any) -> dict[str, list[str]]:
    """DRF's nested error detail as {field path: [messages]}."""
    out: dict[str, list[str]] = {}

    def walk(value: Any, prefix: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                # A nested serializer's own errors belong to the field that holds it.
                name = prefix if prefix and k == "non_field_errors" else str(k)
                walk(v, f"{prefix}.{k}" if prefix and name != prefix else name)
        elif isinstance(value, list) and value and not all(isinstance(v, str) for v in value):
            for i, v in enumerate(value):
                walk(v, f"{prefix}.{i}" if prefix else str(i))
        elif isinstance(value, list):
            out.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in value)
        else:
            out.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk(detail, "")
    return out


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every refusal of an API view as `{"detail", "code"}` (see the module doc); DRF's own
    headers (`WWW-Authenticate`, `Allow`, `Retry-After`) are kept."""
    if isinstance(exc, idempotency.KeyError_):
        return error(exc.message, exc.code, status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RequestDataTooBig):
        # Django's own refusal of a body over DATA_UPLOAD_MAX_MEMORY_SIZE (an HTML 400 else).
        return error(
            _("The request is larger than the server accepts."),
            "too_large",
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):
        # Too many fields or files in a form, and the like: refused as Django would.
        return error(_("The request could not be read."), "bad_request", 400)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else None
        code = getattr(exc, "code", None) or "invalid"
        return error(" ".join(exc.messages), code, status.HTTP_400_BAD_REQUEST, fields)
    if isinstance(exc, Http404):
        return error(_("Not found."), "not_found", status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoPermissionDenied):
        detail = str(exc) or _("You do not have permission to perform this action.")
        return error(detail, "permission_denied", status.HTTP_403_FORBIDDEN)
    if isinstance(exc, exceptions.ValidationError):
        fields = flat(exc.detail)
        first = next(iter(fields.values()))[0] if fields else _("Invalid input.")
        return error(first, "invalid", status.HTTP_400_BAD_REQUEST, fields)
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        response.data = {
            "detail": str(exc.detail),
            "code": codes if isinstance(codes, str) else "error",
        }
    return response


@csrf_exempt  # it changes nothing and answers 404 to every method
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any path under /api/v1/ that no route takes: the API's 404, never Django's HTML page."""
    return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)


ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="Invalid request or a broken rule."),
    401: OpenApiResponse(ApiErrorSerializer, description="Not signed in."),
    403: OpenApiResponse(ApiErrorSerializer, description="Your posts do not allow this."),
    404: OpenApiResponse(ApiErrorSerializer, description="Not found in your scope."),
}
READ_ERRORS = {k: v for k, v in ERRORS.items() if k != 403}


# --- The schema ---------------------------------------------------------------------------------

ERROR_COMPONENT = "ApiError"
#: What drf-spectacular makes of ApiErrorSerializer, for a schema in which no view names it.
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["code", "detail"],
}
DESCRIPTIONS = {
    400: "Invalid request (`fields` says where) or a broken rule.",
    401: "Not signed in, or a bad token.",
    403: "Your posts do not allow this (or a session without its CSRF token).",
    404: "Not found in your scope.",
    415: "The body is in a content type this operation does not take.",
}
UNSAFE = {"post", "put", "patch", "delete"}


def add_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Document the API's error shape on every operation of /api/v1/ (a drf-spectacular
    postprocessing hook): 400 where a query or a body is read, 401 where a sign-in is needed,
    403 on the writes that need one, 404 where the path names an object, 415 where a body is
    read; any 4xx response documented without a body gets the shape. Responses a view
    documents itself are kept."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR_COMPONENT, ERROR_SCHEMA)
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            parameters = operation.get("parameters", [])
            statuses = set()
            if "requestBody" in operation or any(p["in"] == "query" for p in parameters):
                statuses.add(400)
            if operation.get("security"):
                statuses.add(401)
                if method in UNSAFE:
                    statuses.add(403)
            if any(p["in"] == "path" for p in parameters):
                statuses.add(404)
            if "requestBody" in operation:
                statuses.add(415)
            responses = operation.setdefault("responses", {})
            for code in sorted(statuses):
                responses.setdefault(str(code), {"description": DESCRIPTIONS[code]})
            for code, response in responses.items():
                if str(code).startswith("4") and not response.get("content"):
                    response["content"] = content
    return result

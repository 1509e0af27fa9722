"""OpenAPI links between the operations of /api/v1/, derived from the schema itself.

A drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]). A
resource is a collection path `/api/v1/things/` that has an item path `/api/v1/things/{id}/`;
its item operations are every operation under `/api/v1/things/{id}/` (detail, PATCH, DELETE,
actions). The links follow four rules, so a new endpoint gets its links without a list here:

- create → item: a POST on the collection answering 2xx with an `id` links to every item
  operation, with that id;
- list → item: a GET on the collection whose page holds `results[].id` links to every item
  operation, with the first result's id;
- item → item: an item operation answering 2xx (not a DELETE) links to the resource's other
  item operations, with the same path id;
- reference: the create and the list of `things` link to every POST/PATCH without path
  parameters whose JSON body names `thing` (an id) or `things` (a list of ids) at its top
  level, e.g. a staged upload into the case report's `uploads`.

Clients may follow them; schemathesis' stateful tests do (juli/api/tests).
"""

from __future__ import annotations

import re
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")
_ITEM = re.compile(r"^(?P<collection>.+/)\{(?P<param>[a-z_]+)\}/$")


def add_links(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Add the `links` of every 2xx response that leads to another operation (rules above)."""
    paths: dict[str, dict[str, Any]] = result.get("paths", {})
    schemas: dict[str, Any] = result.get("components", {}).get("schemas", {})
    for collection, param in _resources(paths):
        item_ops = [
            (path, method, op)
            for path, ops in paths.items()
            if path.startswith(f"{collection}{{{param}}}/")
            for method, op in _operations(ops)
        ]
        targets = [(method, op) for _path, method, op in item_ops]
        for method, op in _operations(paths.get(collection, {})):
            if method not in ("get", "post"):
                continue
            for response in _success(op):
                found = _id_of(_body_schema(response), schemas, listed=method == "get")
                if found is None:
                    continue
                expression, id_schema = found
                links = response.setdefault("links", {})
                for _method, target in targets:
                    links[target["operationId"]] = {
                        "operationId": target["operationId"],
                        "parameters": {f"path.{param}": expression},
                    }
                for target, field, many in _referrers(paths, schemas, collection, id_schema):
                    links[f"{target['operationId']}.{field}"] = {
                        "operationId": target["operationId"],
                        "requestBody": {field: [expression] if many else expression},
                    }
        for _path, method, op in item_ops:
            if method == "delete":
                continue
            for response in _success(op):
                links = response.setdefault("links", {})
                for _method, target in targets:
                    if target is not op:
                        links[target["operationId"]] = {
                            "operationId": target["operationId"],
                            "parameters": {f"path.{param}": f"$request.path.{param}"},
                        }
    for ops in paths.values():
        for _method, op in _operations(ops):
            for response in op.get("responses", {}).values():
                if response.get("links") == {}:
                    del response["links"]
    return result


def _resources(paths: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for path in paths:
        match = _ITEM.match(path)
        if match and match["collection"] in paths:
            found.append((match["collection"], match["param"]))
    return found


def _operations(ops: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(method, ops[method]) for method in METHODS if method in ops]


def _success(op: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for code, r in op.get("responses", {}).items() if str(code).startswith("2")]


def _body_schema(message: dict[str, Any]) -> dict[str, Any]:
    content = message.get("content", {})
    return content.get("application/json", {}).get("schema", {})


def _resolve(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = schemas.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return schema


def _properties(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    schema = _resolve(schema, schemas)
    properties = dict(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        properties.update(_properties(part, schemas))
    return properties


def _id_of(
    schema: dict[str, Any], schemas: dict[str, Any], *, listed: bool
) -> tuple[str, dict[str, Any]] | None:
    """Where a response holds a resource's id (a runtime expression) and the id's schema."""
    pointer = "$response.body#"
    if listed:
        schema = _resolve(schema, schemas)
        if schema.get("type") != "array":
            schema = _resolve(_properties(schema, schemas).get("results", {}), schemas)
            pointer += "/results"
        if schema.get("type") != "array":
            return None
        schema, pointer = schema.get("items", {}), f"{pointer}/0"
    id_schema = _properties(schema, schemas).get("id")
    return None if id_schema is None else (f"{pointer}/id", _resolve(id_schema, schemas))


def _referrers(
    paths: dict[str, Any], schemas: dict[str, Any], collection: str, id_schema: dict[str, Any]
) -> list[tuple[dict[str, Any], str, bool]]:
    """The operations whose JSON body names this resource: (operation, field, is a list).

    A field counts when it is named after the resource and holds values of the id's type (no
    enum: `post` in a duty post is a role, not a post's id)."""
    plural = collection.rstrip("/").rsplit("/", 1)[-1].replace("-", "_")
    singular = plural.removesuffix("s")

    def holds_ids(field: dict[str, Any]) -> bool:
        field = _resolve(field, schemas)
        return "enum" not in field and field.get("type") == id_schema.get("type")

    found = []
    for path, ops in paths.items():
        if "{" in path:
            continue
        for method, op in _operations(ops):
            if method not in ("post", "patch"):
                continue
            properties = _properties(_body_schema(op.get("requestBody", {})), schemas)
            many = _resolve(properties.get(plural, {}), schemas)
            if many.get("type") == "array" and holds_ids(many.get("items", {})):
                found.append((op, plural, True))
            elif singular != plural and holds_ids(properties.get(singular, {})):
                found.append((op, singular, False))
    return found

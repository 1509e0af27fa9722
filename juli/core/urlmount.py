"""URL discovery: an app's pages and API routes are mounted without an edit outside its folder.

`config/urls.py` and `juli/api/urls.py` name the older apps' URL modules in a fixed order,
then mount every other installed app that has a `urls` (pages) or `api_urls` (REST) module,
in `INSTALLED_APPS` order, at the root of the site or of `/api/v1/`. An app's own module
chooses its paths (give them the app's prefix: `meetings/…`, `api/v1/meetings/…`).
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from django.apps import apps
from django.urls import URLPattern, URLResolver, include, path


def _included(patterns: list[URLPattern | URLResolver]) -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        module = getattr(pattern, "urlconf_name", None)
        if isinstance(module, ModuleType):
            names.add(module.__name__)
        elif isinstance(module, str):
            names.add(module)
    return names


def discovered(module: str, already: list[URLPattern | URLResolver]) -> list[URLResolver]:
    """`path("", include("<app>.<module>"))` for each installed app that has `module` and is
    not among `already`'s includes, in INSTALLED_APPS order. Only Juli's apps (`juli.*`) are mounted."""
    taken = _included(already)
    found: list[URLResolver] = []
    for config in apps.get_app_configs():
        dotted = f"{config.name}.{module}"
        # Juli's own apps only: a library's `urls` (DRF's browsable-API login) is not a page.
        if not config.name.startswith("juli.") or dotted in taken:
            continue
        try:
            spec = find_spec(dotted)
        except ModuleNotFoundError:
            spec = None
        if spec is None:
            continue
        found.append(path("", include(import_module(dotted))))
    return found

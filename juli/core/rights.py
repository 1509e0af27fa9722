"""Named rights that core asks about and the apps decide.

Core needs to know a few things about a user that only a domain app can tell (may this
person send photos?), but core imports no domain app. So core names the right and asks
`has_right(user, name)`; an app answers by registering a function for that name in its own
`rights.py`:

    # juli/orgs/rights.py
    from juli.core.rights import UPLOAD_PHOTOS, register_right

    def may_upload_photos(user): ...

    register_right(UPLOAD_PHOTOS, may_upload_photos)

The apps' `rights` modules are imported once, on the first `has_right` call
(`autodiscover_modules("rights")`, as the admin does with `admin.py`), so an app adds a right
without touching anything outside its folder. A right nobody registered is refused.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from .discovery import Discovery

#: May send photos (staged uploads, case and inspection photos).
UPLOAD_PHOTOS = "upload_photos"

#: A right's rule: given the user asking (a user, an anonymous user or None), may they?
Rule = Callable[[Any], bool]

_rules: dict[str, Rule] = {}
_discovery = Discovery("rights")
_lock = threading.RLock()  # re-entrant: a rights module that asks cannot deadlock


def register_right(name: str, rule: Rule) -> Rule:
    """Let `rule(user)` decide the right `name`. Registering the same rule again is a no-op;
    another rule under a name already taken raises ImproperlyConfigured. Returns `rule`."""
    existing = _rules.get(name)
    if existing is not None and existing is not rule:
        raise ImproperlyConfigured(
            f"The right {name!r} is already decided by {existing.__module__}."
            f"{existing.__qualname__}."
        )
    _rules[name] = rule
    return rule


def has_right(user: Any, name: str) -> bool:
    """Whether `user` holds the right `name`. False when no app registered that right."""
    _discover()
    rule = _rules.get(name)
    return rule is not None and bool(rule(user))


def registered_rights() -> list[str]:
    """The names of every registered right, sorted (for checks and docs)."""
    _discover()
    return sorted(_rules)


def _discover() -> None:
    _discovery()

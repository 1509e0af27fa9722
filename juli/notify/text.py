"""Texts of notices, rendered in the reader's language.

An event is announced once but read by many, each in their own language: `notify()` takes
its `title` and `text` unrendered and renders them per reader (an in-app row under the
recipient's language, a channel message under the site's). A text is one of

- a plain `str`: data, shown as it is (names, numbers);
- a lazy translation (`gettext_lazy(...)`), or `lazy_format(gettext_lazy("… %(n)s …"), n=…)`
  for a message with named parameters (which may themselves be lazy: a status label);
- a callable `(language) -> str`, called with that language active, for anything longer
  (several lines, a date written the reader's way).

Never pass `gettext(...) % {...}`: it is rendered at once, in the actor's language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

from django.utils import translation
from django.utils.functional import Promise, lazy

#: What `notify()` accepts as a title or a text.
Text: TypeAlias = "str | Promise | Callable[[str], str]"


def _format(message: str | Promise, params: dict[str, Any]) -> str:
    return str(message) % {key: _plain(value) for key, value in params.items()}


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Promise) else value


_lazy_format = lazy(_format, str)


def lazy_format(message: str | Promise, /, **params: Any) -> Promise:
    """`message % params`, done when the text is rendered (in the reader's language), not
    now. `message` is a `gettext_lazy` msgid with named `%(name)s` parameters."""
    result: Any = _lazy_format(message, params)  # a lazy str proxy: a Promise
    return result  # type: ignore[no-any-return]


def render(value: Text, language: str) -> str:
    """`value` as read in `language`."""
    with translation.override(language):
        if callable(value) and not isinstance(value, Promise):
            return str(value(language))
        return str(value)

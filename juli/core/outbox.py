"""The kinds of submission the phone's offline outbox knows, registered by the apps.

A field page's form says which kind it sends (`<form data-outbox="<key>">`); the page frame
(`templates/cases/field/base.html`) hands every registered kind to the script as JSON
(`outbox-kinds`, a `json_script` block: the Content-Security-Policy runs no inline script).
The script (`static/js/field/field.js`) keeps the submission in IndexedDB with its kind and
its client UUID, sends it to the kind's endpoint and sends it again, with the same UUID, until
the server answers; the server answers a replay from `core.idempotency` (the stored response),
so the submission is carried out once.

An app declares its kinds in `outbox.py` in its own folder::

    from juli.core.outbox import OutboxKind, register

    register(OutboxKind("notes.note", _("Note"), url_name="api-note-list", position=True))

and core finds that module the first time a registry is read (`autodiscover_modules`), the
way Django's admin finds `admin.py`: no edit outside the app's folder, none to its `apps.py`.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .discovery import Discovery
from .uploads import MAX_PER_SUBMISSION

#: The module an app declares its outbox kinds in.
MODULE = "outbox"
#: Names the JavaScript may build a body with. "form" (any app) sends the form's named fields;
#: the others are the cases pages' own builders in field.js. A page may add builders of its
#: own (`JuliOutbox.builders[name] = fn` in a script it loads) and name them here too.
BUILDERS = frozenset({"form", "inspection", "case", "transition"})

_KEY = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")
_ARG = re.compile(r"^[a-z][a-z0-9_]*$")
_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


@dataclass(frozen=True)
class OutboxKind:
    """One kind of submission the phone keeps and replays.

    - `key`: what a form names in `data-outbox` (and what a stored item keeps as its kind;
      never rename a key phones may still hold items of).
    - `label`: how an item of this kind reads in the outbox list when its form gives no
      `data-label` of its own (translatable, e.g. `gettext_lazy("Note")`).
    - `url_name` (reversed) or `url` (a path): where it is sent, by POST as JSON. `url_args`
      names the parts of the path taken from the form: each `arg` is read from the form's
      `data-<arg>` attribute when the user submits (with `url`, write them as `{arg}`).
    - How a replay is recognised: `key_header` sends the client UUID as the
      `Idempotency-Key` header, `key_field` puts it in the body under that name (both by
      default, as `core.idempotency.resolve_key` reads them; at least one).
    - `position`: the phone's position is read once at submit and sent as `lat`, `lng`
      (null when refused or unavailable).
    - `build`: the script function that turns the form into a body (see `BUILDERS`).
    - `after`: where the page goes once its item was accepted (a URL name without arguments,
      or a path); empty keeps the page's own "sent" card.
    """

    key: str
    label: str | Promise
    url_name: str = ""
    url: str = ""
    url_args: tuple[str, ...] = ()
    key_header: bool = True
    key_field: str = "client_uuid"
    position: bool = False
    build: str = "form"
    after: str = ""

    def __post_init__(self) -> None:
        where = f"Outbox kind {self.key!r}"
        if not _KEY.match(self.key):
            raise ImproperlyConfigured(f"{where}: the key must match {_KEY.pattern}.")
        if bool(self.url_name) == bool(self.url):
            raise ImproperlyConfigured(f"{where}: give exactly one of url_name and url.")
        if not all(_ARG.match(arg) for arg in self.url_args):
            raise ImproperlyConfigured(f"{where}: url_args must be lower-case identifiers.")
        if self.url and set(_PLACEHOLDER.findall(self.url)) != set(self.url_args):
            raise ImproperlyConfigured(f"{where}: the {{placeholders}} of url must be url_args.")
        if not self.key_header and not self.key_field:
            raise ImproperlyConfigured(
                f"{where}: the client UUID must travel as a header, a body field or both."
            )
        if self.build not in BUILDERS and not _ARG.match(self.build):
            raise ImproperlyConfigured(f"{where}: unknown builder {self.build!r}.")

    def endpoint(self) -> str:
        """The path the kind is sent to, with `{arg}` where a form's `data-<arg>` goes."""
        if self.url:
            return self.url
        return _reverse_pattern(self.url_name, self.url_args)

    def as_json(self) -> dict[str, Any]:
        """What the page hands to the script (labels in the request's language)."""
        after = self.after
        if after and not after.startswith("/"):
            after = reverse(after)
        return {
            "key": self.key,
            "label": str(self.label),
            "url": self.endpoint(),
            "key_header": self.key_header,
            "key_field": self.key_field,
            "position": self.position,
            "build": self.build,
            "after": after,
        }


def _reverse_pattern(url_name: str, args: tuple[str, ...]) -> str:
    """`reverse()` with `{arg}` in place of each argument.

    Reversed with sentinel values (digits first, then a UUID for `<uuid:…>` routes) that are
    then replaced, since a route's converter would refuse the braces themselves.
    """
    sentinels = (
        lambda i: str(987_654_321_000 + i),
        lambda i: f"00000000-0000-4000-8000-{987_654_321_000 + i:012d}",
    )
    for sentinel in sentinels:
        values = {arg: sentinel(i) for i, arg in enumerate(args)}
        try:
            path = reverse(url_name, kwargs=values or None)
        except NoReverseMatch:
            continue
        for arg, value in values.items():
            path = path.replace(value, "{" + arg + "}")
        return path
    raise ImproperlyConfigured(
        f"Outbox: {url_name!r} does not reverse with the arguments {list(args)}."
    )


class OutboxRegistry:
    """Kinds by key. Reading runs the apps' `outbox` modules once (lazy autodiscovery)."""

    def __init__(self, *, discover: bool = True) -> None:
        self._kinds: dict[str, OutboxKind] = {}
        self._discovery = Discovery(MODULE) if discover else None
        self._lock = threading.Lock()

    def register(self, kind: OutboxKind) -> OutboxKind:
        """Add `kind`. The same kind again is a no-op; another under its key is refused."""
        with self._lock:
            known = self._kinds.get(kind.key)
            if known is not None and known != kind:
                raise ImproperlyConfigured(
                    f"Outbox kind {kind.key!r} is already registered as {known!r}."
                )
            self._kinds[kind.key] = kind
        return kind

    def _discover(self) -> None:
        if self._discovery is not None:
            self._discovery()

    def kinds(self) -> dict[str, OutboxKind]:
        """Every registered kind, by key, in the order of registration."""
        self._discover()
        return dict(self._kinds)

    def get(self, key: str) -> OutboxKind:
        """The kind registered under `key` (`LookupError` if none)."""
        kind = self.kinds().get(key)
        if kind is None:
            raise LookupError(f"No outbox kind {key!r}.")
        return kind

    def for_page(self) -> dict[str, dict[str, Any]]:
        """Every kind as the script reads it, by key (URLs reversed, labels translated)."""
        return {key: kind.as_json() for key, kind in self.kinds().items()}


#: The registry of the running project.
registry = OutboxRegistry()
register = registry.register
kinds = registry.kinds
get = registry.get


def messages() -> dict[str, str]:
    """What the outbox script says, in the request's language (the script holds no text)."""
    return {
        "waiting": _("%(n)s waiting to send"),
        "none_waiting": _("Nothing waiting to send"),
        "sending": _("Sending…"),
        "offline": _("Offline: kept on this phone, sent when the network returns."),
        "queued": _("Saved on this phone. It is sent as soon as the network allows."),
        "sent": _("Sent."),
        "failed": _("Not accepted"),
        "conflict": _("Conflict, nothing was changed:"),
        "signin": _("Your sign-in has expired: sign in again, then tap Retry."),
        "retry": _("Retry"),
        "discard": _("Discard"),
        "discard_confirm": _("Discard this submission? It is deleted from this phone."),
        "no_storage": _("This browser cannot keep submissions offline."),
        "unknown_kind": _("This page cannot send this form: reload it and try again."),
        # Checked at the field before anything is queued (field.js, checkForm/photoProblem).
        "required": _("Fill this in."),
        "choose": _("Choose one."),
        "too_long": _("At most %(max)s characters; this has %(n)s."),
        "check_fields": _("Some entries need changing: see the messages beside them."),
        "photo_label": _("Photos"),
        "photo_required": _("Add a photo."),
        "too_many_photos": _("At most %(max)s photos; %(n)s are chosen."),
        "photo_empty": _("The photo is empty (zero bytes)."),
        "photo_too_large": _("The photo is larger than %(mb)s MB."),
        "not_a_photo": _("This file is not a photo."),
        "photo_format": _("Photos must be JPEG, PNG or HEIC; this file is %(kind)s."),
        # The outbox's states and the server's refusals (field.js, render/describe/reopen).
        "waiting_row": _("Waiting to send."),
        "transport": _("no network, or the server is busy"),
        "retrying": _("Not sent yet (%(why)s); it is tried again by itself."),
        "attention": _("Needs your attention"),
        "attention_count": _("%(n)s need your attention"),
        "edit": _("Edit and submit again"),
        "edit_intro": _(
            "The server did not accept this. Change what the messages say, then submit again."
        ),
        "edit_missing": _(
            "Its form is no longer on this page (the step may be done already): discard it."
        ),
        "already_done": _("Already done: nothing more to send."),
        "field_invalid": _("This entry was not accepted."),
        "refused": _("The server did not accept this submission."),
        "refused_403": _("Your posts do not allow this."),
        "refused_404": _("What this refers to is gone or outside your scope."),
        "refused_409": _("It was changed in the meantime: nothing was done."),
        "refused_413": _("This is larger than the server accepts."),
        "refused_415": _("The server cannot read this kind of file."),
    }


def upload_limits() -> dict[str, int]:
    """The server's photo limits, for the photo inputs' `data-max-bytes` / `data-max-files`."""
    return {"max_bytes": settings.JULI_MAX_UPLOAD_BYTES, "max_files": MAX_PER_SUBMISSION}


def page_context(**extra_messages: str) -> dict[str, Any]:
    """The context a field page's frame needs: `outbox_kinds`, `field_messages` and
    `upload_limits` (what the photo inputs' data attributes say, `upload_limits()`).

    `extra_messages` are the page's own texts for its own builders (they reach the script
    in the same `field-messages` JSON).
    """
    return {
        "outbox_kinds": registry.for_page(),
        "field_messages": {**messages(), **extra_messages},
        "upload_limits": upload_limits(),
    }

"""The one workflow helper: a state machine as data, one `transition()`, one event log.

An app with a workflow keeps, beside its model (see docs/workflows.md):

- a `Status` TextChoices on the model (the field is named `status`);
- `TRANSITIONS: dict[str, Move]`, action → (from-states, to-state, roles);
- an event model inheriting `AbstractEvent`, with its foreign key to the object;

and its `actions.py` moves an object only through `transition()` (or, for a step that is
more than a move, `check_move()` + `append_event()` inside its own transaction).

`transition()` runs in one transaction: it locks the row, refuses an unknown action and a
move from a state not in `move.sources` (`TransitionError`, or the app's own error class),
lets the app check rights and rules, sets the fields of the step, saves `status` and those
fields with `update_fields`, appends the event row, writes the audit row and queues the
after-commit work. A refusal writes nothing.

Observers: `observe("app_label.EventModel", fn)` registers `fn(event)`, called for every
event row `append_event()` writes, inside the writer's transaction (a rolled-back step
leaves no trace in what the observer keeps). Apps declare observers in their own
`observers.py`; the first `append_event()` imports every installed app's `observers`
module once (`autodiscover_modules`, as Django admin does with `admin.py`). Calling
`observe()` anywhere else works too; registering the same function twice is harmless.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .audit import record
from .discovery import Discovery
from .writes import user_of

M = TypeVar("M", bound=models.Model)

#: The module name every app may hold to register observers (`juli/<app>/observers.py`).
OBSERVERS_MODULE = "observers"


class Move(NamedTuple):
    """One row of a `TRANSITIONS` table: the states it leaves from, the state it leads to,
    and the roles that may make it (empty: the app's `check` decides alone)."""

    sources: frozenset[str]
    target: str
    roles: frozenset[str] = frozenset()


class TransitionError(ValidationError):
    """An illegal move (unknown action, wrong state). Raised before any write."""


class AbstractEvent(models.Model):
    """One step in an object's life: who, when, which action, from which state to which,
    a note and structured data. History pages read these rows and nothing else.

    A subclass adds its foreign key to the object (`case`, `letter`, ...), its `Meta`
    (verbose names; `class Meta(AbstractEvent.Meta)` keeps the ordering) and may override a
    field (a longer `action`) or drop one it never had (`note = None`, `data = None`).
    """

    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=16)
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}→{self.to_status}"


# --- Observers ------------------------------------------------------------------------------

_observers: dict[str, list[Callable[[Any], object]]] = {}
_discovery = Discovery(OBSERVERS_MODULE)


def observe(event_label: str, fn: Callable[[Any], object]) -> None:
    """Call `fn(event)` for every row `append_event` writes to the event model
    `event_label` ("app_label.ModelName", case-insensitive), inside the writer's transaction.

    Idempotent: the same function registered again is called once. An exception raised by
    `fn` rolls the whole step back.
    """
    fns = _observers.setdefault(event_label.lower(), [])
    if fn not in fns:
        fns.append(fn)


def observers_of(event_model: type[models.Model]) -> list[Callable[[Any], object]]:
    """The functions observing `event_model`, in the order they were registered (reading
    the registry imports every app's `observers` module the first time)."""
    _discover()
    return list(_observers.get(event_model._meta.label_lower, ()))


def _discover() -> None:
    _discovery()


# --- The event log --------------------------------------------------------------------------

_object_fields: dict[tuple[type[models.Model], type[models.Model]], str] = {}


def _object_field(event_model: type[models.Model], obj: models.Model) -> str:
    """The name of the event model's foreign key to `obj`'s model."""
    key = (event_model, type(obj))
    if key not in _object_fields:
        names = [
            f.name
            for f in event_model._meta.concrete_fields
            if f.many_to_one
            and f.name != "actor"
            and f.related_model is not None
            and isinstance(obj, f.related_model)  # type: ignore[arg-type]
        ]
        if len(names) != 1:
            raise ImproperlyConfigured(
                f"{event_model._meta.label} needs exactly one foreign key to "
                f"{type(obj)._meta.label}; found {names}."
            )
        _object_fields[key] = names[0]
    return _object_fields[key]


def append_event(
    event_model: type[M],
    obj: models.Model,
    *,
    actor: Any,
    action: str,
    from_status: str,
    to_status: str,
    note: str = "",
    data: Mapping[str, Any] | None = None,
    at: datetime.datetime | None = None,
    **extra: Any,
) -> M:
    """Write one event row for `obj` and call the observers of `event_model`.

    Runs inside the caller's transaction (call it there). `actor` may be a user or None
    (the system; anything that is not a user is stored as None). `at` defaults to now.
    The note is cut to the field's length. A model without `note` or `data` (dropped with
    `= None`) does not store them: the audit row still carries them. `extra` sets the
    event model's own columns (letters' `content_hash`).
    """
    names = {f.name: f for f in event_model._meta.concrete_fields}
    values: dict[str, Any] = {
        "actor": user_of(actor),
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        **extra,
    }
    field_name = _object_field(event_model, obj)
    values.setdefault(field_name, obj)
    if at is not None:
        values["at"] = at
    if "note" in names:
        limit = names["note"].max_length
        values["note"] = note[:limit] if limit else note
    if "data" in names:
        values["data"] = dict(data or {})
    event = event_model._default_manager.create(**values)
    for fn in observers_of(event_model):
        fn(event)
    return event


# --- Moves ------------------------------------------------------------------------------------

#: A message for an illegal move: a fixed text, or `message(obj, action)` (obj may be None).
Message = str | Promise | Callable[[Any, str], str]


def check_move(
    obj: models.Model | None,
    action: str,
    *,
    table: Mapping[str, Move],
    error: type[ValidationError] = TransitionError,
    message: Message | None = None,
    action_labels: Mapping[str, Any] | None = None,
) -> Move:
    """The move `action` makes from `obj`'s status, or a refusal (nothing is written).

    `obj=None` stands for a record not made yet (status ""). Raises `error` with
    `code="unknown_action"` when `action` is not in `table`, `code="illegal_state"` when the
    status is not in `move.sources`; the message names the status (its display) and the
    action (`action_labels[action]`, else the action itself) unless `message` is given.
    """
    move = table.get(action)
    if move is None:
        raise error(
            gettext("Unknown action: %(action)s.") % {"action": action}, code="unknown_action"
        )
    current = getattr(obj, "status", "") if obj is not None else ""
    if current in move.sources:
        return move
    if callable(message):
        text = message(obj, action)
    elif message is not None:
        text = str(message)
    else:
        text = gettext("A %(thing)s that is “%(status)s” cannot be given “%(action)s”.") % {
            "thing": obj._meta.verbose_name if obj is not None else gettext("record"),
            "status": _status_display(obj),
            "action": (action_labels or {}).get(action, action),
        }
    raise error(text, code="illegal_state")


def _status_display(obj: models.Model | None) -> str:
    if obj is None:
        return ""
    display = getattr(obj, "get_status_display", None)
    return str(display()) if callable(display) else str(getattr(obj, "status", ""))


def lock(obj: M, queryset: models.QuerySet[M] | None = None) -> M:
    """A fresh copy of `obj`'s row, locked until the end of the transaction
    (`select_for_update`; call it inside one). `queryset` adds `select_related` and the like."""
    qs = queryset if queryset is not None else type(obj)._default_manager.all()
    return qs.select_for_update().get(pk=obj.pk)


#: `audit_values(locked, from_status, data) -> (before, after)` of the audit row.
AuditValues = Callable[
    [Any, str, dict[str, Any]], tuple[dict[str, Any] | None, dict[str, Any] | None]
]


def transition(
    actor: Any,
    obj: M,
    action: str,
    *,
    table: Mapping[str, Move],
    event_model: type[models.Model],
    check: Callable[[Any, Any, Move], None] | None = None,
    effects: Callable[[Any, Move, datetime.datetime], tuple[Iterable[str], dict[str, Any]]]
    | None = None,
    note: str = "",
    at: datetime.datetime | None = None,
    audit_verb: str | None = None,
    after_commit: Callable[[Any], object] | None = None,
    label: str | None = None,
    error: type[ValidationError] = TransitionError,
    message: Message | None = None,
    action_labels: Mapping[str, Any] | None = None,
    queryset: models.QuerySet[M] | None = None,
    locked: bool = False,
    event_extra: Mapping[str, Any] | None = None,
    audit_values: AuditValues | None = None,
) -> M:
    """Make one step `action` of `obj`'s workflow `table`; return the locked, updated object
    (a fresh object unless `locked`: the one passed in is left as it was).

    In one transaction, in this order:

    1. lock the row: `select_for_update` on a fresh get through `queryset` (default: the
       model's manager); `locked=True` says the caller already holds the lock on `obj` in
       this transaction, and `obj` itself is used;
    2. `check_move`: `error(code="unknown_action")`, `error(code="illegal_state")` with
       `message` (see `check_move`);
    3. `check(actor, locked, move)`: rights and the app's rules, raising
       (PermissionDenied, Http404, `error` with its code); nothing is written yet;
    4. `effects(locked, move, now) -> (fields, data)`: sets the step's fields on the locked
       object and returns their names and the step's data (`now` is `at` or now);
    5. saves `status` and `fields` with `update_fields`;
    6. `append_event(event_model, ...)` with the note, the data (where the model keeps
       them), `at=now` and `event_extra` (observers run here);
    7. an audit row: verb `audit_verb` or f"{label}.{action}" (label defaults to the
       model name: "bulletin"), before={"status": from}, after={"status": to, **data},
       note; `audit_values(locked, from, data) -> (before, after)` replaces the two dicts;
    8. `after_commit(locked)` queued with `transaction.on_commit` (runs only if the
       outermost transaction commits).

    `actor=None` is the system; rights are the app's business in `check`.
    """
    with transaction.atomic():
        current = obj if locked else lock(obj, queryset)
        move = check_move(
            current,
            action,
            table=table,
            error=error,
            message=message,
            action_labels=action_labels,
        )
        if check is not None:
            check(actor, current, move)
        now = at or timezone.now()
        before = current.status  # type: ignore[attr-defined]
        fields, data = effects(current, move, now) if effects is not None else ((), {})
        current.status = move.target  # type: ignore[attr-defined]
        current.save(update_fields=list(dict.fromkeys(["status", *fields])))
        append_event(
            event_model,
            current,
            actor=actor,
            action=action,
            from_status=before,
            to_status=move.target,
            note=note,
            data=data,
            at=now,
            **(event_extra or {}),
        )
        if audit_values is not None:
            audit_before, audit_after = audit_values(current, before, data)
        else:
            audit_before, audit_after = {"status": before}, {"status": move.target, **data}
        record(
            actor,
            audit_verb or f"{label or current._meta.model_name}.{action}",
            current,
            before=audit_before,
            after=audit_after,
            note=note,
        )
        if after_commit is not None:
            transaction.on_commit(lambda: after_commit(current))
    return current

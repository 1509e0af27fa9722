"""The rules of the case loop, checked before any write (the writes are in `actions.py`).

Every rule of a case step is checked here and nowhere else: the pages, the API, the demo
and commands call `actions.transition` (or a verb around it) and only translate its refusal
into their answer.

`actions.transition` runs `precheck` on the row it has just locked, then
`juli.core.workflow.transition` checks the move against `TRANSITIONS` and calls
`check_transition`. The refusals come in this order:

1. `TransitionError(code="unknown_action" | "unexpected_argument")` for a call that makes
   no sense whoever makes it (`precheck`);
2. `Http404` when the actor cannot see the case (as `access_case` would; `precheck`);
3. `TransitionError(code="illegal_state")` when the case is not in a from-state of the move
   (core's `check_move`, with `illegal_state_message`);
4. `PermissionDenied` when none of the actor's posts holds a role of the move over the
   case's area (or, for unit roles, over the case's unit);
5. the rules: `TransitionError` with the code of the rule that fails (`note_required`,
   `unit_required`, `unit_inactive`, `after_photo_required`, `same_person`,
   `requester_required`, `requester_out_of_scope`), or `ArgumentOutOfScope` (a
   `PermissionDenied`) for a unit outside the actor's scope.

`actor=None` is the system (commands, the demo): it skips 2, 4 and the scope of the unit,
never the other rules.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from juli.core import workflow as core_workflow
from juli.core.types import Actor
from juli.core.workflow import Move
from juli.orgs.access import scope_of, visible_units

from . import access
from .models import TRANSITIONS, Case, CasePhoto


class TransitionError(core_workflow.TransitionError):
    """An illegal move of a case. Raised before any write: nothing was changed."""


class ArgumentOutOfScope(PermissionDenied):
    """An argument of the step (the unit) lies outside the actor's scope. `field` names it,
    so that a form or an API body can say which of its values was refused."""

    def __init__(self, message: Any, *, field: str) -> None:
        super().__init__(message)
        self.field = field


#: How each action reads in a sentence and on a button.
ACTION_LABELS = {
    "accept": _("accept"),
    "reject": _("reject"),
    "dispatch": _("dispatch"),
    "rectify": _("report rectified"),
    "verify": _("verify"),
    "send_back": _("send back"),
    "close": _("close"),
    "defer": _("defer"),
    "resume": _("resume"),
    "reopen": _("reopen"),
}

#: Keyword arguments each action takes beyond the note. `photos` are the after-photos the
#: rectify step stores in its own transaction (`actions.rectify_case`).
ACTION_ARGUMENTS: dict[str, frozenset[str]] = {
    "dispatch": frozenset({"unit"}),
    "resume": frozenset({"unit"}),
    "defer": frozenset({"requested_by"}),
    "rectify": frozenset({"photos"}),
}

#: Actions that must say why: the note is the reason shown to the reporter or the unit.
NOTE_REQUIRED = frozenset({"reject", "send_back", "defer", "reopen"})


def illegal_state_message(case: Case, action: str) -> str:
    """The refusal of a move from the wrong state (core's `check_move` `message`)."""
    return gettext("A case that is “%(status)s” cannot be given “%(action)s”.") % {
        "status": case.get_status_display(),
        "action": ACTION_LABELS.get(action, action),
    }


def requester_out_of_scope() -> TransitionError:
    """The refusal of a deferral's requester who does not work on the case. The API gives
    the same answer for a user id that names nobody (whether an id exists is not said)."""
    return TransitionError(
        _("The person who asked for the deferral does not work on this case."),
        code="requester_out_of_scope",
    )


def precheck(actor: Actor, case: Case, action: str, kwargs: dict[str, Any]) -> None:
    """Refusals 1 and 2 (see the module doc): before the state is even looked at."""
    if action not in TRANSITIONS:
        raise TransitionError(
            _("Unknown action: %(action)s."), code="unknown_action", params={"action": action}
        )
    unexpected = set(kwargs) - ACTION_ARGUMENTS.get(action, frozenset())
    if "photos" in unexpected:
        raise TransitionError(_("Photos go with the rectify step."), code="unexpected_argument")
    if unexpected:
        raise TransitionError(
            _("Unexpected arguments: %(names)s."),
            code="unexpected_argument",
            params={"names": ", ".join(sorted(unexpected))},
        )
    if actor is not None and not access.can_see_case(actor, case):
        raise Http404


def check_transition(
    actor: Actor, case: Case, action: str, move: Move, *, note: str, **kwargs: Any
) -> None:
    """Refusals 4 and 5 (see the module doc), on the locked case, for a legal move."""
    if actor is not None and not access.holds(
        scope_of(actor), move.roles, area_path=case.area_path, unit_id=case.unit_id
    ):
        raise PermissionDenied(_("Your posts do not allow this step on this case."))
    _check_rules(actor, case, action, note=note, **kwargs)


def _check_rules(actor: Actor, case: Case, action: str, *, note: str, **kwargs: Any) -> None:
    if action in NOTE_REQUIRED and not note.strip():
        raise TransitionError(_("Give the reason."), code="note_required")
    if action in {"dispatch", "resume"}:
        _check_unit(actor, case, kwargs.get("unit"))
    if (
        action == "rectify"
        and not kwargs.get("photos")
        and not case.photos.filter(kind=CasePhoto.Kind.AFTER).exists()
    ):
        raise TransitionError(
            _("Upload at least one photo of the rectified place."), code="after_photo_required"
        )
    if action in {"verify", "send_back"} and actor is not None and case.rectified_by_id == actor.pk:
        raise TransitionError(
            _("The rectification is verified by someone other than who rectified it."),
            code="same_person",
        )
    if action == "defer":
        _check_requester(actor, case, kwargs.get("requested_by"))


def _check_unit(actor: Actor, case: Case, named: Any) -> None:
    """The unit named by the caller (else the case's own): there, active, and in scope."""
    unit = named or case.unit
    if unit is None:
        raise TransitionError(_("Choose the responsible unit."), code="unit_required")
    if not unit.is_active:
        raise TransitionError(_("This unit is no longer active."), code="unit_inactive")
    if (
        actor is not None
        and named is not None
        and not visible_units(actor).filter(pk=unit.pk).exists()
    ):
        # A unit the caller names must lie in their scope, whoever the caller is (the pages
        # and the API offer only those); keeping the case's own unit needs no such right.
        raise ArgumentOutOfScope(_("That unit is outside the scope of your posts."), field="unit")


def _check_requester(actor: Actor, case: Case, requester: Any) -> None:
    if requester is None:
        raise TransitionError(_("Name who asked for the deferral."), code="requester_required")
    if actor is not None and requester.pk == actor.pk:
        raise TransitionError(
            _("A deferral is approved by someone other than who asked for it."),
            code="same_person",
        )
    if not requester.is_active or not access.can_see_case(requester, case):
        raise requester_out_of_scope()

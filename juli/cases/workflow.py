"""The rules of the case loop, checked before any write (the writes are in `actions.py`).

`check_transition` is called by `actions.transition` on the row it has just locked. It
raises, in this order:

1. `TransitionError(code="unknown_action" | "unexpected_argument")` for a call that makes
   no sense whoever makes it;
2. `Http404` when the actor cannot see the case (as `access_case` would);
3. `TransitionError(code="illegal_state")` when the case is not in a from-state of the move;
4. `PermissionDenied` when none of the actor's posts holds a role of the move over the
   case's area (or, for unit roles, over the case's unit);
5. `TransitionError` with the code of the rule that fails: `note_required`,
   `unit_required`, `unit_inactive`, `after_photo_required`, `same_person`,
   `requester_required`, `requester_out_of_scope`.

`actor=None` is the system (commands, the demo): it skips 2 and 4, never the rules.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from juli.orgs.access import scope_of, visible_units

from . import access
from .models import TRANSITIONS, Case, CasePhoto, Move


class TransitionError(ValidationError):
    """An illegal move of a case. Raised before any write: nothing was changed."""


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

#: Keyword arguments each action takes beyond the note.
ACTION_ARGUMENTS: dict[str, frozenset[str]] = {
    "dispatch": frozenset({"unit"}),
    "resume": frozenset({"unit"}),
    "defer": frozenset({"requested_by"}),
}

#: Actions that must say why: the note is the reason shown to the reporter or the unit.
NOTE_REQUIRED = frozenset({"reject", "send_back", "defer", "reopen"})


def check_transition(actor: Any, case: Case, action: str, *, note: str, **kwargs: Any) -> Move:
    """Raise unless `actor` may make `action` on `case` now with these arguments."""
    move = TRANSITIONS.get(action)
    if move is None:
        raise TransitionError(
            _("Unknown action: %(action)s."), code="unknown_action", params={"action": action}
        )
    unexpected = set(kwargs) - ACTION_ARGUMENTS.get(action, frozenset())
    if unexpected:
        raise TransitionError(
            _("Unexpected arguments: %(names)s."),
            code="unexpected_argument",
            params={"names": ", ".join(sorted(unexpected))},
        )
    if actor is not None and not access.can_see_case(actor, case):
        raise Http404
    if case.status not in move.sources:
        raise TransitionError(
            _("A case that is “%(status)s” cannot be given “%(action)s”."),
            code="illegal_state",
            params={"status": case.get_status_display(), "action": ACTION_LABELS[action]},
        )
    if actor is not None and not access.holds(
        scope_of(actor), move.roles, area_path=case.area_path, unit_id=case.unit_id
    ):
        raise PermissionDenied(_("Your posts do not allow this step on this case."))
    _check_rules(actor, case, action, note=note, **kwargs)
    return move


def _check_rules(actor: Any, case: Case, action: str, *, note: str, **kwargs: Any) -> None:
    if action in NOTE_REQUIRED and not note.strip():
        raise TransitionError(_("Give the reason."), code="note_required")
    if action in {"dispatch", "resume"}:
        unit = kwargs.get("unit") or case.unit
        if unit is None:
            raise TransitionError(_("Choose the responsible unit."), code="unit_required")
        if not unit.is_active:
            raise TransitionError(_("This unit is no longer active."), code="unit_inactive")
        if (
            actor is not None
            and unit.pk != case.unit_id
            and not visible_units(actor).filter(pk=unit.pk).exists()
        ):
            # The pages and the API only offer units in scope; this holds for every caller.
            raise PermissionDenied(_("That unit is outside the scope of your posts."))
    if action == "rectify" and not case.photos.filter(kind=CasePhoto.Kind.AFTER).exists():
        raise TransitionError(
            _("Upload at least one photo of the rectified place."), code="after_photo_required"
        )
    if action in {"verify", "send_back"} and actor is not None and case.rectified_by_id == actor.pk:
        raise TransitionError(
            _("The rectification is verified by someone other than who rectified it."),
            code="same_person",
        )
    if action == "defer":
        requester = kwargs.get("requested_by")
        if requester is None:
            raise TransitionError(_("Name who asked for the deferral."), code="requester_required")
        if actor is not None and requester.pk == actor.pk:
            raise TransitionError(
                _("A deferral is approved by someone other than who asked for it."),
                code="same_person",
            )
        if not access.can_see_case(requester, case):
            raise TransitionError(
                _("The person who asked for the deferral does not work on this case."),
                code="requester_out_of_scope",
            )

"""The letters' notification kinds, and who is told at each step (issue 14).

| step                          | kind               | told                                     |
|-------------------------------|--------------------|------------------------------------------|
| issued                        | `letter_issued`    | the receiving organisation's secretary   |
| signed by one party           | `letter_signed`    | the other party's secretary (to sign)    |
| signed by both (countersign)  | `letter_signed`    | the party that signed first              |
| self-assessment submitted     | `letter_assessed`  | the issuing organisation's secretary     |
| self-assessment returned      | `letter_returned`  | the receiving secretary, with the note   |
| reviewed (graded)             | `letter_graded`    | the receiving secretary: total and grade |
| result published              | `letter_published` | the receiving secretary                  |

"Secretary" is the current holder of the post the letter binds for that side (a successor
in office reads it), through their account. The actor is never told of their own step.
Channels: those of the organisation told (an org channel that takes the kind, or one of an
ancestor covering it). Titles are rendered in each reader's language (`juli.notify.text`).
Called by `juli.letters.actions` inside the step's transaction; the event key is the letter,
the step and its time, so a replay adds nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from juli.core.notices import NoticeKind, register
from juli.core.types import Actor
from juli.orgs.models import User

from . import access
from .models import Letter, Signature

ISSUED = register(
    NoticeKind(
        "letter_issued",
        _("Responsibility letter to sign"),
        description=_("A responsibility letter was issued to the organisation."),
    )
)
SIGNED = register(
    NoticeKind(
        "letter_signed",
        _("Responsibility letter signed"),
        description=_("One party signed a responsibility letter."),
    )
)
ASSESSED = register(
    NoticeKind(
        "letter_assessed",
        _("Self-assessment to review"),
        description=_("A receiving organisation submitted its year-end self-assessment."),
    )
)
RETURNED = register(
    NoticeKind(
        "letter_returned",
        _("Self-assessment returned"),
        description=_("The issuing organisation returned a self-assessment to be redone."),
    )
)
GRADED = register(
    NoticeKind(
        "letter_graded",
        _("Year-end assessment graded"),
        description=_("The issuing organisation finished the year-end review with a grade."),
    )
)
PUBLISHED = register(
    NoticeKind(
        "letter_published",
        _("Assessment result published"),
        description=_("The year-end result of a responsibility letter was published."),
    )
)


def _holders(letter: Letter, side: str) -> list[User]:
    """The account of the current holder of the post the letter binds for `side`."""
    post = access.signing_post(letter, side)
    if post is None:
        return []
    return list(User.objects.filter(person_id=post.person_id, is_active=True))


def _tell(
    letter: Letter,
    step: str,
    kind: NoticeKind,
    title: Promise,
    side: str,
    actor: Actor,
    *,
    text: Promise | str = "",
    now: datetime.datetime | None = None,
) -> None:
    from juli.notify.actions import notify

    now = now or timezone.now()
    actor_pk = getattr(actor, "pk", None)
    org = letter.receiver_org if side == Signature.Side.RECEIVER else letter.issuer_org
    notify(
        f"letter:{letter.pk}:{step}:{now.strftime('%Y%m%dT%H%M%S%f')}",
        kind=kind.key,
        title=title,
        text=text,
        url=reverse("letter-detail", args=[letter.pk]),
        users=[u for u in _holders(letter, side) if u.pk != actor_pk],
        org=org,
        now=now,
    )


def announce(letter: Letter, step: str, actor: Actor, *, note: str = "", **extra: Any) -> None:
    """The notice of one step of `letter` (see the table above)."""
    from juli.notify.text import lazy_format

    name = letter.title
    issuer, receiver = letter.issuer_org.name, letter.receiver_org.name
    R, I = Signature.Side.RECEIVER, Signature.Side.ISSUER  # noqa: E741 - the two sides
    if step == "issue":
        title = lazy_format(
            _("“%(letter)s” from %(issuer)s awaits your signature"), letter=name, issuer=issuer
        )
        _tell(letter, step, ISSUED, title, R, actor)
    elif step in {"sign", "countersign"}:
        signed_side = extra["side"]
        other = I if signed_side == R else R
        who = receiver if signed_side == R else issuer
        if step == "sign":
            title = lazy_format(
                _("%(org)s signed “%(letter)s”: your signature is awaited"), org=who, letter=name
            )
        else:
            title = lazy_format(
                _("“%(letter)s” is signed by both parties (%(org)s signed last)"),
                letter=name,
                org=who,
            )
        _tell(letter, step, SIGNED, title, other, actor)
    elif step == "self_assess":
        title = lazy_format(
            _(
                "%(org)s submitted the self-assessment of “%(letter)s” (%(total)s points): review it"
            ),
            org=receiver,
            letter=name,
            total=letter.self_total,
        )
        _tell(letter, step, ASSESSED, title, I, actor)
    elif step == "return":
        title = lazy_format(
            _("The self-assessment of “%(letter)s” was returned: %(note)s"), letter=name, note=note
        )
        _tell(letter, step, RETURNED, title, R, actor, text=note)
    elif step == "review":
        title = lazy_format(
            _("“%(letter)s” assessed: %(total)s points, %(grade)s"),
            letter=name,
            total=letter.final_total,
            grade=extra["grade"],
        )
        _tell(letter, step, GRADED, title, R, actor)
    elif step == "publish":
        title = lazy_format(
            _("The year-end result of “%(letter)s” is published: %(total)s points, %(grade)s"),
            letter=name,
            total=letter.final_total,
            grade=extra["grade"],
        )
        _tell(letter, step, PUBLISHED, title, R, actor)

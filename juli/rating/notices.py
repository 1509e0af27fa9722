"""Notification kinds of branch rating (`juli.core.notices`). Who is told, with what, is
written beside each write (`actions/`). Found by core's lazy autodiscovery.

The branch side first (a round opened, an assessment returned to the branch, one submitted
to the organisers); the review side appends its own kinds below.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from juli.core.notices import NoticeKind, register

# --- The branch's self-assessment ---------------------------------------------------------------

RATING_OPENED = register(
    NoticeKind(
        "rating_opened",
        _("Rating round opened"),
        description=_(
            "A star rating round opened: your branch's self-assessment waits, pre-filled."
        ),
    )
)
RATING_RETURNED = register(
    NoticeKind(
        "rating_returned",
        _("Rating self-assessment returned"),
        description=_("The organisers returned your branch's self-assessment to complete."),
    )
)
RATING_SUBMITTED = register(
    NoticeKind(
        "rating_submitted",
        _("Self-assessment submitted"),
        description=_("A branch submitted its self-assessment for your review."),
    )
)

# --- The review side ----------------------------------------------------------------------------

RATING_REVIEWED = register(
    NoticeKind(
        "rating_reviewed",
        _("Self-assessment reviewed"),
        description=_("The organisers reviewed your branch's self-assessment: score and stars."),
    )
)
RATING_PUBLICITY = register(
    NoticeKind(
        "rating_publicity",
        _("Star rating on public notice"),
        description=_("The proposed stars of a rating round are on public notice."),
    )
)
RATING_OBJECTION = register(
    NoticeKind(
        "rating_objection",
        _("Objection to a rating"),
        description=_("An objection was raised during a public notice, or answered."),
    )
)
RATING_PUBLISHED = register(
    NoticeKind(
        "rating_published",
        _("Star rating published"),
        description=_("A rating round was published: the stars are in force."),
    )
)
RATING_STARS_CHANGED = register(
    NoticeKind(
        "rating_stars_changed",
        _("Stars lowered or withdrawn"),
        description=_("A branch's stars were lowered or withdrawn by a recorded decision."),
    )
)

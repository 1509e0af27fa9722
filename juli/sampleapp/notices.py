"""The notification kind of a filed note (`juli.core.notices`); `actions.file_note` announces
it through `juli.notify.actions.notify()`. Found by core's lazy autodiscovery."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from juli.core.notices import NoticeKind, register

NOTE_FILED = register(
    NoticeKind(
        "note_filed", _("Field note filed"), description=_("A field note was filed in the area.")
    )
)

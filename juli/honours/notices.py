"""Notification kinds of honours (`juli.core.notices`)."""

from django.utils.translation import gettext_lazy as _

from juli.core.notices import NoticeKind, register

HONOUR_CALL = register(
    NoticeKind(
        "honour_call",
        _("Nominations for an honour open"),
        description=_("An organisation opened a call for nominations for an honour."),
    )
)
HONOUR_NOMINATED = register(
    NoticeKind(
        "honour_nominated",
        _("Nominated for an honour"),
        description=_("A nomination was made, accepted or rejected."),
    )
)
HONOUR_CONFERRED = register(
    NoticeKind(
        "honour_conferred",
        _("Honour conferred or published"),
        description=_("An honour was conferred, published or revoked."),
    )
)

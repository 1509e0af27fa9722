"""The phone forms of meetings as outbox kinds (`juli.core.outbox`): a sign-in and a leave
request are kept on the phone while offline and sent with their client UUID until the
server answers. Found by core's lazy autodiscovery."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from juli.core.outbox import OutboxKind, register

SIGN_IN = register(
    OutboxKind("meetings.signin", _("Meeting sign-in"), url_name="api-meetings-signin")
)
LEAVE = register(
    OutboxKind(
        "meetings.leave",
        _("Leave request"),
        url_name="api-meetings-leave",
        url_args=("pk",),
        after="meetings-field-home",
    )
)

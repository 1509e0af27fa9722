"""The phone forms of observation visits as outbox kinds (`juli.core.outbox`): a score sheet
and a rectification item's evidence are kept on the phone while offline and sent with their
client UUID until the server answers (`api.py` answers a replay once). Found by core's lazy
autodiscovery."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from juli.core.outbox import OutboxKind, register

SCORE = register(
    OutboxKind(
        "observation.score",
        _("Observation score sheet"),
        url_name="api-observation-visit-score",
        url_args=("pk",),
        build="observation_score",
        after="observation-field-home",
    )
)
CLOSE = register(
    OutboxKind(
        "observation.close",
        _("Rectification evidence"),
        url_name="api-observation-rectification-close",
        url_args=("pk",),
        after="observation-field-home",
    )
)

"""What the phone pages of the loop send through the offline outbox (`juli.core.outbox`).

The keys are the ones phones already keep in their outboxes: never rename them. The API
answers a replay of the same client UUID from `core.idempotency`, and underneath the actions
dedupe by the unique `client_uuid` of inspections and cases.
"""

from django.utils.translation import gettext_lazy as _

from juli.core.outbox import OutboxKind, register

#: A checklist filled at a point (`inspect.html`); failed items become cases on the server.
INSPECTION = register(
    OutboxKind(
        "inspection",
        _("Inspection"),
        url_name="api-inspection-list",
        position=True,
        build="inspection",
    )
)
#: A problem reported on the spot (`report.html`).
CASE = register(
    OutboxKind("case", _("New case"), url_name="api-case-list", position=True, build="case")
)
#: A step of one case taken on the phone: rectify, verify, send back (`case.html`).
TRANSITION = register(
    OutboxKind(
        "transition",
        _("Case step"),
        url_name="api-case-transitions",
        url_args=("pk",),
        build="transition",
    )
)

"""The phone form of a note as an outbox kind (`juli.core.outbox`): kept on the phone while
offline, sent to `api-sample-note-list` with its client UUID until the server answers.
Found by core's lazy autodiscovery."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from juli.core.outbox import OutboxKind, register

NOTE = register(OutboxKind("sampleapp.note", _("Field note"), url_name="api-sample-note-list"))

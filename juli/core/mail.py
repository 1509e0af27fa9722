"""The development e-mail backend: one line per message on the console.

Django's console backend prints every message whole (headers, both bodies, base64 parts),
and the demo's notifications send dozens: in the terminal of `make run` they pushed the demo
logins out of sight. This backend writes `e-mail to a@x, b@y: subject` instead, and the whole
message when JULI_EMAIL_CONSOLE_BODIES=1 (what `juli serve -v 2` sets for itself and its
worker). It is the default while DEBUG (`config/settings.py`); production sends by SMTP.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.mail.backends.console import EmailBackend as ConsoleBackend

#: The environment variable that asks for whole messages.
BODIES_ENV = "JULI_EMAIL_CONSOLE_BODIES"


def bodies_wanted() -> bool:
    return os.environ.get(BODIES_ENV, "").strip().lower() not in {"", "0", "false", "no"}


class EmailBackend(ConsoleBackend):
    """Django's console backend with a one-line summary unless whole bodies are asked for."""

    def __init__(self, *args: Any, bodies: bool | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bodies = bodies_wanted() if bodies is None else bodies

    def write_message(self, message: Any) -> None:
        if self.bodies:
            super().write_message(message)
            return
        recipients = ", ".join(message.recipients()) or "-"
        subject = " ".join(str(message.subject).split())  # folded headers: one line
        self.stream.write(f"e-mail to {recipients}: {subject}\n")

"""Types shared by every app.

`Actor` is who makes a write: a signed-in user, or `None` for the system itself (commands,
scheduled tasks, the demo builder). Actions take it as their first argument.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

    #: The acting user of a write, or None for the system. The user model is
    #: `settings.AUTH_USER_MODEL` (an `AbstractUser`); core never imports it by name.
    Actor: TypeAlias = AbstractUser | None
else:
    Actor = object

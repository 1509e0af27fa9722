"""The API's own writes: issuing and revoking a user's token. Both leave an audit row."""

from __future__ import annotations

from django.db import transaction
from rest_framework.authtoken.models import Token

from juli.core.audit import record
from juli.orgs.models import User


@transaction.atomic
def issue_token(user: User) -> Token:
    """The user's API token, created on first issue; every hand-out is recorded."""
    token, created = Token.objects.get_or_create(user=user)
    record(
        user, "account.token", user, note="API token issued" if created else "API token re-issued"
    )
    return token


@transaction.atomic
def revoke_token(user: User) -> bool:
    """Delete the user's token, if any. Returns whether there was one to revoke."""
    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        record(user, "account.token", user, note="API token revoked")
    return bool(deleted)

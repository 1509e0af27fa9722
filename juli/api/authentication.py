"""The API's token check, loading what every request then needs with the user."""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import TokenAuthentication

from juli.orgs.auth import USER_RELATED


class UserTokenAuthentication(TokenAuthentication):
    """DRF's token check, with the user's person and party organisation joined into the
    token's query (`juli.orgs.access.scope_of` then needs no query for the membership).
    Refusals (unknown token, inactive user) are DRF's own, with its messages."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        related = [f"user__{name}" for name in USER_RELATED]
        model: Any = self.get_model()
        token = model.objects.select_related(*related).filter(key=key).first()
        if token is None or not token.user.is_active:
            return super().authenticate_credentials(key)  # type: ignore[no-any-return]
        return (token.user, token)

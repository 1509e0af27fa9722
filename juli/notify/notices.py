"""The notify app's own kind: a channel's test message (never a subscription)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from juli.core.notices import NoticeKind, register

from .models import TEST_KIND

TEST = register(NoticeKind(TEST_KIND, _("Test message")))

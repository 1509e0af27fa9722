"""A small honours world over the shared cast: the Putuo bureau's party group confers
百优支部 (organisations) and 先锋党员 (people); its branches nominate."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest

from juli.honours import actions
from juli.honours.models import Target

TODAY = datetime.date(2025, 6, 1)


@pytest.fixture
def hw(cast: Any) -> SimpleNamespace:
    w = SimpleNamespace(cast=cast)
    w.kind = actions.create_kind(
        None, org=cast.putuo, name="百优支部", code="BYZB", target=Target.ORG, default_quota=2
    )
    w.person_kind = actions.create_kind(
        None, org=cast.putuo, name="先锋党员", code="XFDY", target=Target.PERSON
    )
    w.call = actions.open_call(
        None, w.kind, year=2025, nominate_until=datetime.date(2099, 12, 31), quota=2
    )
    return w

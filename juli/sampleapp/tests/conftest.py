"""The sample app's world: the shared cast (juli/conftest.py), the letters of the Putuo party
group (juli/letters/tests/conftest.py) and a note filed in Dapuqiao street."""

from __future__ import annotations

import datetime
import uuid
from types import SimpleNamespace
from typing import Any

import pytest

from juli.letters.tests.conftest import make_letters
from juli.sampleapp import actions
from juli.sampleapp.models import Note


def file_note(c: Any, *, actor: Any = None, area: Any = None, title: str = "楼道清理") -> Note:
    return actions.file_note(
        actor if actor is not None else c.street_officer,
        area=area or c.dapuqiao,
        title=title,
        text="楼道堆物已清理。",
        happened_on=datetime.date(2026, 5, 4),
        client_uuid=uuid.uuid4(),
    )


@pytest.fixture
def notes(cast: Any) -> SimpleNamespace:
    w = make_letters(cast)
    w.note = file_note(cast)
    return w

"""The app offers a measured figure and a dossier section from its own folder."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from juli.core import dossier, metrics
from juli.orgs import actions as org_actions

from .conftest import file_note


def test_its_metric_is_registered_and_measures(cast: Any) -> None:
    assert metrics.get("sampleapp.signed") is not None
    note = file_note(cast)
    org = org_actions.create_org(
        None, None, name="蒙西测试党支部", kind="branch", code="SAMPLE-B", area=cast.dapuqiao
    )
    day = note.happened_on
    figures = metrics.measure("sampleapp.signed", [org], day, day)
    assert figures[org.pk].share == Decimal(0)
    assert figures[org.pk].text == "0/1"
    assert (
        metrics.measure("sampleapp.signed", [org], day.replace(year=2000), day.replace(year=2000))
        == {}
    )
    assert metrics.measure("no.such.metric", [org], day, day) == {}


def test_its_dossier_section_is_registered(cast: Any) -> None:
    kinds = {k.key: k for k in dossier.kinds()}
    assert "sampleapp" in kinds
    note = file_note(cast)
    org = org_actions.create_org(
        None, None, name="蒙西测试党支部", kind="branch", code="SAMPLE-B", area=cast.dapuqiao
    )
    section = kinds["sampleapp"].build(org, note.happened_on.year, cast.street_officer)
    assert section is not None and section.blocks[0].kind == "table"
    assert kinds["sampleapp"].build(org, 2000, cast.street_officer) is None

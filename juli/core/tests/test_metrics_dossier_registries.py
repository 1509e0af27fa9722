"""The registries of measured figures and dossier sections: keys, duplicates, order, bounds."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from juli.core import dossier, metrics
from juli.core.dossier import Block, SectionKind
from juli.core.metrics import Figure, Metric


def _none(orgs, start, end):  # type: ignore[no-untyped-def]
    return {}


def test_a_figure_share_lies_between_0_and_1() -> None:
    assert Figure(share=Decimal("0.5")).share == Decimal("0.5")
    for bad in (Decimal("-0.01"), Decimal("1.01")):
        with pytest.raises(ValueError):
            Figure(share=bad)


def test_a_metric_key_is_taken_once() -> None:
    metric = Metric("test.once", "Once", _none)
    try:
        metrics.register(metric)
        metrics.register(metric)  # the same again: harmless
        with pytest.raises(ImproperlyConfigured):
            metrics.register(Metric("test.once", "Other", _none))
        assert metrics.get("test.once") is metric
        assert ("test.once", "Once") in metrics.choices()
    finally:
        metrics.unregister("test.once")
    with pytest.raises(ImproperlyConfigured):
        Metric("", "No key", _none)


def test_dossier_sections_come_in_order_and_blocks_stringify() -> None:
    first = SectionKind("test.first", "First", lambda o, y, u: None, order=-2)
    second = SectionKind("test.second", "Second", lambda o, y, u: None, order=-1)
    try:
        dossier.register(second)
        dossier.register(first)
        keys = [k.key for k in dossier.kinds()]
        assert keys.index("test.first") < keys.index("test.second")
        with pytest.raises(ImproperlyConfigured):
            dossier.register(SectionKind("test.first", "Again", lambda o, y, u: None))
    finally:
        dossier.unregister("test.first")
        dossier.unregister("test.second")
    table = Block.table(["a", "b"], [[1, None]])
    assert table.rows == [["1", ""]] and table.head == ["a", "b"]
    assert Block.facts([("k", 2)]).rows == [("k", "2")]

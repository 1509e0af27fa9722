"""The bulletin's "by source" follows the reporter's role (issue 14 item 3): a phone report
by an inspector or a street officer counts as an inspection finding, a grid worker's as a
grid worker's; the officials' reports stand accepted at the end of the day."""

from __future__ import annotations

import uuid

from juli.bulletins import figures
from juli.cases import actions as case_actions

from .conftest import D, at


def test_it_counts_phone_reports_by_the_reporters_role(world):
    c = world.c
    for who, hour in ((c.inspector, 9), (c.grid_worker, 10), (c.street_officer, 11)):
        # As the phone sends it: no source, no title.
        case_actions.report_case(
            who,
            client_uuid=uuid.uuid4(),
            category=world.litter,
            point=world.point_a,
            at=at(0, hour),
        )
    street = figures.compute(c.dapuqiao, D, worst_points=5)
    assert [(r["code"], r["count"]) for r in street["by_source"]] == [
        ("inspection", 2),
        ("grid_worker", 1),
    ]
    assert [(r["source"], r["status"]) for r in street["cases"]] == [
        ("inspection", "accepted"),
        ("grid_worker", "reported"),
        ("inspection", "accepted"),
    ]

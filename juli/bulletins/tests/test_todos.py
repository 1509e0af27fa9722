"""Daily bulletins on the work-bench (`juli/bulletins/todos.py`): a draft waits for the case
office of its own area; publishing it takes it off."""

from __future__ import annotations

import datetime
from typing import Any

from juli.bulletins import actions
from juli.core import todos as registry
from juli.orgs.auth import UsernameOrPhoneBackend


def bench(user: Any) -> dict[str, int]:
    fresh = UsernameOrPhoneBackend().get_user(user.pk)
    return {k.key: k.count for g in registry.for_user(fresh) for k in g.kinds}


def test_it_asks_the_areas_own_office_to_publish_its_draft(cast: Any) -> None:
    c = cast
    day = datetime.date(2026, 1, 5)
    street = actions.generate_bulletin(None, c.dapuqiao, day)
    actions.generate_bulletin(None, c.huangpu, day)
    actions.generate_bulletin(None, c.huaihai, day)  # another street's: not Dapuqiao's
    assert bench(c.street_officer) == {"bulletins.publish": 1}
    assert bench(c.district_admin) == {"bulletins.publish": 1}  # the district's own
    fresh = UsernameOrPhoneBackend().get_user(c.street_officer.pk)
    kind = registry.kind_for(fresh, "bulletins.publish")
    assert kind is not None
    assert [t.url for t in kind.items(fresh, 5, 0)] == [f"/bulletins/{street.pk}/"]
    for other in (c.inspector, c.grid_worker, c.unit_staff, c.branch_secretary, c.outsider):
        assert bench(other) == {}
    actions.publish_bulletin(c.street_officer, street)
    assert bench(c.street_officer) == {}

"""Weekly rankings on the work-bench (`juli/rankings/todos.py`): a computed week waits for
the district administrators; publishing it takes it off."""

from __future__ import annotations

from typing import Any

from juli.core import todos as registry
from juli.orgs.auth import UsernameOrPhoneBackend
from juli.rankings import actions
from juli.rankings.models import DEFAULT_WEIGHTS


def bench(user: Any) -> dict[str, int]:
    fresh = UsernameOrPhoneBackend().get_user(user.pk)
    return {k.key: k.count for g in registry.for_user(fresh) for k in g.kinds}


def test_it_asks_the_district_to_publish_a_computed_week(cast: Any) -> None:
    c = cast
    actions.update_settings(
        None, c.huangpu, enabled=True, auto_publish=False, weights=dict(DEFAULT_WEIGHTS)
    )
    ranking = actions.compute_ranking(None, c.huangpu, "2026-W10", publish=False)
    assert bench(c.district_admin) == {"rankings.publish": 1}
    fresh = UsernameOrPhoneBackend().get_user(c.district_admin.pk)
    kind = registry.kind_for(fresh, "rankings.publish")
    assert kind is not None
    [todo] = kind.items(fresh, 5, 0)
    assert todo.url == f"/rankings/district/{c.huangpu.pk}/?week=2026-W10"
    assert todo.title == "黄浦区, week 2026-W10"
    for other in (c.street_officer, c.inspector, c.branch_secretary, c.outsider):
        assert bench(other) == {}
    actions.publish_ranking(c.district_admin, ranking)
    assert bench(c.district_admin) == {}

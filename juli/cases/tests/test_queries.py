"""The office case list: filters, keyset pages, a pinned number of queries, indexed plans."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from juli.cases import access, queries
from juli.cases.models import Case
from juli.orgs.access import scope_of

from .conftest import new_case, put


def _cases(world, n: int) -> list[Case]:  # type: ignore[no-untyped-def]
    return [new_case(world, title=f"问题{i}") for i in range(n)]


@pytest.mark.parametrize("n", [5, 60])
def test_it_runs_one_query_per_page_whatever_its_size(world, n):
    _cases(world, n)
    user = world.c.street_officer
    scope_of(user)  # computed once per request, before the list
    with CaptureQueriesContext(connection) as ctx:
        page = queries.case_list(user)
        for case in page.rows:
            assert (
                case.category.name and case.area.name and case.unit is None and case.point is None
            )
    assert len(ctx.captured_queries) == 1
    assert len(page.rows) == min(n, 50)


def test_it_pages_by_keyset_newest_first(world):
    cases = _cases(world, 7)
    now = timezone.now()
    for i, case in enumerate(cases):  # two share a time: the id breaks the tie
        Case.objects.filter(pk=case.pk).update(
            reported_at=now - datetime.timedelta(minutes=min(i, 5))
        )
    user = world.c.street_officer
    seen = []
    page = queries.case_list(user, limit=3)
    seen += page.rows
    while page.next_cursor:
        page = queries.case_list(user, after=page.next_cursor, limit=3)
        seen += page.rows
    expected = sorted(Case.objects.all(), key=lambda c: (c.reported_at, c.pk), reverse=True)
    assert [c.pk for c in seen] == [c.pk for c in expected]
    assert queries.case_list(user, after="garbage!", limit=3).rows == seen[:3]


def test_it_filters_by_area_state_unit_category_source_overdue_and_dates(world):
    w, c = world, world.c
    grid2 = new_case(w, area=c.grid2, actor=c.other_grid_worker, category=w.facility)
    late = put(new_case(w), "dispatched", w)
    Case.objects.filter(pk=late.pk).update(deadline=timezone.now() - datetime.timedelta(hours=1))
    fresh = put(new_case(w, source="hotline"), "dispatched", w)
    user = c.street_officer

    def pks(**f):  # type: ignore[no-untyped-def]
        return {x.pk for x in queries.case_list(user, queries.CaseFilters(**f)).rows}

    assert pks(area=c.grid2) == {grid2.pk}
    assert pks(category=w.facility) == {grid2.pk}
    assert pks(status="dispatched") == {late.pk, fresh.pk}
    assert pks(unit=c.property_co) == {late.pk, fresh.pk}
    assert pks(source=["hotline"]) == {fresh.pk}
    assert pks(overdue=True) == {late.pk}
    today = timezone.localdate()
    assert pks(reported_from=today, reported_to=today) == {grid2.pk, late.pk, fresh.pk}
    assert pks(reported_to=today - datetime.timedelta(days=1)) == set()
    # A filter never widens the scope.
    assert {
        x.pk for x in queries.case_list(c.grid_worker, queries.CaseFilters(area=c.mengxi)).rows
    } == {
        late.pk,
        fresh.pk,
    }


def test_it_lists_what_to_rectify_and_what_to_verify(world):
    w, c = world, world.c
    todo = put(new_case(w), "dispatched", w)
    done = put(new_case(w), "rectified", w)
    assert list(queries.cases_to_rectify(c.unit_staff)) == [todo]
    assert list(queries.cases_to_verify(c.inspector)) == [done]
    assert list(queries.cases_to_verify(c.unit_staff)) == []
    assert list(queries.cases_to_verify(c.grid_worker)) == []
    assert [e.action for e in queries.case_timeline(todo)] == ["report"]


def _plan(qs) -> str:  # type: ignore[no-untyped-def]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(str(row) for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_it_answers_the_scope_and_the_overdue_filter_from_indexes(world):
    _cases(world, 3)
    for qs in (
        access.visible_cases(world.c.grid_worker),
        Case.objects.filter(status="dispatched", deadline__lt=timezone.now()),
    ):
        plan = _plan(qs)
        if connection.vendor == "sqlite":
            assert "SCAN cases_case" not in plan and "INDEX" in plan, plan
        else:
            assert "Seq Scan on cases_case" not in plan, plan

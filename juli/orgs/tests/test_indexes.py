"""Subtree filters are answered from indexes, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from django.db import connection

from juli.orgs import access


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(str(row) for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _assert_indexed(plan: str, table: str) -> None:
    if connection.vendor == "sqlite":
        assert f"SCAN {table}" not in plan, plan
        assert "INDEX" in plan, plan
    else:
        assert f"Seq Scan on {table}" not in plan, plan


def test_it_answers_the_people_in_a_subtree_from_an_index(cast):
    _assert_indexed(_plan(access.visible_people(cast.street_officer)), "orgs_person")
    _assert_indexed(_plan(access.visible_people(cast.branch_secretary)), "orgs_person")


def test_it_answers_the_orgs_and_areas_in_a_subtree_from_an_index(cast):
    _assert_indexed(_plan(access.visible_orgs(cast.branch_secretary)), "orgs_partyorg")
    _assert_indexed(_plan(access.visible_areas(cast.grid_worker)), "orgs_area")


def test_it_runs_one_query_per_subtree_filter(cast, django_assert_num_queries):
    access.scope_of(cast.street_officer)
    with django_assert_num_queries(1):
        list(access.visible_people(cast.street_officer))
    with django_assert_num_queries(1):
        list(access.visible_orgs(cast.street_officer))

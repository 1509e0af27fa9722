"""Letters take records through core's registry: the evidence page and the API list the
candidates and link through `juli.core.records`, the case page says which letter items a case
serves, and the migration moved the old record links into `core.EvidenceLink`."""

from __future__ import annotations

import datetime
import importlib
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from juli.core.models import AuditLog, EvidenceLink
from juli.letters import actions
from juli.letters.models import Evidence
from juli.letters.tests.conftest import make_letters, sign_both

MIGRATION = "0002_evidence_records_to_core_links"


def _case(c: Any, area: Any, number: str) -> Any:
    from juli.cases.models import Case, CaseCategory

    category, _new = CaseCategory.objects.get_or_create(
        code="HW", defaults={"name": "环境卫生", "time_limit": 24, "time_unit": "hours"}
    )
    return Case.objects.create(
        source=Case.Source.values[0],
        area_path=area.path,
        category=category,
        area=area,
        title="垃圾堆放",
        status=Case.Status.CLOSED,
        closed_at=datetime.datetime(2026, 5, 4, 9, 0, tzinfo=timezone.get_current_timezone()),
        number=number,
    )


def test_it_lists_the_letter_items_a_case_serves_on_the_case_page(client: Any, world: Any) -> None:
    c = world.c
    letter = sign_both(world)
    a, b, *_ = letter.items.order_by("order")
    case = _case(c, c.dapuqiao, "AJ-1")
    ev = actions.add_evidence(None, letter, title="", items=[b, a], record_obj=case)
    client.force_login(c.platform_admin)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    line = f"{letter} · 1. 落实“第一议题”制度；2. 规范开展“三会一课”"
    assert f'<a href="/letters/{letter.pk}/evidence/">{line}</a>' in page
    assert "Used as evidence in" in page
    client.force_login(c.street_officer)  # sees the case, not the letter
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Used as evidence in" not in page and str(letter) not in page
    assert EvidenceLink.objects.get().consumer == ev


def test_it_offers_and_links_records_through_core_on_the_evidence_page(
    client: Any, world: Any
) -> None:
    c = world.c
    letter = sign_both(world)
    item = letter.items.order_by("order")[0]
    case = _case(c, c.dapuqiao, "AJ-1")
    client.force_login(c.platform_admin)
    url = f"/letters/{letter.pk}/evidence/"
    page = client.get(url).content.decode()
    assert f'value="cases.case:{case.pk}"' in page
    before = AuditLog.objects.count()
    response = client.post(
        url,
        {
            "title": "",
            "happened_on": "2026-05-04",
            "items": [str(item.pk)],
            "note": "",
            "record": f"cases.case:{case.pk}",
        },
    )
    assert response.status_code == 302
    ev = Evidence.objects.get()
    link = EvidenceLink.objects.get()
    assert (ev.kind, ev.title, link.consumer, link.record, link.added_by) == (
        "record",
        "AJ-1 垃圾堆放",
        ev,
        case,
        c.platform_admin,
    )
    assert list(AuditLog.objects.filter(id__gt=0).order_by("id").values_list("verb", flat=True))[
        before:
    ] == ["evidence.link", "letter.add_evidence"]
    page = client.get(url).content.decode()
    assert f'<a href="/cases/{case.pk}/">AJ-1 垃圾堆放</a>' in page
    assert f'value="cases.case:{case.pk}"' not in page  # linked once: no longer offered


def test_it_adds_shows_and_removes_a_linked_record_over_the_api(client: Any, world: Any) -> None:
    c = world.c
    letter = sign_both(world)
    item = letter.items.order_by("order")[0]
    case = _case(c, c.dapuqiao, "AJ-1")
    client.force_login(c.platform_admin)
    body = {"letter": letter.pk, "items": [item.pk], "record_kind": "cases.case"}
    response = client.post(
        "/api/v1/evidence/", {**body, "record_id": case.pk}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["kind"], created["record_kind"], created["record_id"]) == (
        "record",
        "cases.case",
        case.pk,
    )
    listed = client.get(f"/api/v1/evidence/?letter={letter.pk}").json()["results"]
    assert [(e["id"], e["record_kind"], e["record_id"]) for e in listed] == [
        (created["id"], "cases.case", case.pk)
    ]
    again = client.post(
        "/api/v1/evidence/", {**body, "record_id": case.pk}, content_type="application/json"
    )
    assert (again.status_code, again.json()["code"]) == (400, "already_linked")
    assert client.delete(f"/api/v1/evidence/{created['id']}/").status_code == 204
    assert (Evidence.objects.count(), EvidenceLink.objects.count()) == (0, 0)
    verbs = list(AuditLog.objects.order_by("-id").values_list("verb", flat=True)[:2])
    assert verbs == ["evidence.unlink", "letter.remove_evidence"]


@pytest.mark.django_db(transaction=True)
def test_it_moves_the_old_record_links_into_core_and_back(
    cast: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = cast
    w = make_letters(c)
    item = w.letter.items.order_by("order")[0]
    cases = [_case(c, c.dapuqiao, f"AJ-{n}") for n in range(3)]
    entries = [
        actions.add_evidence(None, w.letter, title="", items=[item], record_obj=case)
        for case in cases
    ]
    note = actions.add_evidence(None, w.letter, title="记录", items=[item], note="x")
    case_type = ContentType.objects.get_for_model(cases[0])
    # Batches of two, so that three rows take two rounds and a third, empty one.
    migration = importlib.import_module(f"juli.letters.migrations.{MIGRATION}")
    monkeypatch.setattr(migration, "BATCH", 2)
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([("letters", "0001_initial")])
        old = executor.loader.project_state([("letters", "0001_initial")]).apps
        rows = old.get_model("letters", "Evidence").objects.order_by("pk")
        assert list(rows.values_list("pk", "record_type_id", "record_id")) == [
            *[(e.pk, case_type.pk, case.pk) for e, case in zip(entries, cases, strict=True)],
            (note.pk, None, None),
        ]
        assert EvidenceLink.objects.count() == 0  # core keeps its table; the links went back
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(leaves)
    links = EvidenceLink.objects.order_by("consumer_id")
    assert [(ln.consumer, ln.record, ln.added_at) for ln in links] == [
        (e, case, e.added_at) for e, case in zip(entries, cases, strict=True)
    ]

"""The record registry (`juli.core.records`): kinds and consumers found in the apps'
`records.py`, candidates in the user's scope, and the one store of links, audited."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import Http404
from django.utils import timezone

import config.settings as production
from juli.core import records
from juli.core.models import AuditLog, EvidenceLink
from juli.core.records import ConsumerKind, Purpose, RecordKind


def _case(c: Any, area: Any, number: str, *, closed: datetime.datetime | None) -> Any:
    from juli.cases.models import Case, CaseCategory

    category, _new = CaseCategory.objects.get_or_create(
        code="HW", defaults={"name": "环境卫生", "time_limit": 24, "time_unit": "hours"}
    )
    return Case.objects.create(
        source=Case.Source.values[0],
        area_path=area.path,
        category=category,
        area=area,
        title=f"垃圾堆放 {number}",
        status=Case.Status.CLOSED if closed else Case.Status.values[0],
        closed_at=closed,
        number=number,
    )


def _installed(key: str) -> bool:
    """A kind of an app `config.settings` installs (the test settings add test-only apps)."""
    return apps.get_app_config(key.split(".")[0]).name in production.INSTALLED_APPS


def _at(year: int, month: int = 6) -> datetime.datetime:
    return datetime.datetime(year, month, 15, 10, 0, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def note(cast: Any) -> Any:
    """A letter's note entry: a consumer that may take a record."""
    from juli.letters import actions
    from juli.letters.tests.conftest import make_letters

    w = make_letters(cast)
    item = w.letter.items.order_by("order")[0]
    return actions.add_evidence(None, w.letter, title="记录", items=[item], note="见案件")


def test_it_discovers_the_kinds_and_consumers_the_apps_declare() -> None:
    assert list(filter(_installed, records.kinds())) == [
        "cases.case",
        "cases.inspection",
        "meetings.meeting",
        "observation.rectification",
        "honours.honour",
    ]
    assert list(records.consumers()) == ["letters.evidence", "rating.criterionscore"]
    from juli.cases.models import Case, Inspection

    assert records.kind_of(Case) is records.kinds()["cases.case"]
    assert records.kind_of(Inspection(pk=1)) is records.kinds()["cases.inspection"]
    assert records.kind_of(AuditLog) is None


def test_it_registers_idempotently_and_refuses_another_entry_under_a_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(records, "_KINDS", dict(records.kinds()))
    monkeypatch.setattr(records, "_CONSUMERS", dict(records.consumers()))
    kind = RecordKind(
        "core.auditlog", "log", lambda u, p: AuditLog.objects.none(), str, lambda r: None, str
    )
    assert records.register_kind(kind) is kind
    assert records.register_kind(kind) is kind  # the same again: fine
    assert records.kinds()["core.auditlog"] is kind
    other = RecordKind(
        "core.auditlog", "other", lambda u, p: AuditLog.objects.none(), str, lambda r: None, str
    )
    with pytest.raises(ImproperlyConfigured):
        records.register_kind(other)
    assert records.kinds()["core.auditlog"] is kind
    with pytest.raises(ImproperlyConfigured):
        records.register_kind(
            RecordKind("AuditLog", "x", kind.candidates, str, lambda r: None, str)
        )
    consumer = ConsumerKind("core.auditlog", "log", str, str, lambda u: AuditLog.objects.none())
    records.register_consumer(consumer)
    records.register_consumer(consumer)
    with pytest.raises(ImproperlyConfigured):
        records.register_consumer(ConsumerKind("core.auditlog", "y", str, str, consumer.visible))


def test_it_offers_closed_cases_of_the_year_in_the_users_scope(cast: Any) -> None:
    c = cast
    here = _case(c, c.dapuqiao, "AJ-1", closed=_at(2026))
    _case(c, c.dapuqiao, "AJ-2", closed=_at(2025))  # another year
    _case(c, c.dapuqiao, "AJ-3", closed=None)  # still open
    there = _case(c, c.huaihai, "AJ-4", closed=_at(2026))  # another street
    purpose = Purpose(year=2026)
    offered = {
        k.key: list(qs)
        for k, qs in records.candidates(c.street_officer, purpose)
        if _installed(k.key)
    }
    assert offered == {
        "cases.case": [here],
        "cases.inspection": [],
        "meetings.meeting": [],
        "observation.rectification": [],
        "honours.honour": [],
    }
    admin = {k.key: set(qs) for k, qs in records.candidates(c.district_admin, purpose)}
    assert admin["cases.case"] == {here, there}
    narrowed = Purpose(year=2026, area_path=c.huaihai.path, kinds=frozenset({"cases.case"}))
    assert [(k.key, list(qs)) for k, qs in records.candidates(c.district_admin, narrowed)] == [
        ("cases.case", [there])
    ]
    window = Purpose(since=datetime.date(2025, 1, 1), until=datetime.date(2025, 12, 31))
    assert [
        x.number for x in records.kinds()["cases.case"].candidates(c.district_admin, window)
    ] == ["AJ-2"]
    kind = records.kinds()["cases.case"]
    assert (kind.describe(here), kind.date(here), kind.url(here)) == (
        "AJ-1 垃圾堆放 AJ-1",
        datetime.date(2026, 6, 15),
        f"/cases/{here.pk}/",
    )


def test_it_links_and_unlinks_with_an_audit_row_each(cast: Any, note: Any) -> None:
    c = cast
    case = _case(c, c.dapuqiao, "AJ-1", closed=_at(2026))
    before = AuditLog.objects.count()
    link = records.link(c.street_officer, note, case, Purpose(year=2026))
    assert (link.consumer, link.record, link.added_by) == (note, case, c.street_officer)
    assert records.link(c.street_officer, note, case, Purpose(year=2026)) == link  # idempotent
    assert EvidenceLink.objects.count() == 1
    row = AuditLog.objects.order_by("-id")[0]
    assert AuditLog.objects.count() == before + 1
    assert (row.verb, row.actor, row.after) == (
        "evidence.link",
        c.street_officer,
        {
            "consumer": "letters.evidence",
            "consumer_id": note.pk,
            "record": "cases.case",
            "record_id": case.pk,
        },
    )
    assert (row.scope_kind, row.scope_path) == ("org", note.letter.receiver_path)
    [linked] = records.links_of(note)
    assert (linked.link, linked.record, linked.line, linked.url) == (
        link,
        case,
        "AJ-1 垃圾堆放 AJ-1",
        f"/cases/{case.pk}/",
    )
    records.unlink(c.street_officer, link)
    assert EvidenceLink.objects.count() == 0 and records.links_of(note) == []
    row = AuditLog.objects.order_by("-id")[0]
    assert (row.verb, row.before, AuditLog.objects.count()) == (
        "evidence.unlink",
        {
            "consumer": "letters.evidence",
            "consumer_id": note.pk,
            "record": "cases.case",
            "record_id": case.pk,
        },
        before + 2,
    )


def test_it_refuses_a_record_outside_the_candidates_and_writes_nothing(
    cast: Any, note: Any
) -> None:
    c = cast
    there = _case(c, c.huaihai, "AJ-4", closed=_at(2026))
    old = _case(c, c.dapuqiao, "AJ-2", closed=_at(2025))
    before = AuditLog.objects.count()
    with pytest.raises(Http404):
        records.link(c.street_officer, note, there, Purpose(year=2026))
    with pytest.raises(Http404):
        records.link(c.street_officer, note, old, Purpose(year=2026))
    with pytest.raises(ValidationError) as caught:
        records.link(c.street_officer, note, note.letter, Purpose(year=2026))
    assert caught.value.code == "not_a_record"
    with pytest.raises(ValidationError):  # a kind the purpose does not take
        records.link(None, note, old, Purpose(kinds=frozenset({"cases.inspection"})))
    assert (EvidenceLink.objects.count(), AuditLog.objects.count()) == (0, before)


def test_it_lists_the_uses_a_user_may_see_in_two_queries_and_one_when_none(
    cast: Any, note: Any, django_assert_num_queries: Any
) -> None:
    c = cast
    case = _case(c, c.dapuqiao, "AJ-1", closed=_at(2026))
    with django_assert_num_queries(1):
        assert records.uses_of(case, c.platform_admin) == []
    records.link(None, note, case, Purpose(year=2026))
    records.uses_of(case, c.platform_admin)  # warm the scope cache of the user
    with django_assert_num_queries(3):  # the links, the entries, their items
        [use] = records.uses_of(case, c.platform_admin)
    assert (use.kind.key, use.consumer, use.url) == (
        "letters.evidence",
        note,
        f"/letters/{note.letter_id}/evidence/",
    )
    assert use.line == f"{note.letter} · 1. 落实“第一议题”制度"
    assert records.uses_of(case, c.street_officer) == []  # sees the case, not the letter

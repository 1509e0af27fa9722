"""Records as evidence: the kinds of records apps hold that can prove something elsewhere, the
things that take such evidence (consumers), and the one store of the links between them.

An app declares its record kinds and consumer kinds in a `records.py` module of its own folder,
calling `register_kind(...)` / `register_consumer(...)` at import. Nobody imports those modules:
the first call that reads a registry runs `autodiscover_modules("records")` once, as Django's
admin does with `admin.py`. Core imports no app.

A link says "this consumer (a letter's evidence entry, a rating criterion, …) cites this record
(a closed case, an inspection, a meeting, …)". It is written by `link`, which lets an actor link
only a record among the kind's `candidates(actor, purpose)`; the consumer's app checks the
actor's right over the consumer itself before calling.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .audit import record as audit
from .discovery import Discovery
from .models import EvidenceLink
from .writes import user_of


@dataclass(frozen=True)
class Purpose:
    """What a consumer needs evidence for; each record kind narrows its candidates by it.

    Every field is optional; a kind ignores what does not apply to its records. A letter item
    says its year and the receiving organisation; a rating criterion its year and kinds; a
    project milestone its window (`since`–`until`) and organisation; an observation's
    rectification its area and the day it was observed (`since`).
    """

    year: int | None = None
    #: materialised path of the organisation the evidence is for ("" = not narrowed).
    org_path: str = ""
    #: materialised path of the area the evidence is for ("" = not narrowed).
    area_path: str = ""
    #: the records' own date (`RecordKind.date`) from / until, inclusive.
    since: datetime.date | None = None
    until: datetime.date | None = None
    #: record kind keys ("cases.case") the consumer accepts; empty = every registered kind.
    kinds: frozenset[str] = field(default_factory=frozenset)
    #: the consumer kind asking ("letters.evidence"), for kinds that treat consumers apart.
    consumer: str = ""

    def accepts(self, key: str) -> bool:
        return not self.kinds or key in self.kinds


@dataclass(frozen=True)
class RecordKind:
    """One model whose rows can serve as evidence."""

    key: str  # "app_label.model", lower case
    label: Any  # human name of the kind (lazy translation)
    #: (user, purpose) → the records of this kind that user may link for that purpose.
    candidates: Callable[[Any, Purpose], QuerySet[Any]]
    #: record → one line describing it.
    describe: Callable[[Any], str]
    #: record → the day it happened, or None.
    date: Callable[[Any], datetime.date | None]
    #: record → its page, or "" when it has none.
    url: Callable[[Any], str]
    #: relations `describe` reads, joined when linked records are fetched.
    select_related: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConsumerKind:
    """One model whose rows take evidence; it says how a record's page lists them."""

    key: str  # "app_label.model", lower case
    label: Any
    #: consumer → one line saying what the record is used for.
    describe: Callable[[Any], str]
    #: consumer → its page, or "".
    url: Callable[[Any], str]
    #: user → the consumers that user may see (prefetch what `describe` reads).
    visible: Callable[[Any], QuerySet[Any]]


@dataclass(frozen=True)
class Linked:
    """One link of a consumer with its record (None when the record row is gone)."""

    link: EvidenceLink
    kind: RecordKind | None
    record: Any

    @property
    def line(self) -> str:
        return self.kind.describe(self.record) if self.kind and self.record is not None else ""

    @property
    def url(self) -> str:
        return self.kind.url(self.record) if self.kind and self.record is not None else ""


@dataclass(frozen=True)
class Use:
    """A consumer citing a record, as the record's page lists it."""

    kind: ConsumerKind
    consumer: Any
    line: str
    url: str


_KINDS: dict[str, RecordKind] = {}
_CONSUMERS: dict[str, ConsumerKind] = {}
_lock = threading.RLock()
_discovery = Discovery("records")


def _discover() -> None:
    _discovery()


def _add(registry: dict[str, Any], entry: Any) -> None:
    key = entry.key
    if key != key.lower() or key.count(".") != 1:
        raise ImproperlyConfigured(f"Evidence registry key {key!r} is not 'app_label.model'.")
    with _lock:
        known = registry.get(key)
        if known is not None and known != entry:
            raise ImproperlyConfigured(f"{key!r} is already registered as something else.")
        registry[key] = entry


def register_kind(kind: RecordKind) -> RecordKind:
    """Declare a record kind (idempotent for the same kind)."""
    _add(_KINDS, kind)
    return kind


def register_consumer(kind: ConsumerKind) -> ConsumerKind:
    """Declare a consumer kind (idempotent for the same kind)."""
    _add(_CONSUMERS, kind)
    return kind


def kinds() -> dict[str, RecordKind]:
    """Every registered record kind by key, in registration order."""
    _discover()
    return dict(_KINDS)


def consumers() -> dict[str, ConsumerKind]:
    _discover()
    return dict(_CONSUMERS)


def kind_of(obj: Model | type[Model]) -> RecordKind | None:
    """The record kind of a row (or model), None when it is not one."""
    _discover()
    return _KINDS.get(obj._meta.label_lower)


def consumer_kind_of(obj: Model | type[Model]) -> ConsumerKind | None:
    _discover()
    return _CONSUMERS.get(obj._meta.label_lower)


def candidates(user: Any, purpose: Purpose) -> list[tuple[RecordKind, QuerySet[Any]]]:
    """Per kind the purpose accepts, the records `user` may link for it (querysets, unread)."""
    return [(k, k.candidates(user, purpose)) for key, k in kinds().items() if purpose.accepts(key)]


def check(actor: Any, record: Model, purpose: Purpose) -> RecordKind:
    """The record's kind if `actor` may link it for `purpose`; else `ValidationError`
    (code "not_a_record") for a row of no registered or accepted kind, `Http404` for one
    outside the actor's candidates (never reveal that it exists). `actor=None` (the system)
    is not narrowed by candidates."""
    kind = kind_of(record)
    if kind is None or not purpose.accepts(kind.key):
        raise ValidationError(_("This kind of record cannot be linked."), code="not_a_record")
    if actor is not None and not kind.candidates(actor, purpose).filter(pk=record.pk).exists():
        raise Http404
    return kind


def _consumer_kind(consumer: Model) -> ConsumerKind:
    kind = consumer_kind_of(consumer)
    if kind is None:
        raise ImproperlyConfigured(f"{consumer._meta.label_lower} is not a registered consumer.")
    return kind


def _scope(consumer: Model) -> tuple[str, str] | None:
    scope_fn = getattr(consumer, "audit_scope", None)
    return scope_fn() if callable(scope_fn) else None


def _snapshot(link: EvidenceLink) -> dict[str, Any]:
    return {
        "consumer": f"{link.consumer_type.app_label}.{link.consumer_type.model}",
        "consumer_id": link.consumer_id,
        "record": f"{link.record_type.app_label}.{link.record_type.model}",
        "record_id": link.record_id,
    }


@transaction.atomic
def link(actor: Any, consumer: Model, record: Model, purpose: Purpose) -> EvidenceLink:
    """Link `record` to `consumer` as evidence (see `check` for refusals). Linking again what
    is already linked returns the existing link and writes nothing. Audited as
    `evidence.link` in the consumer's scope."""
    _consumer_kind(consumer)
    check(actor, record, purpose)
    found, created = EvidenceLink.objects.get_or_create(
        consumer_type=ContentType.objects.get_for_model(consumer),
        consumer_id=consumer.pk,
        record_type=ContentType.objects.get_for_model(record),
        record_id=record.pk,
        defaults={"added_by": user_of(actor)},
    )
    if created:
        audit(actor, "evidence.link", found, after=_snapshot(found), scope=_scope(consumer))
    return found


@transaction.atomic
def unlink(actor: Any, link: EvidenceLink) -> None:
    """Remove one link, audited as `evidence.unlink`. The caller has checked the actor's
    right to change the consumer."""
    consumer = link.consumer
    scope = _scope(consumer) if consumer is not None else None
    audit(actor, "evidence.unlink", link, before=_snapshot(link), scope=scope)
    link.delete()


def _of_consumers(consumers_: Sequence[Model]) -> QuerySet[EvidenceLink]:
    by_type: dict[int, list[Any]] = {}
    for c in consumers_:
        by_type.setdefault(ContentType.objects.get_for_model(c).pk, []).append(c.pk)
    where = Q(pk__in=[])
    for ct_id, ids in by_type.items():
        where |= Q(consumer_type_id=ct_id, consumer_id__in=ids)
    return EvidenceLink.objects.filter(where)


def links_for(consumers_: Iterable[Model]) -> dict[tuple[int, Any], list[Linked]]:
    """The links of several consumers, keyed by (consumer content type id, consumer pk), each
    list in the order linked: one query for the links, then one per record kind."""
    consumers_ = list(consumers_)
    out: dict[tuple[int, Any], list[Linked]] = {
        (ContentType.objects.get_for_model(c).pk, c.pk): [] for c in consumers_
    }
    if not consumers_:
        return out
    links = list(_of_consumers(consumers_).select_related("record_type").order_by("added_at", "id"))
    records: dict[int, dict[Any, Any]] = {}
    registry = kinds()
    for ct_id in {ln.record_type_id for ln in links}:
        group = [ln for ln in links if ln.record_type_id == ct_id]
        ct = group[0].record_type
        model = ct.model_class()
        kind = registry.get(f"{ct.app_label}.{ct.model}")
        rows = model._default_manager.all() if model else None
        if rows is not None and kind is not None and kind.select_related:
            rows = rows.select_related(*kind.select_related)
        records[ct_id] = rows.in_bulk([ln.record_id for ln in group]) if rows is not None else {}
    for ln in links:
        ct = ln.record_type
        out.setdefault((ln.consumer_type_id, ln.consumer_id), []).append(
            Linked(
                ln,
                registry.get(f"{ct.app_label}.{ct.model}"),
                records[ct.pk].get(ln.record_id),
            )
        )
    return out


def cited_by(consumers_: QuerySet[Any]) -> set[tuple[str, int]]:
    """(record kind key, record id) of every record linked to a consumer of the queryset
    (one query; the records themselves are not read)."""
    rows = EvidenceLink.objects.filter(
        consumer_type=ContentType.objects.get_for_model(consumers_.model),
        consumer_id__in=consumers_.values("pk"),
    ).values_list("record_type__app_label", "record_type__model", "record_id")
    return {(f"{app}.{model}", pk) for app, model, pk in rows}


def links_of(consumer: Model) -> list[Linked]:
    """The links of one consumer, in the order linked (one query, then one per record kind)."""
    return links_for([consumer])[(ContentType.objects.get_for_model(consumer).pk, consumer.pk)]


def uses_of(record: Model, user: Any) -> list[Use]:
    """The consumers citing `record` that `user` may see: one query for the links (none when
    nothing cites it), then one `visible(user)` query per consumer kind."""
    meta = record._meta
    links = list(
        EvidenceLink.objects.filter(
            record_type__app_label=meta.app_label,
            record_type__model=meta.model_name,
            record_id=record.pk,
        )
        .select_related("consumer_type")
        .order_by("added_at", "id")
    )
    if not links:
        return []
    registry = consumers()
    order: list[tuple[str, Any]] = []
    by_kind: dict[str, list[Any]] = {}
    for ln in links:
        key = f"{ln.consumer_type.app_label}.{ln.consumer_type.model}"
        if key in registry:
            by_kind.setdefault(key, []).append(ln.consumer_id)
            order.append((key, ln.consumer_id))
    seen: dict[tuple[str, Any], Any] = {}
    for key, ids in by_kind.items():
        for obj in registry[key].visible(user).filter(pk__in=ids):
            seen[(key, obj.pk)] = obj
    out = []
    for key, pk in order:
        obj = seen.get((key, pk))
        if obj is not None:
            kind = registry[key]
            out.append(Use(kind, obj, kind.describe(obj), kind.url(obj)))
    return out

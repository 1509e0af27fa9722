"""Read side: letter lists with progress, a letter's items with their evidence, the
assessment opened pre-filled from the evidence, and the comparison across an issuer's letters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from juli.core import records

from .actions import GRADE_LABELS
from .models import Evidence, Letter, LetterItem, Signature


def with_progress(qs: QuerySet[Letter]) -> QuerySet[Letter]:
    """Letters annotated with `item_count` and `evidenced_count` (items with any evidence)."""
    return qs.select_related("issuer_org", "receiver_org", "issuer_post", "receiver_post").annotate(
        item_count=Count("items", distinct=True),
        evidenced_count=Count("items", filter=Q(items__evidence__isnull=False), distinct=True),
        evidence_count=Count("evidence", distinct=True),
    )


def percent(done: int, total: int) -> int:
    return round(100 * done / total) if total else 0


@dataclass
class ItemView:
    item: LetterItem
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return bool(self.evidence)

    @property
    def suggested_score(self) -> Decimal | None:
        """Items with evidence suggest their full points; the others leave it to the scorer."""
        return self.item.points if self.evidence else None

    @property
    def suggested_remark(self) -> str:
        return "；".join(e.title for e in self.evidence)


def items_with_evidence(letter: Letter) -> list[ItemView]:
    """The letter's items in order, each with the evidence that serves it (two queries)."""
    items = list(
        letter.items.order_by("order", "id").prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("happened_on", "id"))
        )
    )
    return [ItemView(i, list(i.evidence.all())) for i in items]


def sections(views: list[ItemView]) -> list[tuple[str, list[ItemView]]]:
    out: list[tuple[str, list[ItemView]]] = []
    for view in views:
        if out and out[-1][0] == view.item.section:
            out[-1][1].append(view)
        else:
            out.append((view.item.section, [view]))
    return out


def valid_signatures(letter: Letter) -> dict[str, Signature]:
    sigs = letter.signatures.filter(voided_at__isnull=True).select_related("person", "post")
    return {s.side: s for s in sigs}


def evidence_rows(letter: Letter) -> list[dict[str, Any]]:
    """The letter's evidence with what each record is (one query for the links, then one per
    linked kind)."""
    rows = list(letter.evidence.prefetch_related("items").select_related("added_by__person"))
    linked = records.links_for(e for e in rows if e.kind == Evidence.Kind.RECORD)
    described: dict[int, tuple[str, str]] = {}
    for (_ct, pk), links in linked.items():
        if links and links[0].record is not None:
            described[pk] = (links[0].line, links[0].url)
    return [
        {
            "evidence": e,
            "record": described.get(e.pk, ("", ""))[0],
            "record_url": described.get(e.pk, ("", ""))[1],
            "items": sorted(e.items.all(), key=lambda i: (i.order, i.pk)),
        }
        for e in rows
    ]


def comparison(letters: QuerySet[Letter]) -> list[dict[str, Any]]:
    """One row per letter for the comparison table (and its Excel and PDF exports)."""
    rows = []
    for letter in with_progress(letters).prefetch_related("items").order_by("receiver_path"):
        full = sum((i.points for i in letter.items.all()), Decimal("0"))
        rows.append(
            {
                "letter": letter,
                "receiver": letter.receiver_org.name,
                "status": letter.get_status_display(),
                "items": letter.item_count,  # type: ignore[attr-defined]
                "evidenced": letter.evidenced_count,  # type: ignore[attr-defined]
                "progress": percent(letter.evidenced_count, letter.item_count),  # type: ignore[attr-defined]
                "evidence": letter.evidence_count,  # type: ignore[attr-defined]
                "full": full,
                "self_total": letter.self_total,
                "final_total": letter.final_total,
                "grade": str(GRADE_LABELS.get(letter.grade, "")) if letter.grade else "",
                "signed_at": letter.signed_at,
            }
        )
    return rows


def home_summary(user: Any, year: int | None = None) -> dict[str, Any]:
    """For the home page card: this year's letters the user sees, with evidence progress, and
    those waiting for the user's own signature (three queries at most)."""
    from django.utils import timezone

    from . import access
    from .models import Status

    year = year or timezone.localdate().year
    letters = list(
        with_progress(access.visible_letters(user).filter(year=year)).order_by("receiver_path")[:20]
    )
    if not letters:
        return {"year": year, "letters": [], "to_sign": []}
    person_id: int = getattr(user, "person_id", None) or 0
    waiting = [
        letter
        for letter in letters
        if letter.status in (Status.ISSUED, Status.PARTLY_SIGNED)
        and person_id in (letter.issuer_post.person_id, letter.receiver_post.person_id)
    ]
    signed_sides = set(
        Signature.objects.filter(
            letter__in=waiting, voided_at__isnull=True, person_id=person_id
        ).values_list("letter_id", flat=True)
    )
    return {
        "year": year,
        "letters": [
            {
                "letter": letter,
                "progress": percent(letter.evidenced_count, letter.item_count),  # type: ignore[attr-defined]
            }
            for letter in letters
        ],
        "to_sign": [letter for letter in waiting if letter.pk not in signed_sides],
    }

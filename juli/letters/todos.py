"""What responsibility letters put on people's work-benches (`juli.core.todos`).

- **To sign**: an issued or half-signed letter whose issuing or receiving organisation has
  the user as its party secretary, and whose side that is has no valid signature yet.
- **Self-assessments to fill** (receiving side, its editors): a signed letter whose year is
  over, or whose self-assessment was started, or of this year from 1 December (the
  assessment season). A letter signed in March is not "waiting" for its year-end
  assessment all year.
- **Assessments to review** (issuing side, its editors): submitted self-assessments.
- **Results to publish** (issuing side): reviewed letters.

The organisations come from the cached scope (exact paths, no query); the counts filter on
the indexed `issuer_path` / `receiver_path` and the status.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.core.todos import Todo, TodoKind, register
from juli.orgs.access import scope_of

from . import access
from .models import Letter, Signature, Status

#: From this month on, this year's signed letters wait for their self-assessment.
ASSESSMENT_MONTH = 12


def _org_paths(user: Any, roles: frozenset[str] | set[str]) -> list[str]:
    """The organisations where the user holds one of `roles` itself (not their subtrees)."""
    return sorted({g.path for g in scope_of(user).grants if g.kind == "org" and g.role in roles})


def signs(user: Any) -> bool:
    return bool(_org_paths(user, {access.SIGNING_ROLE}))


def edits(user: Any) -> bool:
    return bool(_org_paths(user, access.EDITOR_ROLES))


def _unsigned(side: str) -> Any:
    return ~Exists(
        Signature.objects.filter(letter=OuterRef("pk"), side=side, voided_at__isnull=True)
    )


def to_sign(user: Any) -> QuerySet[Letter]:
    paths = _org_paths(user, {access.SIGNING_ROLE})
    return Letter.objects.filter(
        (Q(issuer_path__in=paths) & _unsigned(Signature.Side.ISSUER))
        | (Q(receiver_path__in=paths) & _unsigned(Signature.Side.RECEIVER)),
        status__in=[Status.ISSUED, Status.PARTLY_SIGNED],
    ).order_by("issued_at", "pk")


def to_self_assess(user: Any) -> QuerySet[Letter]:
    today = timezone.localdate()
    due = Q(year__lt=today.year) | Q(self_total__isnull=False)
    if today.month >= ASSESSMENT_MONTH:
        due |= Q(year=today.year)
    return (
        Letter.objects.filter(receiver_path__in=_org_paths(user, access.EDITOR_ROLES))
        .filter(due, status=Status.SIGNED)
        .order_by("year", "signed_at", "pk")
    )


def to_review(user: Any) -> QuerySet[Letter]:
    return Letter.objects.filter(
        issuer_path__in=_org_paths(user, access.EDITOR_ROLES), status=Status.SELF_ASSESSED
    ).order_by("self_assessed_at", "pk")


def to_publish(user: Any) -> QuerySet[Letter]:
    return Letter.objects.filter(
        issuer_path__in=_org_paths(user, access.EDITOR_ROLES), status=Status.REVIEWED
    ).order_by("reviewed_at", "pk")


def _items(
    qs: Callable[[Any], QuerySet[Letter]], page: str, since: str
) -> Callable[[Any, int, int], list[Todo]]:
    def items(user: Any, limit: int, offset: int) -> list[Todo]:
        rows = qs(user).select_related("issuer_org", "receiver_org")[offset : offset + limit]
        return [
            Todo(
                title=letter.title,
                url=reverse(page, args=[letter.pk]),
                subtitle=f"{letter.year} · {letter.issuer_org.name} → {letter.receiver_org.name}",
                since=getattr(letter, since),
            )
            for letter in rows
        ]

    return items


def _count(qs: Callable[[Any], QuerySet[Letter]]) -> Callable[[Any], int]:
    return lambda user: qs(user).count()


def letter_list(user: Any) -> str:
    return reverse("letter-list")


register(
    TodoKind(
        "letters.sign",
        _("Letters to sign"),
        "letters",
        count=_count(to_sign),
        items=_items(to_sign, "letter-sign", "issued_at"),
        url=letter_list,
        visible=signs,
        order=10,
    ),
    TodoKind(
        "letters.self_assess",
        _("Self-assessments to fill in"),
        "letters",
        count=_count(to_self_assess),
        items=_items(to_self_assess, "letter-assessment", "signed_at"),
        url=letter_list,
        visible=edits,
        order=20,
    ),
    TodoKind(
        "letters.review",
        _("Self-assessments to review"),
        "letters",
        count=_count(to_review),
        items=_items(to_review, "letter-assessment", "self_assessed_at"),
        url=letter_list,
        visible=edits,
        order=30,
    ),
    TodoKind(
        "letters.publish",
        _("Assessment results to publish"),
        "letters",
        count=_count(to_publish),
        items=_items(to_publish, "letter-assessment", "reviewed_at"),
        url=letter_list,
        visible=edits,
        order=40,
    ),
)

"""Letters take records as evidence (`juli.core.records`): the consumer is the letter's evidence
entry (`Evidence` of kind "record"), which serves one or more items of the letter. A record's
page lists it as "the letter · the items it serves".

Found by core's lazy autodiscovery; nothing imports this module.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from juli.core.records import ConsumerKind, Purpose, register_consumer

from .access import visible_letters
from .models import Evidence, Letter, LetterItem


def purpose_of(letter: Letter) -> Purpose:
    """What a letter's evidence is for: the letter's year, its receiving organisation."""
    return Purpose(year=letter.year, org_path=letter.receiver_path, consumer="letters.evidence")


def visible_evidence(user: Any) -> QuerySet[Evidence]:
    """Evidence of the letters `user` sees, with what `describe` reads (two queries)."""
    return (
        Evidence.objects.filter(letter__in=visible_letters(user))
        .select_related("letter__receiver_org")
        .prefetch_related(Prefetch("items", queryset=LetterItem.objects.order_by("order", "id")))
    )


def describe(evidence: Evidence) -> str:
    items = "；".join(f"{i.order}. {i.content[:40]}" for i in evidence.items.all())
    return f"{evidence.letter} · {items}"


register_consumer(
    ConsumerKind(
        key="letters.evidence",
        label=_("Responsibility letter"),
        describe=describe,
        url=lambda evidence: reverse("letter-evidence", args=[evidence.letter_id]),
        visible=visible_evidence,
    )
)

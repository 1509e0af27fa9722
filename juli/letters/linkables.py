"""The kinds of records Juli already holds that can serve as evidence for a letter item.

A linked record is stored generically (content type + id) on `Evidence`; this registry says,
per kind, which records a user may link (their scope, the letter's year) and how one reads.
Other apps plug in by calling `register(...)` from their `AppConfig.ready` (meetings, projects
and observation visits will), without this app knowing them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Linkable:
    label_key: str  # "app_label.model"
    label: Any  # human name of the kind
    #: (user, letter) → the records of this kind the user may link to that letter.
    candidates: Callable[[Any, Any], QuerySet[Any]]
    #: record → one line describing it.
    describe: Callable[[Any], str]
    #: record → its page, or "".
    url: Callable[[Any], str]


REGISTRY: dict[str, Linkable] = {}


def register(linkable: Linkable) -> None:
    REGISTRY[linkable.label_key] = linkable


def kind_of(obj: Model) -> Linkable | None:
    return REGISTRY.get(obj._meta.label_lower)


def _closed_cases(user: Any, letter: Any) -> QuerySet[Any]:
    from juli.cases.access import visible_cases
    from juli.cases.models import Case

    return visible_cases(user).filter(status=Case.Status.CLOSED, closed_at__year=letter.year)


def _inspections(user: Any, letter: Any) -> QuerySet[Any]:
    from juli.cases.access import visible_inspections

    return visible_inspections(user).filter(started_at__year=letter.year).select_related("point")


def _case_url(case: Any) -> str:
    from django.urls import reverse

    return reverse("case-detail", args=[case.pk])


def _describe_case(case: Any) -> str:
    return f"{case.number} {case.title}"


def _describe_inspection(inspection: Any) -> str:
    return f"{inspection.point.name} {inspection.started_at:%Y-%m-%d}"


register(Linkable("cases.case", _("Closed case"), _closed_cases, _describe_case, _case_url))
register(
    Linkable("cases.inspection", _("Inspection"), _inspections, _describe_inspection, lambda _o: "")
)

"""Writes of rating standards: create one (from a nested spec, as the form and the API send
it), copy last year's and edit, and the pieces (categories, criteria, veto items).

A standard is edited while it is a draft; the first round that uses it freezes it
(`status = in_use`): the scores of a round must be read against the criteria they were
given under. Editing a frozen standard is refused with `StandardError` (code `frozen`);
copy it to change next year's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from juli.core import metrics
from juli.core.audit import record, snapshot
from juli.core.types import Actor
from juli.core.writes import require, user_of
from juli.orgs.models import PartyOrg

from ..access import can_write_standards
from ..models import Criterion, RatingStandard, StandardCategory, VetoItem

STANDARD_FIELDS = ["title", "description", "star1", "star2", "star3", "star4", "star5"]
CRITERION_FIELDS = [
    "code",
    "title",
    "description",
    "points",
    "method",
    "metric",
    "full_share",
    "evidence_hint",
    "order",
]


class StandardError(ValidationError):
    pass


def _decimal(value: Any, field: str, *, low: Decimal, high: Decimal) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise StandardError({field: _("Enter a number.")}, code="invalid") from None
    if not number.is_finite() or number < low or number > high:
        raise StandardError(
            {field: _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}},
            code="out_of_range",
        )
    return number.quantize(Decimal("0.01"))


def check_thresholds(values: Mapping[str, Any]) -> dict[str, Decimal]:
    """The five star thresholds, each in [0, 100], ascending."""
    out = {
        f"star{n}": _decimal(values[f"star{n}"], f"star{n}", low=Decimal(0), high=Decimal(100))
        for n in range(1, 6)
    }
    for n in range(1, 5):
        if out[f"star{n}"] > out[f"star{n + 1}"]:
            raise StandardError(
                {f"star{n + 1}": _("Each star needs at least the score of the star below it.")},
                code="thresholds",
            )
    return out


def check_criterion(data: Mapping[str, Any]) -> dict[str, Any]:
    """A criterion's fields, validated: points in [0.5, 100], a computed criterion names a
    registered metric, a judged one none."""
    out = {k: data[k] for k in CRITERION_FIELDS if k in data}
    title = str(out.get("title", "")).strip()
    if not title:
        raise StandardError({"title": _("Name the criterion.")}, code="required")
    out["title"] = title
    out["points"] = _decimal(data.get("points"), "points", low=Decimal("0.5"), high=Decimal(100))
    method = out.get("method") or Criterion.Method.JUDGED
    if method not in Criterion.Method.values:
        raise StandardError({"method": _("Choose how the criterion is scored.")}, code="invalid")
    out["method"] = method
    metric = str(out.get("metric") or "")
    if method == Criterion.Method.COMPUTED:
        if metrics.get(metric) is None:
            raise StandardError(
                {"metric": _("Choose the records this criterion is computed from.")},
                code="unknown_metric",
            )
    else:
        metric = ""
    out["metric"] = metric
    if "full_share" in data and data["full_share"] not in (None, ""):
        out["full_share"] = _decimal(
            data["full_share"], "full_share", low=Decimal("0.01"), high=Decimal(1)
        )
    return out


def _require_draft(standard: RatingStandard) -> None:
    if standard.is_frozen:
        raise StandardError(
            _("This standard is in use by a rating round and can no longer change; copy it."),
            code="frozen",
        )


@transaction.atomic
def create_standard(
    actor: Actor,
    org: PartyOrg,
    *,
    year: int,
    title: str,
    description: str = "",
    thresholds: Mapping[str, Any] | None = None,
    categories: Iterable[Mapping[str, Any]] = (),
    vetoes: Iterable[Mapping[str, Any]] = (),
    copied_from: RatingStandard | None = None,
) -> RatingStandard:
    """A standard with its categories (`{"name", "criteria": [criterion fields]}`) and veto
    items (`{"title", "description", "cap_stars"}`), in one transaction."""
    require(actor, can_write_standards(actor, org))
    title = title.strip()
    if not title:
        raise StandardError({"title": _("Give the standard a title.")}, code="required")
    if not 2000 <= int(year) <= 2100:
        raise StandardError({"year": _("Enter a year from 2000 to 2100.")}, code="out_of_range")
    if RatingStandard.objects.filter(org=org, year=year, title=title).exists():
        raise StandardError(
            {"title": _("This organisation already has a standard of that title for that year.")},
            code="duplicate",
        )
    standard = RatingStandard(
        org=org,
        org_path=org.path,
        year=year,
        title=title,
        description=description.strip(),
        copied_from=copied_from,
        created_by=user_of(actor),
        **check_thresholds(
            thresholds
            or {f"star{n}": v for n, v in enumerate(("60", "70", "80", "88", "95"), start=1)}
        ),
    )
    try:
        with transaction.atomic():
            standard.save()
    except IntegrityError:
        raise StandardError(
            {"title": _("This organisation already has a standard of that title for that year.")},
            code="duplicate",
        ) from None
    for c_order, cat in enumerate(categories):
        category = _add_category(standard, str(cat.get("name", "")), c_order)
        for k_order, crit in enumerate(cat.get("criteria", ())):
            fields = check_criterion(crit)
            fields.setdefault("order", k_order)
            Criterion.objects.create(standard=standard, category=category, **fields)
    for v_order, veto in enumerate(vetoes):
        _add_veto(standard, veto, v_order)
    record(
        actor,
        "rating.standard.create",
        standard,
        after=snapshot(standard, STANDARD_FIELDS + ["year"]),
    )
    return standard


def _add_category(standard: RatingStandard, name: str, order: int) -> StandardCategory:
    name = name.strip()
    if not name:
        raise StandardError({"name": _("Name the category.")}, code="required")
    if standard.categories.filter(name=name).exists():
        raise StandardError(
            {"name": _("The standard already has this category.")}, code="duplicate"
        )
    return StandardCategory.objects.create(standard=standard, name=name, order=order)


def _add_veto(standard: RatingStandard, data: Mapping[str, Any], order: int) -> VetoItem:
    title = str(data.get("title", "")).strip()
    if not title:
        raise StandardError({"title": _("Name the veto item.")}, code="required")
    try:
        cap = int(data.get("cap_stars", 0))
    except (TypeError, ValueError):
        cap = -1
    if not 0 <= cap <= 4:
        raise StandardError({"cap_stars": _("Enter 0 to 4 stars.")}, code="out_of_range")
    return VetoItem.objects.create(
        standard=standard,
        title=title,
        description=str(data.get("description", "")).strip(),
        cap_stars=cap,
        order=order,
    )


def spec_of(standard: RatingStandard) -> dict[str, Any]:
    """The standard as the nested spec `create_standard` takes (for copying and the API)."""
    criteria_by_cat: dict[int, list[dict[str, Any]]] = {}
    for crit in standard.criteria.order_by("order", "id"):
        criteria_by_cat.setdefault(crit.category_id, []).append(
            {name: getattr(crit, name) for name in CRITERION_FIELDS}
        )
    return {
        "description": standard.description,
        "thresholds": {f"star{n}": getattr(standard, f"star{n}") for n in range(1, 6)},
        "categories": [
            {"name": cat.name, "criteria": criteria_by_cat.get(cat.pk, [])}
            for cat in standard.categories.order_by("order", "id")
        ],
        "vetoes": [
            {"title": v.title, "description": v.description, "cap_stars": v.cap_stars}
            for v in standard.vetoes.order_by("order", "id")
        ],
    }


def copy_standard(
    actor: Actor,
    source: RatingStandard,
    *,
    year: int,
    org: PartyOrg | None = None,
    title: str | None = None,
) -> RatingStandard:
    """A draft copy of `source` for `year` (last year's standard, to edit for this year).
    A metric no longer registered makes its criterion judged, said in its description."""
    org = org or source.org
    spec = spec_of(source)
    for cat in spec["categories"]:
        for crit in cat["criteria"]:
            if crit["method"] == Criterion.Method.COMPUTED and metrics.get(crit["metric"]) is None:
                crit["method"], crit["metric"] = Criterion.Method.JUDGED, ""
    new_title = title or source.title.replace(str(source.year), str(year))
    if new_title == source.title and int(year) == source.year and org == source.org:
        new_title = _("%(title)s (copy)") % {"title": source.title}
    return create_standard(actor, org, year=year, title=new_title, copied_from=source, **spec)


def freeze(standard: RatingStandard) -> None:
    """Called by the round that first uses the standard (inside its transaction)."""
    if not standard.is_frozen:
        RatingStandard.objects.filter(pk=standard.pk).update(
            status=RatingStandard.Status.IN_USE, updated_at=timezone.now()
        )
        standard.status = RatingStandard.Status.IN_USE


# --- Editing a draft, piece by piece (the standard page's inline forms and the API's PATCH) -----


def _lock_draft(actor: Actor, standard: RatingStandard) -> RatingStandard:
    """The standard's row, locked for the edit, after the right and the draft checks: two
    editors (or a round opening) serialise on it, so nothing is written into a standard a
    round has just frozen."""
    require(actor, can_write_standards(actor, standard.org))
    locked = RatingStandard.objects.select_for_update().select_related("org").get(pk=standard.pk)
    _require_draft(locked)
    return locked


def _touch(standard: RatingStandard) -> None:
    standard.updated_at = timezone.now()
    standard.save(update_fields=["updated_at"])


@transaction.atomic
def update_standard(
    actor: Actor,
    standard: RatingStandard,
    *,
    title: str | None = None,
    description: str | None = None,
    thresholds: Mapping[str, Any] | None = None,
) -> RatingStandard:
    """Change a draft's title, description or star thresholds (all five, ascending)."""
    standard = _lock_draft(actor, standard)
    before = snapshot(standard, STANDARD_FIELDS)
    if title is not None:
        title = title.strip()
        if not title:
            raise StandardError({"title": _("Give the standard a title.")}, code="required")
        taken = RatingStandard.objects.filter(org=standard.org_id, year=standard.year, title=title)
        if taken.exclude(pk=standard.pk).exists():
            raise StandardError(
                {
                    "title": _(
                        "This organisation already has a standard of that title for that year."
                    )
                },
                code="duplicate",
            )
        standard.title = title
    if description is not None:
        standard.description = description.strip()
    if thresholds is not None:
        full = {f"star{n}": getattr(standard, f"star{n}") for n in range(1, 6)} | dict(thresholds)
        for name, value in check_thresholds(full).items():
            setattr(standard, name, value)
    standard.updated_at = timezone.now()
    standard.save(update_fields=[*STANDARD_FIELDS, "updated_at"])
    record(
        actor,
        "rating.standard.update",
        standard,
        before=before,
        after=snapshot(standard, STANDARD_FIELDS),
    )
    return standard


def _category_of(standard: RatingStandard, category: StandardCategory | int | None) -> Any:
    pk = category.pk if isinstance(category, StandardCategory) else category
    found = standard.categories.filter(pk=pk).first() if pk else None
    if found is None:
        raise StandardError(
            {"category": _("Choose a category of this standard.")}, code="wrong_standard"
        )
    return found


@transaction.atomic
def add_category(actor: Actor, standard: RatingStandard, *, name: str) -> StandardCategory:
    standard = _lock_draft(actor, standard)
    order = standard.categories.count()
    category = _add_category(standard, name, order)
    _touch(standard)
    record(actor, "rating.standard.category.add", standard, after={"category": category.name})
    return category


@transaction.atomic
def update_category(
    actor: Actor, category: StandardCategory, *, name: str | None = None, order: int | None = None
) -> StandardCategory:
    standard = _lock_draft(actor, category.standard)
    category = _category_of(standard, category)
    before = {"name": category.name, "order": category.order}
    if name is not None:
        name = name.strip()
        if not name:
            raise StandardError({"name": _("Name the category.")}, code="required")
        if standard.categories.filter(name=name).exclude(pk=category.pk).exists():
            raise StandardError(
                {"name": _("The standard already has this category.")}, code="duplicate"
            )
        category.name = name
    if order is not None:
        if not 0 <= int(order) <= 999:
            raise StandardError({"order": _("Enter 0 to 999.")}, code="out_of_range")
        category.order = int(order)
    category.save(update_fields=["name", "order"])
    _touch(standard)
    record(
        actor,
        "rating.standard.category.update",
        standard,
        before=before,
        after={"name": category.name, "order": category.order},
    )
    return category


@transaction.atomic
def delete_category(actor: Actor, category: StandardCategory) -> None:
    """Remove a category and its criteria from a draft."""
    standard = _lock_draft(actor, category.standard)
    category = _category_of(standard, category)
    before = {
        "category": category.name,
        "criteria": list(category.criteria.values_list("title", flat=True)),
    }
    category.delete()
    _touch(standard)
    record(actor, "rating.standard.category.delete", standard, before=before)


@transaction.atomic
def add_criterion(
    actor: Actor,
    standard: RatingStandard,
    *,
    category: StandardCategory | int | None,
    data: Mapping[str, Any],
) -> Criterion:
    """A criterion in one of the draft's categories (validated as `check_criterion`)."""
    standard = _lock_draft(actor, standard)
    target = _category_of(standard, category)
    fields = check_criterion(data)
    if "order" not in fields:
        fields["order"] = target.criteria.count()
    criterion = Criterion.objects.create(standard=standard, category=target, **fields)
    _touch(standard)
    record(
        actor,
        "rating.standard.criterion.add",
        standard,
        after=snapshot(criterion, CRITERION_FIELDS + ["category"]),
    )
    return criterion


def _criterion_of(standard: RatingStandard, criterion: Criterion | int) -> Criterion:
    pk = criterion.pk if isinstance(criterion, Criterion) else criterion
    found = standard.criteria.filter(pk=pk).first()
    if found is None:
        raise StandardError(
            {"criterion": _("Choose a criterion of this standard.")}, code="wrong_standard"
        )
    return found


@transaction.atomic
def update_criterion(
    actor: Actor,
    criterion: Criterion,
    data: Mapping[str, Any],
    *,
    category: StandardCategory | int | None = None,
) -> Criterion:
    """Change a draft's criterion: the fields given replace the old ones, then the whole is
    validated again (a computed criterion keeps naming a registered metric)."""
    standard = _lock_draft(actor, criterion.standard)
    criterion = _criterion_of(standard, criterion)
    before = snapshot(criterion, CRITERION_FIELDS + ["category"])
    current = {name: getattr(criterion, name) for name in CRITERION_FIELDS}
    fields = check_criterion(current | dict(data))
    for name, value in fields.items():
        setattr(criterion, name, value)
    if category is not None:
        criterion.category = _category_of(standard, category)
    criterion.save()
    _touch(standard)
    record(
        actor,
        "rating.standard.criterion.update",
        standard,
        before=before,
        after=snapshot(criterion, CRITERION_FIELDS + ["category"]),
    )
    return criterion


@transaction.atomic
def delete_criterion(actor: Actor, criterion: Criterion) -> None:
    standard = _lock_draft(actor, criterion.standard)
    criterion = _criterion_of(standard, criterion)
    before = snapshot(criterion, CRITERION_FIELDS + ["category"])
    criterion.delete()
    _touch(standard)
    record(actor, "rating.standard.criterion.delete", standard, before=before)


@transaction.atomic
def add_veto(actor: Actor, standard: RatingStandard, data: Mapping[str, Any]) -> VetoItem:
    standard = _lock_draft(actor, standard)
    veto = _add_veto(standard, data, standard.vetoes.count())
    _touch(standard)
    record(
        actor,
        "rating.standard.veto.add",
        standard,
        after={"veto": veto.title, "cap_stars": veto.cap_stars},
    )
    return veto


def _veto_of(standard: RatingStandard, veto: VetoItem | int) -> VetoItem:
    pk = veto.pk if isinstance(veto, VetoItem) else veto
    found = standard.vetoes.filter(pk=pk).first()
    if found is None:
        raise StandardError(
            {"veto": _("Choose a veto item of this standard.")}, code="wrong_standard"
        )
    return found


@transaction.atomic
def update_veto(actor: Actor, veto: VetoItem, data: Mapping[str, Any]) -> VetoItem:
    standard = _lock_draft(actor, veto.standard)
    veto = _veto_of(standard, veto)
    before = {"veto": veto.title, "description": veto.description, "cap_stars": veto.cap_stars}
    merged: dict[str, Any] = before | {"title": veto.title} | dict(data)
    checked = VetoItem(
        standard=standard,
        title=str(merged.get("title", "")).strip(),
        description=str(merged.get("description", "")).strip(),
    )
    if not checked.title:
        raise StandardError({"title": _("Name the veto item.")}, code="required")
    try:
        cap = int(merged.get("cap_stars", 0))
    except (TypeError, ValueError):
        cap = -1
    if not 0 <= cap <= 4:
        raise StandardError({"cap_stars": _("Enter 0 to 4 stars.")}, code="out_of_range")
    veto.title, veto.description, veto.cap_stars = checked.title, checked.description, cap
    veto.save(update_fields=["title", "description", "cap_stars"])
    _touch(standard)
    record(
        actor,
        "rating.standard.veto.update",
        standard,
        before=before,
        after={"veto": veto.title, "description": veto.description, "cap_stars": cap},
    )
    return veto


@transaction.atomic
def delete_veto(actor: Actor, veto: VetoItem) -> None:
    standard = _lock_draft(actor, veto.standard)
    veto = _veto_of(standard, veto)
    before = {"veto": veto.title, "cap_stars": veto.cap_stars}
    veto.delete()
    _touch(standard)
    record(actor, "rating.standard.veto.delete", standard, before=before)

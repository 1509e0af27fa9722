"""Every write to duty lists and business-leader designations.

Each action checks the actor's right (actor=None is the system: commands, the demo),
validates, writes inside one transaction and appends an audit row. A refused call raises
before anything is written, so it leaves no row and no audit entry.

Repeats: adding a post or a duty that is already there (same level and post; same text in
the same post) returns the existing row and writes nothing, so a double-submitted form does
not duplicate a line. Copying a list onto a year that already has one is refused with the
code `year_exists`: the existing year may have been edited since and is never overwritten.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from juli.core.audit import record, snapshot
from juli.core.types import Actor
from juli.core.writes import apply_fields, require
from juli.orgs.models import PartyOrg, Person

from . import access
from .models import POSTS_BY_LEVEL, Duty, DutyList, DutyPost, DutyPostKind, LeaderDesignation

LIST_FIELDS = ["title", "note"]
POST_FIELDS = ["title", "required", "order"]
DUTY_FIELDS = ["category", "text", "frequency", "order"]


def _field_error(field: str, message: str, code: str) -> ValidationError:
    """A ValidationError on one field that still carries its code at the top (the API
    answers with it)."""
    error = ValidationError({field: ValidationError(message, code=code)})
    error.code = code
    return error


def _touch(duty_list: DutyList) -> None:
    DutyList.objects.filter(pk=duty_list.pk).update(updated_at=timezone.now())


# --- Lists --------------------------------------------------------------------------------


@transaction.atomic
def create_list(
    actor: Actor, owner: PartyOrg, *, year: int, title: str, note: str = ""
) -> DutyList:
    require(actor, access.can_manage_list_owner(actor, owner))
    if not owner.is_active:
        raise ValidationError(
            _("%(name)s is no longer active.") % {"name": owner.name}, code="org_inactive"
        )
    duty_list = DutyList(owner=owner, year=year, title=title.strip(), note=note.strip())
    duty_list.full_clean(validate_constraints=False)
    _refuse_taken_year(owner, year)
    try:
        with transaction.atomic():
            duty_list.save()
    except IntegrityError:  # a concurrent create of the same year won the race
        _refuse_taken_year(owner, year)
        raise
    record(actor, "duty_list.create", duty_list, after=snapshot(duty_list))
    return duty_list


def _refuse_taken_year(owner: PartyOrg, year: int) -> None:
    if DutyList.objects.filter(owner=owner, year=year).exists():
        raise _field_error(
            "year",
            _("%(name)s already has a duty list for %(year)s.")
            % {"name": owner.name, "year": year},
            "year_exists",
        )


@transaction.atomic
def update_list(actor: Actor, duty_list: DutyList, **data: Any) -> DutyList:
    duty_list = DutyList.objects.select_for_update().select_related("owner").get(pk=duty_list.pk)
    require(actor, access.can_manage_list(actor, duty_list))
    before = snapshot(duty_list, LIST_FIELDS)
    apply_fields(duty_list, LIST_FIELDS, data, strip=True, code="unknown_field")
    duty_list.full_clean(validate_constraints=False)
    after = snapshot(duty_list, LIST_FIELDS)
    if after == before:
        return duty_list
    duty_list.updated_at = timezone.now()
    duty_list.save(update_fields=[*LIST_FIELDS, "updated_at"])
    record(actor, "duty_list.update", duty_list, before=before, after=after)
    return duty_list


@transaction.atomic
def copy_list(actor: Actor, source: DutyList, *, year: int, title: str = "") -> DutyList:
    """A new list for `year` with every post and duty of `source` (then edited on its own)."""
    source = DutyList.objects.select_related("owner").get(pk=source.pk)
    require(actor, access.can_manage_list(actor, source))
    new_title = title.strip() or source.title.replace(str(source.year), str(year))
    target = DutyList(
        owner=source.owner, year=year, title=new_title, note=source.note, copied_from=source
    )
    target.full_clean(validate_constraints=False)
    _refuse_taken_year(source.owner, year)
    target.save()
    posts = list(source.posts.prefetch_related("duties"))
    new_posts = DutyPost.objects.bulk_create(
        [
            DutyPost(
                duty_list=target,
                level=p.level,
                post=p.post,
                title=p.title,
                required=p.required,
                order=p.order,
            )
            for p in posts
        ]
    )
    duties = [
        Duty(
            duty_post=new,
            category=d.category,
            text=d.text,
            frequency=d.frequency,
            order=d.order,
        )
        for old, new in zip(posts, new_posts, strict=True)
        for d in old.duties.all()
    ]
    Duty.objects.bulk_create(duties)
    record(
        actor,
        "duty_list.copy",
        target,
        after={**snapshot(target), "posts": len(new_posts), "duties": len(duties)},
        note=_("Copied from %(year)s") % {"year": source.year},
    )
    return target


# --- Posts --------------------------------------------------------------------------------


def _check_level_post(level: str, post: str) -> None:
    if level not in POSTS_BY_LEVEL:
        raise _field_error("level", _("Choose a level."), "invalid_level")
    if post not in POSTS_BY_LEVEL[level]:
        labels = dict(DutyPostKind.choices)
        raise _field_error(
            "post",
            _("A %(post)s does not exist at this level.") % {"post": labels.get(post, post)},
            "post_not_at_level",
        )


@transaction.atomic
def add_post(
    actor: Actor,
    duty_list: DutyList,
    *,
    level: str,
    post: str,
    title: str = "",
    required: bool = True,
    order: int = 0,
) -> DutyPost:
    """The post `post` at `level` in the list; an existing one is returned unchanged."""
    duty_list = DutyList.objects.select_for_update().select_related("owner").get(pk=duty_list.pk)
    require(actor, access.can_manage_list(actor, duty_list))
    _check_level_post(level, post)
    existing = DutyPost.objects.filter(duty_list=duty_list, level=level, post=post).first()
    if existing is not None:
        return existing
    duty_post = DutyPost(
        duty_list=duty_list,
        level=level,
        post=post,
        title=title.strip(),
        required=required,
        order=order,
    )
    duty_post.full_clean(validate_constraints=False)
    duty_post.save()
    _touch(duty_list)
    record(actor, "duty_post.create", duty_post, after=snapshot(duty_post))
    return duty_post


@transaction.atomic
def update_post(actor: Actor, duty_post: DutyPost, **data: Any) -> DutyPost:
    duty_post = (
        DutyPost.objects.select_for_update().select_related("duty_list__owner").get(pk=duty_post.pk)
    )
    require(actor, access.can_manage_list(actor, duty_post.duty_list))
    before = snapshot(duty_post, POST_FIELDS)
    apply_fields(duty_post, POST_FIELDS, data, strip=True, code="unknown_field")
    duty_post.full_clean(validate_constraints=False)
    after = snapshot(duty_post, POST_FIELDS)
    if after == before:
        return duty_post
    duty_post.save(update_fields=POST_FIELDS)
    _touch(duty_post.duty_list)
    record(actor, "duty_post.update", duty_post, before=before, after=after)
    return duty_post


@transaction.atomic
def remove_post(actor: Actor, duty_post: DutyPost) -> None:
    """Remove a post and its duties from the list (the audit row keeps what they were)."""
    duty_post = DutyPost.objects.select_related("duty_list__owner").get(pk=duty_post.pk)
    require(actor, access.can_manage_list(actor, duty_post.duty_list))
    before = {
        **snapshot(duty_post),
        "duties": [d.text for d in duty_post.duties.all()],
    }
    record(actor, "duty_post.delete", duty_post, before=before)
    _touch(duty_post.duty_list)
    duty_post.delete()


# --- Duties -------------------------------------------------------------------------------


@transaction.atomic
def add_duty(
    actor: Actor,
    duty_post: DutyPost,
    *,
    text: str,
    category: str = Duty.Category.ORGANISATIONAL,
    frequency: str = "",
    order: int | None = None,
) -> Duty:
    """Append a duty to a post; the same text again in the same post returns the first."""
    duty_post = (
        DutyPost.objects.select_for_update().select_related("duty_list__owner").get(pk=duty_post.pk)
    )
    require(actor, access.can_manage_list(actor, duty_post.duty_list))
    text = " ".join(text.split())
    existing = Duty.objects.filter(duty_post=duty_post, text=text).first()
    if existing is not None:
        return existing
    if order is None:
        last = duty_post.duties.order_by("-order").values_list("order", flat=True).first()
        order = (last or 0) + 1
    duty = Duty(
        duty_post=duty_post,
        text=text,
        category=category,
        frequency=frequency.strip(),
        order=order,
    )
    duty.full_clean()
    duty.save()
    _touch(duty_post.duty_list)
    record(actor, "duty.create", duty, after=snapshot(duty))
    return duty


@transaction.atomic
def update_duty(actor: Actor, duty: Duty, **data: Any) -> Duty:
    duty = (
        Duty.objects.select_for_update()
        .select_related("duty_post__duty_list__owner")
        .get(pk=duty.pk)
    )
    require(actor, access.can_manage_list(actor, duty.duty_post.duty_list))
    before = snapshot(duty, DUTY_FIELDS)
    if "text" in data and isinstance(data["text"], str):
        data["text"] = " ".join(data["text"].split())
    apply_fields(duty, DUTY_FIELDS, data, strip=True, code="unknown_field")
    duty.full_clean()
    after = snapshot(duty, DUTY_FIELDS)
    if after == before:
        return duty
    duty.save(update_fields=DUTY_FIELDS)
    _touch(duty.duty_post.duty_list)
    record(actor, "duty.update", duty, before=before, after=after)
    return duty


@transaction.atomic
def remove_duty(actor: Actor, duty: Duty) -> None:
    duty = Duty.objects.select_related("duty_post__duty_list__owner").get(pk=duty.pk)
    require(actor, access.can_manage_list(actor, duty.duty_post.duty_list))
    record(actor, "duty.delete", duty, before=snapshot(duty))
    _touch(duty.duty_post.duty_list)
    duty.delete()


# --- Business leaders (一岗双责) -------------------------------------------------------------


@transaction.atomic
def designate_leader(
    actor: Actor,
    person: Person,
    org: PartyOrg,
    *,
    title: str,
    started_on: datetime.date | None = None,
) -> LeaderDesignation:
    """Record that `person` leads business under `org`; a current one with the same title
    is returned unchanged."""
    require(actor, access.can_manage_designations(actor, org))
    if not org.is_active:
        raise ValidationError(
            _("%(name)s is no longer active.") % {"name": org.name}, code="org_inactive"
        )
    title = title.strip()
    today = timezone.localdate()
    existing = (
        LeaderDesignation.objects.filter(person=person, org=org, title=title)
        .exclude(ended_on__lt=today)
        .first()
    )
    if existing is not None:
        return existing
    designation = LeaderDesignation(
        person=person, org=org, title=title, started_on=started_on or today
    )
    designation.full_clean()
    designation.save()
    record(actor, "leader.designate", designation, after=snapshot(designation))
    return designation


@transaction.atomic
def end_designation(
    actor: Actor, designation: LeaderDesignation, *, on: datetime.date | None = None
) -> LeaderDesignation:
    designation = (
        LeaderDesignation.objects.select_for_update()
        .select_related("org", "person")
        .get(pk=designation.pk)
    )
    require(actor, access.can_manage_designations(actor, designation.org))
    if designation.ended_on is not None:
        raise ValidationError(_("This designation has already ended."), code="already_ended")
    before = snapshot(designation, ["ended_on"])
    designation.ended_on = on or timezone.localdate()
    if designation.ended_on < designation.started_on:
        raise ValidationError(_("The end cannot be before the start."), code="end_before_start")
    designation.save(update_fields=["ended_on"])
    record(
        actor,
        "leader.end",
        designation,
        before=before,
        after=snapshot(designation, ["ended_on"]),
    )
    return designation

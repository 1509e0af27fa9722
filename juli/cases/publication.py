"""Writes of the public-feed sub-workflow (split from `actions.py`, same conventions): what
a case gives the public (its public reply, whether an officer listed it) and what a
district's cases give the feed (`PublicFeedSettings`).

The Open311 feed (`open311.py`) publishes only text written for the public: what a public
reporter typed, the reply an officer writes here on purpose, fixed status phrases and
reference names (category, point, area). Notes of the loop's steps, deferral reasons, the
reporter's contacts and the text of internal cases never leave the signed-in pages.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from juli.core.audit import record, snapshot
from juli.core.types import Actor
from juli.core.writes import require, user_of
from juli.orgs.models import Area

from . import access
from .actions import _event
from .models import Case, PublicFeedSettings

PUBLICATION_FIELDS = ("public_reply", "is_public", "feed_withdrawn")
FEED_FIELDS = ("feed", "coordinate_decimals", "name_agencies")


# --- A case ---------------------------------------------------------------------------------------


def update_publication(
    actor: Actor,
    case: Case,
    *,
    public_reply: str | None = None,
    is_public: bool | None = None,
    feed_withdrawn: bool | None = None,
) -> Case:
    """Set the case's public reply, its public flag (an internal case listed on purpose)
    and/or its withdrawal (a public report taken off the feed); None leaves one as it is.

    The case office over the case's area (`access.can_publish`); 404 out of scope. Each
    change appends a case event ("public_reply" with the reply as its note, "publish" or
    "unpublish"; the status stays) and one audit row; the same values again write nothing.
    Returns the updated case (a fresh object).
    """
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if actor is not None and not access.can_see_case(actor, locked):
            raise Http404
        require(actor, access.can_publish(actor, locked))
        wanted: dict[str, Any] = {}
        if public_reply is not None:
            wanted["public_reply"] = public_reply.strip()
        if is_public is not None:
            wanted["is_public"] = bool(is_public)
        if feed_withdrawn is not None:
            wanted["feed_withdrawn"] = bool(feed_withdrawn)
        changed = {k: v for k, v in wanted.items() if getattr(locked, k) != v}
        if not changed:
            return locked
        before = {k: getattr(locked, k) for k in PUBLICATION_FIELDS}
        for name, value in changed.items():
            setattr(locked, name, value)
        others = [f.name for f in Case._meta.concrete_fields if f.name not in changed]
        locked.clean_fields(exclude=others)
        locked.save(update_fields=list(changed))
        now = timezone.now()
        status = locked.status
        if "public_reply" in changed:
            _event(locked, actor, "public_reply", status, status, at=now, note=locked.public_reply)
        if "is_public" in changed:
            action = "publish" if locked.is_public else "unpublish"
            _event(locked, actor, action, status, status, at=now)
        if "feed_withdrawn" in changed:
            action = "unpublish" if locked.feed_withdrawn else "publish"
            _event(locked, actor, action, status, status, at=now)
        after = {k: getattr(locked, k) for k in PUBLICATION_FIELDS}
        record(actor, "case.publication", locked, before=before, after=after)
    return locked


# --- A district -------------------------------------------------------------------------------------


def feed_settings_for(district: Area | None) -> PublicFeedSettings:
    """The feed settings of a district: its row, or an unsaved one carrying the defaults
    (JULI_OPEN311_FEED, JULI_OPEN311_COORDINATE_DECIMALS)."""
    found = (
        PublicFeedSettings.objects.filter(district=district).first()
        if district is not None
        else None
    )
    return found or default_feed_settings(district)


def default_feed_settings(district: Area | None = None) -> PublicFeedSettings:
    """An unsaved row with the deployment's defaults (an unknown feed value counts as the
    safe "public")."""
    feed = str(getattr(settings, "JULI_OPEN311_FEED", PublicFeedSettings.Feed.PUBLIC))
    if feed not in PublicFeedSettings.Feed.values:
        feed = PublicFeedSettings.Feed.PUBLIC
    decimals = int(getattr(settings, "JULI_OPEN311_COORDINATE_DECIMALS", 3))
    row = PublicFeedSettings(feed=feed, coordinate_decimals=decimals)
    if district is not None:
        row.district = district
    return row


@transaction.atomic
def update_feed_settings(actor: Actor, district: Area, **data: Any) -> PublicFeedSettings:
    """Set a district's public-feed settings (its district admins; created on first use).
    Fields not given keep their current (or default) value. Audited; the same values again
    change and record nothing."""
    if actor is not None and not access.feed_districts(actor).filter(pk=district.pk).exists():
        raise Http404
    if district.kind != Area.Kind.DISTRICT:
        raise ValidationError(_("Public-feed settings belong to a district."), code="wrong_kind")
    unknown = set(data) - set(FEED_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    row = PublicFeedSettings.objects.select_for_update().filter(district=district).first()
    if row is not None and all(getattr(row, k) == v for k, v in data.items()):
        return row
    before = snapshot(row, list(FEED_FIELDS)) if row is not None else None
    current = row or default_feed_settings(district)
    for name, value in data.items():
        setattr(current, name, value)
    current.updated_at = timezone.now()
    current.updated_by = user_of(actor)
    current.full_clean(exclude=["district"], validate_unique=False)
    current.save()
    record(
        actor,
        "public_feed.settings",
        current,
        before=before,
        after=snapshot(current, list(FEED_FIELDS)),
    )
    return current

"""Every write of news: create and edit a draft, submit it for review, approve (publish) or
return it with a reason, withdraw a published item with a reason, and an organisation's
public switch.

Each step checks the actor's right (`access`), moves the item through `core.workflow`
(`TRANSITIONS`, one `NewsEvent` per step), is audited (`news.<action>`) and tells who must
know (`notices`), all in one transaction. `actor=None` is the system (the demo): it skips
the rights, never the rules.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from juli.core.audit import record, snapshot
from juli.core.types import Actor
from juli.core.workflow import append_event, check_move, transition
from juli.core.writes import require, user_of
from juli.orgs.models import PartyOrg
from juli.orgs.search import search_key, simplify

from . import access, notices
from .models import (
    BODY_MAX,
    REASON_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    TRANSITIONS,
    NewsEvent,
    NewsItem,
    NewsSettings,
)

FIELDS = ["org", "title", "summary", "body", "status", "source_label", "published_at"]
TEXT_FIELDS = ("title", "summary", "body")

ACTION_LABELS = {
    "create": gettext_lazy("created"),
    "edit": gettext_lazy("edit"),
    "submit": gettext_lazy("submit for review"),
    "approve": gettext_lazy("approve"),
    "return": gettext_lazy("return"),
    "withdraw": gettext_lazy("withdraw"),
}


class NewsError(ValidationError):
    """A news write refused for a reason the user can fix (400 / the form's error)."""


def news_key(title: str, summary: str, body: str) -> str:
    """The folded search key: the title as `orgs.search` keys it (simplified, pinyin,
    initials), then the summary and text in simplified script."""
    return f"{search_key(title)}|{simplify(f'{summary} {body}')}"


def _clean(title: str, summary: str, body: str) -> tuple[str, str, str]:
    title = (title or "").strip()
    summary = (summary or "").strip()
    body = (body or "").replace("\r\n", "\n").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Give the news item a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("The title is too long (at most %(n)d characters).") % {"n": TITLE_MAX}
    if len(summary) > SUMMARY_MAX:
        errors["summary"] = _("The summary is too long (at most %(n)d characters).") % {
            "n": SUMMARY_MAX
        }
    if len(body) > BODY_MAX:
        errors["body"] = _("The text is too long (at most %(n)d characters).") % {"n": BODY_MAX}
    if errors:
        raise NewsError(errors, code="invalid")
    return title, summary, body


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise NewsError(_("Give a reason."), code="reason_required")
    return reason[:REASON_MAX]


@transaction.atomic
def create_item(
    actor: Actor,
    org: PartyOrg,
    *,
    title: str,
    summary: str = "",
    body: str = "",
    source: models.Model | None = None,
    source_label: str = "",
    source_url: str = "",
) -> NewsItem:
    """A new draft of `org`, optionally made from a record (`source`, stored by content
    type and id with its label and link). Audited `news.create`."""
    require(actor, access.can_write_org(actor, org))
    if not org.is_active:
        raise NewsError({"org": _("This organisation has ended.")}, code="invalid")
    title, summary, body = _clean(title, summary, body)
    check_move(None, "create", table=TRANSITIONS, error=NewsError)
    item = NewsItem(
        org=org,
        org_path=org.path,
        title=title,
        summary=summary,
        body=body,
        author=user_of(actor),
        source_type=ContentType.objects.get_for_model(source) if source is not None else None,
        source_id=source.pk if source is not None else None,
        source_label=source_label.strip()[:200],
        source_url=source_url.strip()[:300],
        search_key=news_key(title, summary, body),
    )
    item.save()
    append_event(
        NewsEvent, item, actor=actor, action="create", from_status="", to_status=item.status
    )
    record(actor, "news.create", item, after=snapshot(item, FIELDS))
    return item


@transaction.atomic
def update_item(
    actor: Actor, item: NewsItem, *, title: str, summary: str = "", body: str = ""
) -> NewsItem:
    """Change a draft's title, summary and text (drafts only; a returned item is a draft
    again). The same text again writes nothing."""
    locked = NewsItem.objects.select_for_update().select_related("org").get(pk=item.pk)
    if not access.visible_news(actor).filter(pk=locked.pk).exists() and actor is not None:
        from django.http import Http404

        raise Http404
    require(actor, access.can_write_org(actor, locked.org))
    check_move(locked, "edit", table=TRANSITIONS, error=NewsError, action_labels=ACTION_LABELS)
    title, summary, body = _clean(title, summary, body)
    if (title, summary, body) == (locked.title, locked.summary, locked.body):
        return locked
    before = snapshot(locked, list(TEXT_FIELDS))
    locked.title, locked.summary, locked.body = title, summary, body
    locked.search_key = news_key(title, summary, body)
    locked.updated_at = timezone.now()
    locked.save(update_fields=[*TEXT_FIELDS, "search_key", "updated_at"])
    append_event(
        NewsEvent,
        locked,
        actor=actor,
        action="edit",
        from_status=locked.status,
        to_status=locked.status,
    )
    record(actor, "news.edit", locked, before=before, after=snapshot(locked, list(TEXT_FIELDS)))
    return locked


def _step(
    actor: Actor,
    item: NewsItem,
    action: str,
    *,
    check: Any,
    effects: Any = None,
    note: str = "",
) -> NewsItem:
    with transaction.atomic():
        locked = NewsItem.objects.select_for_update().select_related("org").get(pk=item.pk)
        if actor is not None and not access.visible_news(actor).filter(pk=locked.pk).exists():
            from django.http import Http404

            raise Http404

        def touch(obj: NewsItem, move: Any, now: Any) -> tuple[list[str], dict[str, Any]]:
            obj.updated_at = now
            fields, data = effects(obj, move, now) if effects is not None else ([], {})
            return ["updated_at", *fields], data

        return transition(
            actor,
            locked,
            action,
            table=TRANSITIONS,
            event_model=NewsEvent,
            check=check,
            effects=touch,
            note=note,
            label="news",
            error=NewsError,
            action_labels=ACTION_LABELS,
            locked=True,
        )


def submit_item(actor: Actor, item: NewsItem) -> NewsItem:
    """A draft goes to review; the reviewers are told."""

    def check(actor: Actor, obj: NewsItem, move: Any) -> None:
        require(actor, access.can_write_org(actor, obj.org))

    with transaction.atomic():
        done = _step(actor, item, "submit", check=check)
        notices.announce_submitted(done)
    return done


def approve_item(actor: Actor, item: NewsItem) -> NewsItem:
    """An item in review is published by a reviewer who is not its author; the author and
    the organisation's channels are told."""

    def check(actor: Actor, obj: NewsItem, move: Any) -> None:
        if actor is None:
            return
        if obj.author_id and obj.author_id == actor.pk:
            raise PermissionDenied(_("You may not approve a news item you wrote."))
        require(actor, access.may_review(actor, obj))

    def effects(obj: NewsItem, move: Any, now: Any) -> tuple[list[str], dict[str, Any]]:
        obj.published_at = now
        obj.reviewer = user_of(actor)
        obj.reason = ""
        return ["published_at", "reviewer", "reason"], {}

    with transaction.atomic():
        done = _step(actor, item, "approve", check=check, effects=effects)
        notices.announce_published(done)
    return done


def return_item(actor: Actor, item: NewsItem, *, reason: str) -> NewsItem:
    """An item in review goes back to its author as a draft, with the reviewer's reason."""
    reason = _reason(reason)

    def check(actor: Actor, obj: NewsItem, move: Any) -> None:
        if actor is not None:
            require(actor, access.may_review(actor, obj))

    def effects(obj: NewsItem, move: Any, now: Any) -> tuple[list[str], dict[str, Any]]:
        obj.reason = reason
        obj.reviewer = user_of(actor)
        return ["reason", "reviewer"], {}

    with transaction.atomic():
        done = _step(actor, item, "return", check=check, effects=effects, note=reason)
        notices.announce_returned(done)
    return done


def withdraw_item(actor: Actor, item: NewsItem, *, reason: str) -> NewsItem:
    """A published item is taken off the news page and the feed, with a reason. Its author,
    its reviewers and the organisation's secretaries and publicity officers may withdraw
    it (taking news down is never held back by the four-eyes rule)."""
    reason = _reason(reason)

    def check(actor: Actor, obj: NewsItem, move: Any) -> None:
        if actor is not None:
            require(
                actor,
                obj.author_id == actor.pk
                or access.may_review(actor, obj)
                or access.can_configure_org(actor, obj.org),
            )

    def effects(obj: NewsItem, move: Any, now: Any) -> tuple[list[str], dict[str, Any]]:
        obj.reason = reason
        return ["reason"], {}

    return _step(actor, item, "withdraw", check=check, effects=effects, note=reason)


@transaction.atomic
def set_public(actor: Actor, org: PartyOrg, *, public: bool) -> NewsSettings:
    """The organisation chooses whether its news page and feed are readable without
    signing in. Audited `news.settings` when it changes."""
    require(actor, access.can_configure_org(actor, org))
    row, _created = NewsSettings.objects.select_for_update().get_or_create(org=org)
    if row.public == bool(public):
        return row
    before = {"public": row.public}
    row.public = bool(public)
    row.updated_at = timezone.now()
    row.save(update_fields=["public", "updated_at"])
    record(actor, "news.settings", row, before=before, after={"public": row.public})
    return row

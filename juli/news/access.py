"""Who reads, writes and reviews news.

- **Reading published news**: anyone whose grants cover the item's organisation (a member
  reads their branch's news through the membership grant; an upper organisation its
  subtree's); anyone at all, signed in or not, when the organisation made its news public
  (`NewsSettings.public`). A withdrawn item is no longer news: only its editors see it.
- **Writing** (create, edit and submit drafts, draft from a meeting): the office roles,
  committee members and publicity officers over the organisation (`EDITOR_ROLES`).
- **Reviewing** (approve, return, withdraw): the organisation's publicity officers (a post
  with `Role.PUBLICITY_OFFICER` in the organisation or above it); where there is none, its
  party secretaries and deputies (posts in the organisation or above). The author may not
  approve their own item. The superuser reviews everything.
- **Settings** (public or not): the secretaries and publicity officers over the organisation.
- Editors see every item of their subtree, drafts included; an author sees their own items.

An item outside all this is a 404, as everywhere.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.utils import timezone

from juli.orgs.access import one_or_404, prefix_q, scope_of
from juli.orgs.models import PartyOrg, Post, User
from juli.orgs.roles import OFFICE_ROLES, Role

from .models import NewsItem, NewsSettings

EDITOR_ROLES = OFFICE_ROLES | {Role.COMMITTEE_MEMBER, Role.PUBLICITY_OFFICER}
SECRETARY_ROLES = frozenset({Role.PARTY_SECRETARY, Role.DEPUTY_SECRETARY})
SETTINGS_ROLES = SECRETARY_ROLES | {Role.PUBLICITY_OFFICER}

MAX_ID = 2**63 - 1


def _id(pk: Any) -> int:
    from django.http import Http404

    try:
        value = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < value <= MAX_ID:
        raise Http404
    return value


# --- who, from the cached scope (no query) -------------------------------------------------


def shows_news(user: Any) -> bool:
    """The menu entry 新闻 and the editor's list: those who may write or review news."""
    scope = scope_of(user)
    return scope.superuser or bool(scope.paths("org", EDITOR_ROLES))


def can_write_org(user: Any, org: PartyOrg) -> bool:
    scope = scope_of(user)
    return scope.superuser or scope.covers("org", org.path, EDITOR_ROLES)


def can_configure_org(user: Any, org: PartyOrg) -> bool:
    scope = scope_of(user)
    return scope.superuser or scope.covers("org", org.path, SETTINGS_ROLES)


# --- read side -----------------------------------------------------------------------------


def public_org_ids() -> QuerySet[NewsSettings, Any]:
    return NewsSettings.objects.filter(public=True).values("org_id")


def is_public(org: PartyOrg) -> bool:
    return NewsSettings.objects.filter(org=org, public=True).exists()


def sees_org(user: Any, org: PartyOrg) -> bool:
    """May read the organisation's published news page (its own grants, or a public org)."""
    scope = scope_of(user)
    return scope.superuser or scope.covers("org", org.path) or is_public(org)


def published_news(user: Any) -> QuerySet[NewsItem]:
    """Published items the user may read: of the organisations their grants cover, and of
    every organisation whose news is public (anonymous users: those only)."""
    scope = scope_of(user)
    qs = NewsItem.objects.filter(status=NewsItem.Status.PUBLISHED)
    if scope.superuser:
        return qs
    return qs.filter(prefix_q("org_path", scope.paths("org")) | Q(org_id__in=public_org_ids()))


def edited_news(user: Any) -> QuerySet[NewsItem]:
    """Every item the user edits or reviews (all states) and their own items."""
    scope = scope_of(user)
    qs = NewsItem.objects.all()
    if scope.superuser:
        return qs
    q = prefix_q("org_path", scope.paths("org", EDITOR_ROLES))
    if getattr(user, "is_authenticated", False):
        q |= Q(author_id=user.pk)
    return qs.filter(q)


def visible_news(user: Any) -> QuerySet[NewsItem]:
    """Every item the user may open: published ones they read plus those they edit."""
    qs = NewsItem.objects.all()
    if scope_of(user).superuser:
        return qs
    return qs.filter(
        Q(pk__in=published_news(user).values("pk")) | Q(pk__in=edited_news(user).values("pk"))
    )


def news_orgs(user: Any) -> QuerySet[PartyOrg]:
    """Organisations the user may write news for (active ones)."""
    scope = scope_of(user)
    qs = PartyOrg.objects.filter(status=PartyOrg.Status.ACTIVE).order_by("path")
    if scope.superuser:
        return qs
    return qs.filter(prefix_q("path", scope.paths("org", EDITOR_ROLES)))


def configurable_orgs(user: Any) -> QuerySet[PartyOrg]:
    scope = scope_of(user)
    qs = PartyOrg.objects.filter(status=PartyOrg.Status.ACTIVE).order_by("path")
    if scope.superuser:
        return qs
    return qs.filter(prefix_q("path", scope.paths("org", SETTINGS_ROLES)))


# --- reviewers -----------------------------------------------------------------------------


def _current_posts(*roles: str) -> QuerySet[Post]:
    today = timezone.localdate()
    return Post.objects.filter(
        role__in=roles, org__isnull=False, org__status=PartyOrg.Status.ACTIVE, started_on__lte=today
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))


def _officer_over(path_ref: Any) -> Exists:
    """A current publicity officer in the organisation at `path_ref` or above it."""
    return Exists(
        _current_posts(Role.PUBLICITY_OFFICER)
        .annotate(item_path=ExpressionWrapper(path_ref, output_field=CharField()))
        .filter(item_path__startswith=F("org__path"))
    )


def reviewable_news(user: Any) -> QuerySet[NewsItem]:
    """Items in review that the user reviews: those of organisations under a publicity
    officer post of theirs, and, under a secretary post of theirs, those of organisations
    with no publicity officer over them. Their own items are left out (no one approves
    their own). One query, for the work-bench and for the rights check."""
    qs = NewsItem.objects.filter(status=NewsItem.Status.IN_REVIEW)
    return _reviewed_by(user, qs)


def _reviewed_by(user: Any, qs: QuerySet[NewsItem]) -> QuerySet[NewsItem]:
    scope = scope_of(user)
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    qs = qs.exclude(author_id=user.pk)
    if scope.superuser:
        return qs
    officer_paths = scope.paths("org", {Role.PUBLICITY_OFFICER})
    secretary_paths = scope.paths("org", SECRETARY_ROLES)
    if not officer_paths and not secretary_paths:
        return qs.none()
    q = prefix_q("org_path", officer_paths)
    if secretary_paths:
        q |= prefix_q("org_path", secretary_paths) & ~Q(_officer_over(OuterRef("org_path")))
    return qs.filter(q)


def may_review(user: Any, item: NewsItem) -> bool:
    """May review `item` (whatever its state): the same rule as `reviewable_news`."""
    return _reviewed_by(user, NewsItem.objects.filter(pk=item.pk)).exists()


def reviewers_of(org: PartyOrg) -> QuerySet[User]:
    """The users told that an item of `org` awaits review: its publicity officers (posts in
    the organisation or above), else its secretaries."""
    prefixes = [org.path[:n] for n in range(4, len(org.path) + 1, 4)]
    officers = _current_posts(Role.PUBLICITY_OFFICER).filter(org__path__in=prefixes)
    if not officers.exists():
        officers = _current_posts(*SECRETARY_ROLES).filter(org__path__in=prefixes)
    return User.objects.filter(is_active=True, person__posts__in=officers.values("pk")).distinct()


# --- one object ----------------------------------------------------------------------------


def access_item(user: Any, pk: Any, *, write: bool = False) -> NewsItem:
    """The item if the user may open it, else Http404; `write` also needs the right to
    edit it (403)."""
    item: NewsItem = one_or_404(
        visible_news(user).select_related("org", "author__person", "reviewer__person"), _id(pk)
    )
    if write and not can_write_org(user, item.org):
        raise PermissionDenied
    return item


def access_org_news(user: Any, pk: Any) -> PartyOrg:
    """An organisation whose news page the user may read (public, or covered by a grant)."""
    org: PartyOrg = one_or_404(PartyOrg.objects.all(), _id(pk))
    if not sees_org(user, org):
        from django.http import Http404

        raise Http404
    return org


def access_org_settings(user: Any, pk: Any) -> PartyOrg:
    org: PartyOrg = one_or_404(configurable_orgs(user), _id(pk))
    return org

"""Who sees and changes which letter.

- **See**: an office post (secretary, deputy, committee member, office officer, street or
  district officer) whose party-tree scope covers the *receiving* organisation. The issuer
  is an ancestor of the receiver, so the issuing organisation and everything above it see
  the letter; the receiving organisation sees its own; a sibling branch sees nothing (404).
- **Issuer staff** (edit templates and letters, issue, review, publish): an editor post *in*
  the issuing organisation itself (or a superuser).
- **Receiver staff** (evidence, self-assessment): an editor post in the receiving
  organisation itself. The issuer's staff may add evidence too (an inspection they ran).
- **Sign**: only the current holder of the post the letter binds for that side.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from juli.orgs.access import one_or_404, prefix_q, scope_of
from juli.orgs.models import PartyOrg, Post
from juli.orgs.roles import OFFICE_ROLES, Role

from .models import Letter, LetterTemplate, Signature

#: Posts that see letters in their subtree.
VIEW_ROLES = OFFICE_ROLES | {Role.ORG_OFFICER, Role.COMMITTEE_MEMBER}
#: Posts that edit and run the letters of their own organisation.
EDITOR_ROLES = frozenset(
    {Role.PARTY_SECRETARY, Role.DEPUTY_SECRETARY, Role.ORG_OFFICER, Role.COMMITTEE_MEMBER}
)
#: The post that signs a letter for an organisation.
SIGNING_ROLE = Role.PARTY_SECRETARY


def _staff_of(user: Any, org_path: str) -> bool:
    scope = scope_of(user)
    if scope.superuser:
        return True
    return any(
        g.kind == "org" and g.role in EDITOR_ROLES and g.path == org_path for g in scope.grants
    )


def editable_orgs(user: Any) -> QuerySet[PartyOrg]:
    """Organisations whose letters the user edits and issues."""
    scope = scope_of(user)
    if scope.superuser:
        return PartyOrg.objects.filter(status=PartyOrg.Status.ACTIVE)
    paths = sorted({g.path for g in scope.grants if g.kind == "org" and g.role in EDITOR_ROLES})
    return PartyOrg.objects.filter(path__in=paths, status=PartyOrg.Status.ACTIVE)


def is_issuer_staff(user: Any, letter: Letter) -> bool:
    return _staff_of(user, letter.issuer_path)


def is_receiver_staff(user: Any, letter: Letter) -> bool:
    return _staff_of(user, letter.receiver_path)


def can_edit_template(user: Any, template: LetterTemplate) -> bool:
    return _staff_of(user, template.org.path)


def reads_letters(user: Any) -> bool:
    """Whether the user may open the letter list: a superuser, or an office post or an editor
    post over some party organisation (the grants `visible_letters` filters on). From the
    cached scope, no query: the main menu asks the same (`letters/menu.py`), so the entry
    shows exactly to those the list opens for, empty or not."""
    scope = scope_of(user)
    return scope.superuser or any(g.kind == "org" and g.role in VIEW_ROLES for g in scope.grants)


def visible_letters(user: Any) -> QuerySet[Letter]:
    scope = scope_of(user)
    if scope.superuser:
        return Letter.objects.all()
    return Letter.objects.filter(prefix_q("receiver_path", scope.paths("org", VIEW_ROLES)))


def can_see_letter(user: Any, letter: Letter) -> bool:
    scope = scope_of(user)
    return scope.superuser or scope.covers("org", letter.receiver_path, VIEW_ROLES)


def access_letter(user: Any, pk: Any, *, write: bool = False) -> Letter:
    """One visible letter (404 otherwise); `write=True`: the user must be issuer staff."""
    letter: Letter = one_or_404(
        visible_letters(user).select_related(
            "issuer_org",
            "receiver_org",
            "issuer_post__person",
            "receiver_post__person",
            "template",
        ),
        pk,
    )
    if write and not is_issuer_staff(user, letter):
        raise PermissionDenied
    return letter


def visible_templates(user: Any) -> QuerySet[LetterTemplate]:
    """Templates of organisations the user sees letters of (their own and below)."""
    scope = scope_of(user)
    if scope.superuser:
        return LetterTemplate.objects.all()
    return LetterTemplate.objects.filter(prefix_q("org__path", scope.paths("org", VIEW_ROLES)))


def access_template(user: Any, pk: Any, *, write: bool = False) -> LetterTemplate:
    template: LetterTemplate = one_or_404(visible_templates(user).select_related("org"), pk)
    if write and not can_edit_template(user, template):
        raise PermissionDenied
    return template


# --- Signing --------------------------------------------------------------------------------


def current_holder_post(bound: Post) -> Post | None:
    """The post that signs for `bound` today: the bound post itself while it runs, else the
    same organisation's current post of the same role (the successor in office)."""
    today = timezone.localdate()
    if bound.started_on <= today and (bound.ended_on is None or bound.ended_on >= today):
        return bound
    return (
        Post.objects.filter(org_id=bound.org_id, role=bound.role, started_on__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .select_related("person")
        .order_by("-started_on", "-id")
        .first()
    )


def signing_post(letter: Letter, side: str) -> Post | None:
    bound = letter.issuer_post if side == Signature.Side.ISSUER else letter.receiver_post
    return current_holder_post(bound)


def can_sign(user: Any, letter: Letter, side: str) -> bool:
    """Is `user` the current holder of the post bound for `side`? (No superuser exception:
    a signature is personal.)"""
    if not getattr(user, "is_authenticated", False) or not user.person_id:
        return False
    post = signing_post(letter, side)
    return post is not None and post.person_id == user.person_id


def sides_for(user: Any, letter: Letter) -> list[str]:
    return [s for s in Signature.Side.values if can_sign(user, letter, s)]

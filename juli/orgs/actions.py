"""Every write to the organisation system. Views, API, admin, commands and the demo call these.

Each action checks the actor's right, validates, writes inside one transaction, keeps tree
history where the shape changes, and appends an audit row.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from juli.core.audit import record, snapshot
from juli.core.types import Actor
from juli.core.writes import apply_fields, require, user_of

from . import access
from .models import Area, Membership, PartyOrg, Person, Post, TreeChange, Unit, User
from .roles import AREA_ROLES, ORG_ROLES, UNIT_ROLES, Role

ORG_FIELDS = [
    "name",
    "short_name",
    "kind",
    "code",
    "unit",
    "area",
    "is_retired_members",
    "founded_on",
]
AREA_FIELDS = ["name", "kind", "code", "centre_lat", "centre_lng", "boundary"]
PERSON_FIELDS = [
    "name",
    "gender",
    "birth_year",
    "phone",
    "political_status",
    "occupation",
    "party_joined_on",
    "unit",
    "party_org",
    "area",
    "is_active",
]
UNIT_FIELDS = ["name", "kind", "code", "parent", "area", "is_active"]


def _clean(obj: Any, exclude: list[str] | None = None) -> None:
    # Tree bookkeeping fields are set by treebeard, not by the caller.
    obj.full_clean(exclude=[*(exclude or []), "path", "depth", "numchild"])


# --- Units --------------------------------------------------------------------------------


@transaction.atomic
def create_unit(actor: Actor, **data: Any) -> Unit:
    unit = Unit()
    apply_fields(unit, UNIT_FIELDS, data)
    scope = access.scope_of(actor)
    if not scope.superuser:
        require(actor, unit.area is not None and access.can_manage_area(actor, unit.area))
    _clean(unit)
    unit.save()
    record(actor, "unit.create", unit, after=snapshot(unit))
    return unit


@transaction.atomic
def update_unit(actor: Actor, unit: Unit, **data: Any) -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    require(actor, access.can_manage_unit(actor, unit))
    before = snapshot(unit)
    apply_fields(unit, UNIT_FIELDS, data)
    if "area" in data and data["area"] is not None:
        require(actor, access.can_manage_area(actor, data["area"]))
    _clean(unit)
    unit.save()
    record(actor, "unit.update", unit, before=before, after=snapshot(unit))
    return unit


# --- The two trees: what creating, renaming and moving a node share ---------------------------

Node = TypeVar("Node", PartyOrg, Area)


def _check_child_kind(parent_kind: str, child_kind: str, table: dict[str, tuple[str, ...]]) -> None:
    if child_kind not in table.get(parent_kind, ()):
        labels = {**dict(PartyOrg.Kind.choices), **dict(Area.Kind.choices)}
        raise ValidationError(
            _("A %(child)s cannot sit under a %(parent)s.")
            % {
                "child": labels.get(child_kind, child_kind),
                "parent": labels.get(parent_kind, parent_kind),
            }
        )


@dataclass(frozen=True)
class _Tree(Generic[Node]):
    """What tells the party tree from the area tree when a node is created, renamed or moved:
    the model, its `TreeChange.Tree`, the prefix of its audit verbs ("org.move"), the copy of
    the path each `Person` keeps, the write right (`access.can_manage_*`, which takes
    `strict`), the tree's own wording, and what else a new parent must be."""

    model: type[Node]
    tree: TreeChange.Tree
    verb: str
    person_path: str
    can_manage: Callable[..., bool]
    under_itself: Promise
    already_there: Promise
    check_parent: Callable[[Node], None] | None = None

    def note(self, node: Node, verb: TreeChange.Verb, actor: Actor, **fields: Any) -> None:
        """Append the tree's history row for `node`."""
        TreeChange.objects.create(
            tree=self.tree, node_id=node.pk, verb=verb, actor=user_of(actor), **fields
        )

    def insert(self, actor: Actor, parent: Node | None, node: Node) -> Node:
        """Save the checked, unsaved `node` as a root or as the last child of `parent`."""
        if parent is None:
            node = self.model.objects.add_root(instance=node)
        else:
            node = self.model.objects.add_child(parent, instance=node)
        self.note(
            node,
            TreeChange.Verb.CREATED,
            actor,
            new_parent_name=parent.name if parent else "",
            new_path=node.path,
            new_name=node.name,
        )
        record(actor, f"{self.verb}.create", node, after=snapshot(node))
        return node

    def note_rename(self, actor: Actor, node: Node, old_name: str) -> None:
        if node.name != old_name:
            self.note(
                node,
                TreeChange.Verb.RENAMED,
                actor,
                old_name=old_name,
                new_name=node.name,
                old_path=node.path,
                new_path=node.path,
            )

    def move(self, actor: Actor, node: Node, new_parent: Node, note: str) -> Node:
        """Move `node` and its whole subtree under `new_parent`, keeping the old place in
        history. The caller holds the transaction."""
        node = self.model.objects.select_for_update().get(pk=node.pk)
        new_parent = self.model.objects.select_for_update().get(pk=new_parent.pk)
        require(actor, self.can_manage(actor, node, strict=True))
        require(actor, self.can_manage(actor, new_parent))
        if new_parent.pk == node.pk or new_parent.path.startswith(node.path):
            raise ValidationError(str(self.under_itself))
        if self.check_parent is not None:
            self.check_parent(new_parent)
        _check_child_kind(new_parent.kind, node.kind, self.model.CHILD_KINDS)
        old_parent = self.model.objects.get_parent(node)
        if old_parent is not None and old_parent.pk == new_parent.pk:
            raise ValidationError(str(self.already_there))
        old_path = node.path
        self.model.objects.move(node, new_parent, "last-child")
        node.refresh_from_db()
        _repath_people(old_path, node.path, field=self.person_path)
        self.note(
            node,
            TreeChange.Verb.MOVED,
            actor,
            old_parent_name=old_parent.name if old_parent else "",
            new_parent_name=new_parent.name,
            old_path=old_path,
            new_path=node.path,
            note=note,
        )
        record(
            actor,
            f"{self.verb}.move",
            node,
            before={"parent": old_parent.pk if old_parent else None, "path": old_path},
            after={"parent": new_parent.pk, "path": node.path},
            note=note,
        )
        return node


def _repath_people(old_prefix: str, new_prefix: str, *, field: str) -> None:
    """After a subtree moved, rewrite the copied paths of the people in it in one UPDATE."""
    if old_prefix == new_prefix:
        return
    Person.objects.filter(**{f"{field}__startswith": old_prefix}).update(
        **{field: Concat(Value(new_prefix), Substr(F(field), len(old_prefix) + 1))}
    )


def _refuse_ended_org(parent: PartyOrg) -> None:
    if not parent.is_active:
        raise ValidationError(_("A retired or merged organisation cannot take new children."))


_ORG_TREE = _Tree(
    model=PartyOrg,
    tree=TreeChange.Tree.ORG,
    verb="org",
    person_path="org_path",
    can_manage=access.can_manage_org,
    under_itself=gettext_lazy(
        "An organisation cannot be moved under itself or its own descendant."
    ),
    already_there=gettext_lazy("The organisation is already there."),
    check_parent=_refuse_ended_org,
)
_AREA_TREE = _Tree(
    model=Area,
    tree=TreeChange.Tree.AREA,
    verb="area",
    person_path="area_path",
    can_manage=access.can_manage_area,
    under_itself=gettext_lazy("An area cannot be moved under itself or its own descendant."),
    already_there=gettext_lazy("The area is already there."),
)


# --- Party organisations ----------------------------------------------------------------------


@transaction.atomic
def create_org(actor: Actor, parent: PartyOrg | None, **data: Any) -> PartyOrg:
    org = PartyOrg()
    apply_fields(org, ORG_FIELDS, data)
    if parent is None:
        require(actor, access.scope_of(actor).superuser)
    else:
        parent = PartyOrg.objects.select_for_update().get(pk=parent.pk)
        require(actor, access.can_manage_org(actor, parent))
        _refuse_ended_org(parent)
        _check_child_kind(parent.kind, org.kind, PartyOrg.CHILD_KINDS)
    if org.area is not None and not access.scope_of(actor).superuser:
        require(actor, access.visible_areas(actor).filter(pk=org.area.pk).exists())
    _clean(org)
    return _ORG_TREE.insert(actor, parent, org)


@transaction.atomic
def update_org(actor: Actor, org: PartyOrg, **data: Any) -> PartyOrg:
    org = PartyOrg.objects.select_for_update().get(pk=org.pk)
    require(actor, access.can_manage_org(actor, org))
    if "kind" in data and data["kind"] != org.kind:
        raise ValidationError(_("The kind of an organisation changes by re-founding, not editing."))
    before = snapshot(org)
    old_name = org.name
    apply_fields(org, ORG_FIELDS, data)
    _clean(org)
    org.save()
    _ORG_TREE.note_rename(actor, org, old_name)
    record(actor, "org.update", org, before=before, after=snapshot(org))
    return org


@transaction.atomic
def move_org(actor: Actor, org: PartyOrg, new_parent: PartyOrg, *, note: str = "") -> PartyOrg:
    """Move `org` and its whole subtree under `new_parent`, keeping the old place in history."""
    return _ORG_TREE.move(actor, org, new_parent, note)


@transaction.atomic
def retire_org(actor: Actor, org: PartyOrg, *, note: str) -> PartyOrg:
    """Retire an organisation (撤销). Its children must be moved or retired first; posts end."""
    org = PartyOrg.objects.select_for_update().get(pk=org.pk)
    require(actor, access.can_manage_org(actor, org, strict=True))
    if not org.is_active:
        raise ValidationError(_("This organisation is already retired or merged."))
    if not note.strip():
        raise ValidationError(_("Give the reason or the decision that retires it."))
    active_children = PartyOrg.objects.filter(
        path__startswith=org.path, depth=org.depth + 1, status=PartyOrg.Status.ACTIVE
    ).count()
    if active_children:
        raise ValidationError(
            _("Move or retire its %(n)d active child organisations first.") % {"n": active_children}
        )
    if Person.objects.filter(party_org=org, is_active=True).exists():
        raise ValidationError(_("Transfer its members to another organisation first, or merge it."))
    before = snapshot(org)
    org.status = PartyOrg.Status.RETIRED
    org.ended_at = timezone.now()
    org.save(update_fields=["status", "ended_at", "search_key"])
    _end_posts(actor, Post.objects.filter(org=org), note)
    # Only inactive people can still name it; whatever period is open there ends today.
    _transfer_memberships(Membership.objects.filter(org=org), None, timezone.localdate(), note)
    _ORG_TREE.note(
        org, TreeChange.Verb.RETIRED, actor, old_path=org.path, new_path=org.path, note=note
    )
    record(actor, "org.retire", org, before=before, after=snapshot(org), note=note)
    return org


@transaction.atomic
def merge_org(actor: Actor, source: PartyOrg, target: PartyOrg, *, note: str) -> PartyOrg:
    """Merge `source` into `target`: members and children move over, posts in `source` end."""
    source = PartyOrg.objects.select_for_update().get(pk=source.pk)
    target = PartyOrg.objects.select_for_update().get(pk=target.pk)
    require(actor, access.can_manage_org(actor, source, strict=True))
    require(actor, access.can_manage_org(actor, target))
    if source.pk == target.pk or target.path.startswith(source.path):
        raise ValidationError(
            _("An organisation cannot be merged into itself or its own descendant.")
        )
    if not (source.is_active and target.is_active):
        raise ValidationError(_("Only active organisations can be merged."))
    if source.kind != target.kind:
        raise ValidationError(_("Only organisations of the same kind can be merged."))
    if not note.strip():
        raise ValidationError(_("Give the reason or the decision for the merger."))
    members = list(Person.objects.filter(party_org=source).values_list("pk", flat=True))
    Person.objects.filter(pk__in=members).update(party_org=target, org_path=target.path)
    # The members belong to the target from today on; their time in the source stays.
    _transfer_memberships(Membership.objects.filter(org=source), target, timezone.localdate(), note)
    for child in list(PartyOrg.objects.get_children(source)):
        if child.is_active:
            move_org(actor, child, target, note=note)
    _end_posts(actor, Post.objects.filter(org=source), note)
    before = snapshot(source)
    source.refresh_from_db()
    source.status = PartyOrg.Status.MERGED
    source.merged_into = target
    source.ended_at = timezone.now()
    source.save(update_fields=["status", "merged_into", "ended_at", "search_key"])
    _ORG_TREE.note(
        source,
        TreeChange.Verb.MERGED,
        actor,
        target_id=target.pk,
        new_parent_name=target.name,
        old_path=source.path,
        new_path=source.path,
        note=note,
    )
    record(
        actor,
        "org.merge",
        source,
        before=before,
        after={**snapshot(source), "members_moved": members},
        note=note,
    )
    return target


# --- Areas ---------------------------------------------------------------------------------------


@transaction.atomic
def create_area(actor: Actor, parent: Area | None, **data: Any) -> Area:
    area = Area()
    apply_fields(area, AREA_FIELDS, data)
    if parent is None:
        require(actor, access.scope_of(actor).superuser)
        if area.kind != Area.Kind.DISTRICT:
            raise ValidationError(_("Only a district can be a root of the area tree."))
    else:
        parent = Area.objects.select_for_update().get(pk=parent.pk)
        require(actor, access.can_manage_area(actor, parent))
        _check_child_kind(parent.kind, area.kind, Area.CHILD_KINDS)
    _validate_area_code(area)
    _clean(area)
    return _AREA_TREE.insert(actor, parent, area)


def _validate_area_code(area: Area) -> None:
    """Statistical division codes (12 digits) down to the community; grid codes below it."""
    statistical = {Area.Kind.DISTRICT, Area.Kind.STREET, Area.Kind.COMMUNITY}
    if area.kind in statistical and not (area.code.isdigit() and len(area.code) == 12):
        raise ValidationError(
            {
                "code": _(
                    "Districts, streets and communities use the 12-digit statistical division code."
                )
            }
        )


@transaction.atomic
def update_area(actor: Actor, area: Area, **data: Any) -> Area:
    area = Area.objects.select_for_update().get(pk=area.pk)
    require(actor, access.can_manage_area(actor, area))
    if "kind" in data and data["kind"] != area.kind:
        raise ValidationError(_("The kind of an area cannot change."))
    before = snapshot(area)
    old_name = area.name
    apply_fields(area, AREA_FIELDS, data)
    _validate_area_code(area)
    _clean(area)
    area.save()
    _AREA_TREE.note_rename(actor, area, old_name)
    record(actor, "area.update", area, before=before, after=snapshot(area))
    return area


@transaction.atomic
def move_area(actor: Actor, area: Area, new_parent: Area, *, note: str = "") -> Area:
    """Move `area` and its whole subtree under `new_parent`, keeping the old place in history."""
    return _AREA_TREE.move(actor, area, new_parent, note)


# --- People -------------------------------------------------------------------------------------


@transaction.atomic
def create_person(
    actor: Actor, *, member_since: datetime.date | None = None, **data: Any
) -> Person:
    """Record a person. One with a party organisation opens a membership there, starting
    on `member_since` (the day they came into that organisation) when given, else on the day
    they joined the party, else open at the start (they count on any earlier roster)."""
    person = Person()
    apply_fields(person, PERSON_FIELDS, data)
    _require_person_scope(actor, person)
    _check_membership_date(member_since)
    _clean(person, exclude=["created_at"])
    person.save()
    if person.party_org_id and person.is_active:
        Membership.objects.create(
            person=person,
            org_id=person.party_org_id,
            started_on=member_since or person.party_joined_on,
        )
    record(actor, "person.create", person, after=snapshot(person))
    return person


def _check_membership_date(on: datetime.date | None) -> None:
    if on is not None and on > timezone.localdate():
        raise ValidationError(_("A change of party organisation cannot be dated in the future."))


def _transfer_memberships(
    open_in: QuerySet[Membership], org: PartyOrg | None, on: datetime.date, note: str = ""
) -> None:
    """End the open memberships among `open_in` on `on` (half-open: `on` is the first day
    away) and, when `org` is given, open one there from `on` for each of those people."""
    rows = list(open_in.filter(ended_on__isnull=True).select_for_update())
    if any(r.started_on is not None and r.started_on > on for r in rows):
        raise ValidationError(_("The person came into their present organisation after that date."))
    Membership.objects.filter(pk__in=[r.pk for r in rows]).update(ended_on=on)
    if org is not None:
        Membership.objects.bulk_create(
            Membership(person_id=r.person_id, org=org, started_on=on, note=note[:200]) for r in rows
        )


def _require_person_scope(actor: Actor, person: Person) -> None:
    scope = access.scope_of(actor)
    if scope.superuser:
        return
    ok = False
    if person.party_org is not None:
        ok = access.can_manage_org(actor, person.party_org)
    if not ok and person.area is not None:
        ok = access.can_manage_area(actor, person.area)
    require(actor, ok)


@transaction.atomic
def update_person(
    actor: Actor, person: Person, *, transferred_on: datetime.date | None = None, **data: Any
) -> Person:
    """Edit a person. A change of party organisation (or of activity) ends their membership
    on `transferred_on` (default today, the first day in the new organisation) and opens the
    next one from that day."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    require(actor, access.can_manage_person(actor, person))
    before = snapshot(person)
    was_in = person.party_org_id if person.is_active else None
    apply_fields(person, PERSON_FIELDS, data)
    _require_person_scope(actor, person)
    _check_membership_date(transferred_on)
    _clean(person)
    person.save()
    now_in = person.party_org_id if person.is_active else None
    if was_in != now_in:
        on = transferred_on or timezone.localdate()
        _transfer_memberships(Membership.objects.filter(person=person), None, on)
        if now_in is not None:
            Membership.objects.create(person=person, org_id=now_in, started_on=on)
    record(actor, "person.update", person, before=before, after=snapshot(person))
    return person


# --- Posts -------------------------------------------------------------------------------------


@transaction.atomic
def appoint(
    actor: Actor,
    person: Person,
    role: str,
    *,
    org: PartyOrg | None = None,
    area: Area | None = None,
    unit: Unit | None = None,
    title: str = "",
    started_on: datetime.date | None = None,
    certificate_no: str = "",
) -> Post:
    """Give `person` a post. The role decides which kind of place the post must be in."""
    if sum(x is not None for x in (org, area, unit)) != 1:
        raise ValidationError(_("A post is in exactly one organisation, area or unit."))
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    if org is not None and role not in ORG_ROLES:
        raise ValidationError(_("This role is held in an area or a unit, not an organisation."))
    if area is not None and role not in AREA_ROLES:
        raise ValidationError(_("This role is held in an organisation or a unit, not an area."))
    if unit is not None and role not in UNIT_ROLES:
        raise ValidationError(_("This role is held in an organisation or an area, not a unit."))
    require(actor, access.visible_people(actor).filter(pk=person.pk).exists())
    if org is not None:
        require(actor, access.can_manage_org(actor, org))
        if not org.is_active:
            raise ValidationError(_("A retired or merged organisation has no posts."))
    if area is not None:
        require(actor, access.can_manage_area(actor, area))
    if unit is not None:
        require(actor, access.can_manage_unit(actor, unit))
    post = Post(
        person=person,
        role=role,
        org=org,
        area=area,
        unit=unit,
        title=title,
        started_on=started_on or timezone.localdate(),
        certificate_no=certificate_no,
    )
    _clean(post)
    post.save()
    record(actor, "post.appoint", post, after=snapshot(post))
    return post


def _end_posts(actor: Actor, posts: QuerySet[Post], note: str) -> None:
    today = timezone.localdate()
    for post in posts.filter(ended_on__isnull=True):
        post.ended_on = today
        post.save(update_fields=["ended_on"])
        record(
            actor, "post.end", post, before={"ended_on": None}, after={"ended_on": today}, note=note
        )


@transaction.atomic
def end_post(actor: Actor, post: Post, *, note: str = "") -> Post:
    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("org", "area", "unit")
        .get(pk=post.pk)
    )
    require(actor, access.can_manage_post(actor, post))
    if post.ended_on is not None:
        raise ValidationError(_("This post has already ended."))
    _end_posts(actor, Post.objects.filter(pk=post.pk), note)
    post.refresh_from_db()
    return post


# --- Accounts ------------------------------------------------------------------------------------


@transaction.atomic
def create_account(
    actor: Actor,
    person: Person | None,
    username: str,
    password: str,
    *,
    superuser: bool = False,
    validate_password: bool = True,
) -> User:
    from django.contrib.auth.password_validation import validate_password as check

    scope = access.scope_of(actor)
    if superuser or person is None:
        require(actor, scope.superuser or actor is None)
    else:
        require(actor, actor is None or access.can_manage_person(actor, person))
    user = User(username=username, person=person, is_superuser=superuser, is_staff=superuser)
    if validate_password:
        check(password, user)
    user.set_password(password)
    _clean(user, exclude=["password"])
    user.save()
    record(
        actor, "account.create", user, after=snapshot(user, ["username", "person", "is_superuser"])
    )
    return user


@transaction.atomic
def change_password(actor: Actor, user: User, new_password: str) -> User:
    from django.contrib.auth.password_validation import validate_password as check

    require(actor, actor is not None and (actor.pk == user.pk or access.scope_of(actor).superuser))
    check(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    record(actor, "account.password", user, note="password changed")
    return user


@transaction.atomic
def set_language(actor: Actor, user: User, language: str) -> User:
    """The language `user` reads Juli in ("" for the site's): their own choice (or the
    platform admin's). An unknown language is refused at the field; the same choice again
    records nothing."""
    from django.conf import settings

    require(actor, actor is not None and (actor.pk == user.pk or access.scope_of(actor).superuser))
    if language not in {code for code, _name in settings.LANGUAGES} | {""}:
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.language == language:
        return user
    before = user.language
    user.language = language
    user.save(update_fields=["language"])
    record(
        actor, "account.language", user, before={"language": before}, after={"language": language}
    )
    return user


# --- Second factor ---------------------------------------------------------------------------


@transaction.atomic
def start_totp(actor: User) -> Any:
    """Create (or restart) the user's unconfirmed TOTP device; returns it for the QR code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not access.is_office(actor):
        raise PermissionDenied(_("A second factor is offered to office roles."))
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=actor, name="Juli", confirmed=False)
    record(actor, "account.totp_start", actor, note="second factor set-up started")
    return device


@transaction.atomic
def confirm_totp(actor: User, token: str) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=False).first()
    if device is None or not device.verify_token((token or "").strip()):
        return False
    TOTPDevice.objects.filter(user=actor, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(actor, "account.totp_on", actor, after={"totp": True})
    return True


@transaction.atomic
def disable_totp(actor: User) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=actor).delete()
    record(actor, "account.totp_off", actor, after={"totp": False})

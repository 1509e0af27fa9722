"""Read side of the organisation pages: tree nodes with counts, breadcrumbs, directories.

Every function starts from `access.visible_*`, so a page can never show more than the
user's scope. Counts are grouped into one query per listing (never one per node or row) and
lists are keyset-paginated, so each page runs a fixed number of queries however many people,
organisations or audit rows there are.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Length, Substr
from django.utils import timezone

from juli.core.models import AuditLog

from . import access
from .models import Area, Membership, PartyOrg, Person, Post, TreeChange, Unit, User
from .search import normalise_query

PAGE_SIZE = 50
SEARCH_LIMIT = 50
HISTORY_LIMIT = 100


#: At most this many units answer a unit search.
UNIT_SEARCH_LIMIT = 50


def find_units(user: Any, text: str) -> list[Unit]:
    """Active units in the user's scope whose name or code contains `text`, by name."""
    found = access.visible_units(user).filter(is_active=True)
    text = text.strip()[:60]
    if text:
        found = found.filter(Q(name__icontains=text) | Q(code__icontains=text))
    return list(found.only("pk", "name").order_by("name", "pk")[:UNIT_SEARCH_LIMIT])


def branches_under(org: PartyOrg) -> list[PartyOrg]:
    """The active branches strictly below `org`, in the tree's order: the branches a rating
    round rates and an observation cycle visits."""
    return list(
        PartyOrg.objects.filter(
            path__startswith=org.path, kind=PartyOrg.Kind.BRANCH, status=PartyOrg.Status.ACTIVE
        )
        .exclude(pk=org.pk)
        .order_by("path")
    )


def current_post_q(prefix: str = "") -> Q:
    """Posts that hold today: started, and not ended before today."""
    today = timezone.localdate()
    return Q(**{f"{prefix}started_on__lte": today}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": today})
    )


# --- Keyset pagination ---------------------------------------------------------------------


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(
        [v.isoformat() if isinstance(v, datetime.datetime) else v for v in values],
        ensure_ascii=False,
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(raw: str | None, parsers: Sequence[Callable[[Any], Any]]) -> list[Any] | None:
    """The cursor's values, or None for a missing or tampered cursor (which means page one)."""
    if not raw:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        if not isinstance(values, list) or len(values) != len(parsers):
            return None
        return [parse(v) for parse, v in zip(parsers, values, strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None


def _parse_str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError
    return value


def _parse_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError
    return value


def _parse_datetime(value: Any) -> datetime.datetime:
    parsed = datetime.datetime.fromisoformat(_parse_str(value))
    if timezone.is_naive(parsed):
        raise ValueError
    return parsed


@dataclass
class Page:
    rows: list[Any]
    next_cursor: str | None = None
    prev_cursor: str | None = None


def keyset_page(
    qs: QuerySet[Any],
    keys: tuple[str, str],
    parsers: tuple[Callable[[Any], Any], Callable[[Any], Any]],
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
    descending: bool = False,
) -> Page:
    """One page of `qs` ordered by the two `keys` (the last one unique), in one query.

    `after`/`before` are opaque cursors holding the keys of the last/first row of the page
    the user comes from: the database seeks with the (key1, key2) index, it never counts
    and skips rows (no OFFSET), so page 1,000 costs what page 1 costs.
    """
    first, second = keys
    forward_cursor = decode_cursor(after, parsers)
    backward_cursor = decode_cursor(before, parsers) if forward_cursor is None else None
    backwards = backward_cursor is not None
    # Walking forwards in a descending list means "less than", and so on.
    less = descending != backwards
    cmp = "lt" if less else "gt"
    order = [f"-{first}", f"-{second}"] if less else [first, second]
    cursor = forward_cursor or backward_cursor
    if cursor is not None:
        a, b = cursor
        # The lone bound on `first` lets the index scan start at the cursor; the OR alone
        # would be a filter over every row before it (page N reads N pages).
        qs = qs.filter(**{f"{first}__{cmp}e": a}).filter(
            Q(**{f"{first}__{cmp}": a}) | Q(**{first: a, f"{second}__{cmp}": b})
        )
    rows = list(qs.order_by(*order)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    page = Page(rows=rows)

    def key(row: Any) -> str:
        return encode_cursor([getattr(row, first), getattr(row, second)])

    if rows:
        if backwards:
            page.next_cursor = key(rows[-1])
            page.prev_cursor = key(rows[0]) if more else None
        else:
            page.next_cursor = key(rows[-1]) if more else None
            page.prev_cursor = key(rows[0]) if forward_cursor is not None else None
    return page


NAME_ID = (("name", "id"), (_parse_str, _parse_int))
AT_ID = (("at", "id"), (_parse_datetime, _parse_int))


# --- Trees -------------------------------------------------------------------------------------


def _count_under(qs: QuerySet[Any], field: str, nodes: Sequence[tuple[str, Q]]) -> dict[str, int]:
    """Rows of `qs` whose `field` lies under each node's path, in one grouped query.

    The nodes must be disjoint subtrees (siblings, or the roots of a scope): each row then
    falls under at most one node, and a CASE names it.
    """
    if not nodes:
        return {}
    cond = Q()
    whens = []
    for path, extra in nodes:
        clause = Q(**{f"{field}__startswith": path}) & extra
        cond |= clause
        whens.append(When(clause, then=Value(path)))
    rows = (
        qs.filter(cond)
        .annotate(node=Case(*whens, output_field=CharField()))
        .order_by()
        .values("node")
        .annotate(n=Count("pk"))
    )
    return {r["node"]: r["n"] for r in rows}


def _roots(visible: QuerySet[Any]) -> QuerySet[Any]:
    """The outermost nodes of a visible set: those whose parent is not in the set."""
    step = visible.model.steplen
    parent_visible = visible.filter(path=OuterRef("parent_path"))
    return visible.annotate(parent_path=Substr("path", 1, Length("path") - step)).filter(
        ~Exists(parent_visible)
    )


def _children(visible: QuerySet[Any], node: Any) -> QuerySet[Any]:
    return visible.filter(path__startswith=node.path, depth=node.depth + 1)


def with_org_counts(user: Any, nodes: list[PartyOrg], *, show_retired: bool) -> list[PartyOrg]:
    """Sets `n_children` (visible child organisations) and `n_members` (active members in
    the subtree) on each of the disjoint `nodes`: two queries."""
    kids = access.visible_orgs(user)
    if not show_retired:
        kids = kids.filter(status=PartyOrg.Status.ACTIVE)
    n_children = _count_under(kids, "path", [(n.path, Q(depth=n.depth + 1)) for n in nodes])
    n_members = _count_under(
        access.visible_people(user).filter(is_active=True),
        "org_path",
        [(n.path, Q()) for n in nodes],
    )
    for n in nodes:
        n.n_children = n_children.get(n.path, 0)  # type: ignore[attr-defined]
        n.n_members = n_members.get(n.path, 0)  # type: ignore[attr-defined]
    return nodes


def with_area_counts(user: Any, nodes: list[Area]) -> list[Area]:
    """Sets `n_children` and `n_residents` (active people in the subtree): two queries."""
    n_children = _count_under(
        access.visible_areas(user), "path", [(n.path, Q(depth=n.depth + 1)) for n in nodes]
    )
    n_residents = _count_under(
        access.visible_people(user).filter(is_active=True),
        "area_path",
        [(n.path, Q()) for n in nodes],
    )
    for n in nodes:
        n.n_children = n_children.get(n.path, 0)  # type: ignore[attr-defined]
        n.n_residents = n_residents.get(n.path, 0)  # type: ignore[attr-defined]
    return nodes


def org_roots(user: Any, *, show_retired: bool) -> list[PartyOrg]:
    qs = _roots(access.visible_orgs(user)).select_related("area", "unit")
    if not show_retired:
        qs = qs.filter(status=PartyOrg.Status.ACTIVE)
    return with_org_counts(user, list(qs.order_by("path")), show_retired=show_retired)


def org_children(user: Any, org: PartyOrg, *, show_retired: bool) -> list[PartyOrg]:
    qs = _children(access.visible_orgs(user), org)
    if not show_retired:
        qs = qs.filter(status=PartyOrg.Status.ACTIVE)
    return with_org_counts(user, list(qs.order_by("path")), show_retired=show_retired)


def area_roots(user: Any) -> list[Area]:
    return with_area_counts(user, list(_roots(access.visible_areas(user)).order_by("path")))


def area_children(user: Any, area: Area) -> list[Area]:
    return with_area_counts(
        user, list(_children(access.visible_areas(user), area).order_by("path"))
    )


def attach_breadcrumbs(nodes: Sequence[Any], visible: QuerySet[Any]) -> None:
    """Sets `crumbs` on each node: its ancestors, root first, each with `is_visible` (the
    page links only those; the others are named, as the user sees their place in the tree).
    One query for all the nodes."""
    model = visible.model
    step = model.steplen
    wanted = {n.path[: step * i] for n in nodes for i in range(1, n.depth)}
    by_path: dict[str, Any] = {}
    if wanted:
        rows = model.objects.filter(path__in=wanted).annotate(
            is_visible=Exists(visible.filter(pk=OuterRef("pk")))
        )
        by_path = {r.path: r for r in rows}
    for n in nodes:
        paths = [n.path[: step * i] for i in range(1, n.depth)]
        n.crumbs = [by_path[p] for p in paths if p in by_path]


def search_orgs(user: Any, q: str, *, show_retired: bool) -> list[PartyOrg]:
    """Visible organisations whose name, short name or code matches `q` in simplified or
    traditional characters or pinyin, with their breadcrumbs: two queries."""
    key = normalise_query(q)
    if not key:
        return []
    qs = access.visible_orgs(user).filter(search_key__contains=key)
    if not show_retired:
        qs = qs.filter(status=PartyOrg.Status.ACTIVE)
    matches = list(qs.order_by("path")[:SEARCH_LIMIT])
    attach_breadcrumbs(matches, access.visible_orgs(user))
    return matches


def search_areas(user: Any, q: str) -> list[Area]:
    key = normalise_query(q)
    if not key:
        return []
    matches = list(
        access.visible_areas(user).filter(search_key__contains=key).order_by("path")[:SEARCH_LIMIT]
    )
    attach_breadcrumbs(matches, access.visible_areas(user))
    return matches


def _visible_flag(qs: QuerySet[Any], fk: str) -> Exists:
    return Exists(qs.filter(pk=OuterRef(fk)))


# --- Detail pages ------------------------------------------------------------------------------


def _with_phones(user: Any, people: list[Person]) -> list[Person]:
    # The scope is cached on the user: phone visibility costs no query per row.
    for p in people:
        p.shown_phone = access.phone_for(user, p)  # type: ignore[attr-defined]
    return people


def _current_posts(user: Any, **where: Any) -> list[Post]:
    return list(
        access.visible_posts(user)
        .filter(current_post_q(), **where)
        .select_related("person")
        .annotate(person_visible=_visible_flag(access.visible_people(user), "person_id"))
        .order_by("started_on", "id")
    )


def _people_page(user: Any, qs: QuerySet[Person], after: str | None, before: str | None) -> Page:
    keys, parsers = NAME_ID
    page = keyset_page(qs, keys, parsers, after=after, before=before)
    _with_phones(user, page.rows)
    return page


@dataclass
class OrgDetail:
    org: PartyOrg
    posts: list[Post]
    members: Page
    member_count: int
    children: list[PartyOrg]
    history: list[TreeChange]


def org_detail(user: Any, pk: int, *, after: str | None, before: str | None) -> OrgDetail:
    """Everything the organisation page shows, for an organisation already passed through
    `access.access_org`."""
    org = (
        PartyOrg.objects.select_related("unit", "area", "merged_into")
        .annotate(
            unit_visible=_visible_flag(access.visible_units(user), "unit_id"),
            area_visible=_visible_flag(access.visible_areas(user), "area_id"),
            merged_into_visible=_visible_flag(access.visible_orgs(user), "merged_into_id"),
        )
        .get(pk=pk)
    )
    attach_breadcrumbs([org], access.visible_orgs(user))
    members = access.visible_people(user).filter(party_org=org, is_active=True)
    return OrgDetail(
        org=org,
        posts=_current_posts(user, org=org),
        members=_people_page(user, members, after, before),
        member_count=members.count(),
        children=org_children(user, org, show_retired=True),
        history=list(
            TreeChange.objects.filter(tree=TreeChange.Tree.ORG, node_id=org.pk).select_related(
                "actor"
            )[:HISTORY_LIMIT]
        ),
    )


@dataclass
class AreaDetail:
    area: Area
    children: list[Area]
    orgs: list[PartyOrg]
    units: list[Unit]
    posts: list[Post]
    resident_count: int
    history: list[TreeChange]


def area_detail(user: Any, area: Area) -> AreaDetail:
    attach_breadcrumbs([area], access.visible_areas(user))
    return AreaDetail(
        area=area,
        children=area_children(user, area),
        orgs=list(access.visible_orgs(user).filter(area=area).order_by("path")),
        units=list(access.visible_units(user).filter(area=area).order_by("name", "id")),
        posts=_current_posts(user, area=area),
        resident_count=access.visible_people(user)
        .filter(area_path__startswith=area.path, is_active=True)
        .count(),
        history=list(
            TreeChange.objects.filter(tree=TreeChange.Tree.AREA, node_id=area.pk).select_related(
                "actor"
            )[:HISTORY_LIMIT]
        ),
    )


@dataclass
class UnitDetail:
    unit: Unit
    orgs: list[PartyOrg]
    posts: list[Post]
    people: Page
    people_count: int


def unit_detail(user: Any, pk: int, *, after: str | None, before: str | None) -> UnitDetail:
    unit = (
        Unit.objects.select_related("parent", "area")
        .annotate(
            parent_visible=_visible_flag(access.visible_units(user), "parent_id"),
            area_visible=_visible_flag(access.visible_areas(user), "area_id"),
        )
        .get(pk=pk)
    )
    people = access.visible_people(user).filter(unit=unit, is_active=True)
    return UnitDetail(
        unit=unit,
        orgs=list(access.visible_orgs(user).filter(unit=unit).order_by("path")),
        posts=_current_posts(user, unit=unit),
        people=_people_page(user, people.select_related("party_org"), after, before),
        people_count=people.count(),
    )


@dataclass
class PersonDetail:
    person: Person
    phone: str
    current_posts: list[Post]
    ended_posts: list[Post]
    username: str | None
    # Whether the reader can open the person's organisation, area and unit: the page links
    # only those, and names the others as plain text (no link that answers 404).
    org_link: bool = False
    area_link: bool = False
    unit_link: bool = False


def _link_flags(user: Any, person: Person, posts: list[Post]) -> dict[str, bool]:
    """Which of the places the person page names the reader can open: organisations and
    areas from the cached scope (the same prefixes `visible_orgs`/`visible_areas` filter
    on), units with one query (a unit is also seen through the organisations it owns).
    Each post gets `scope_link`; the person's own places come back as flags."""
    scope = access.scope_of(user)

    def opens(kind: str, place: Any) -> bool:
        return place is not None and (scope.superuser or scope.covers(kind, place.path))

    unit_ids = {pk for pk in [person.unit_id, *(p.unit_id for p in posts)] if pk}
    units = set(
        access.visible_units(user).filter(pk__in=unit_ids).values_list("pk", flat=True)
        if unit_ids
        else []
    )
    for post in posts:
        if post.org_id:
            post.scope_link = opens("org", post.org)  # type: ignore[attr-defined]
        elif post.area_id:
            post.scope_link = opens("area", post.area)  # type: ignore[attr-defined]
        else:
            post.scope_link = post.unit_id in units  # type: ignore[attr-defined]
    return {
        "org_link": opens("org", person.party_org),
        "area_link": opens("area", person.area),
        "unit_link": person.unit_id in units,
    }


def person_detail(user: Any, person: Person) -> PersonDetail:
    posts = list(
        access.visible_posts(user)
        .filter(person=person)
        .select_related("org__area", "area", "unit__area")
        .order_by("-started_on", "-id")
    )
    username = None
    if access.is_office(user):
        username = User.objects.filter(person=person).values_list("username", flat=True).first()
    for post in posts:
        post.can_end = access.can_manage_post(user, post)  # type: ignore[attr-defined]
    return PersonDetail(
        person=person,
        phone=access.phone_for(user, person),
        current_posts=[p for p in posts if p.is_current],
        ended_posts=[p for p in posts if not p.is_current],
        username=username,
        **_link_flags(user, person, posts),
    )


# --- Home ----------------------------------------------------------------------------------


@dataclass
class PostSummary:
    post: Post
    scope: Any
    kind: str  # "org" | "area" | "unit"


def my_posts(user: Any) -> list[PostSummary]:
    """The user's current posts, each with what it makes them responsible for."""
    if not user.person_id:
        return []
    posts = list(
        Post.objects.filter(current_post_q(), person_id=user.person_id)
        .select_related("org", "area", "unit")
        .order_by("started_on", "id")
    )
    out = []
    for post in posts:
        # Posts of one person may nest (a committee and one of its branches), so each
        # is counted on its own; a person holds a handful of posts, not hundreds.
        if post.org_id and post.org:
            with_org_counts(user, [post.org], show_retired=False)
            out.append(PostSummary(post, post.org, "org"))
        elif post.area_id and post.area:
            with_area_counts(user, [post.area])
            out.append(PostSummary(post, post.area, "area"))
        elif post.unit_id and post.unit:
            unit = post.unit
            unit.n_people = access.visible_people(user).filter(unit=unit, is_active=True).count()  # type: ignore[attr-defined]
            unit.n_orgs = access.visible_orgs(user).filter(unit=unit).count()  # type: ignore[attr-defined]
            out.append(PostSummary(post, unit, "unit"))
    return out


# --- People directory ------------------------------------------------------------------------


def people_directory(
    user: Any,
    *,
    q: str = "",
    political_status: str = "",
    occupation: str = "",
    role: str = "",
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """One page of the visible people, ordered by (name, id) on `person_name_id_idx`.

    Two queries whatever the page size: the page with its organisation, area and unit
    joined, then the current posts of the people on it.
    """
    qs = access.visible_people(user, walk_by_name=True)
    key = normalise_query(q)
    if key:
        qs = qs.filter(search_key__contains=key)
    if political_status:
        qs = qs.filter(political_status=political_status)
    if occupation:
        qs = qs.filter(occupation=occupation)
    if role:
        qs = qs.filter(
            Exists(Post.objects.filter(current_post_q(), person_id=OuterRef("pk"), role=role))
        )
    qs = qs.select_related("party_org", "area", "unit").prefetch_related(
        Prefetch(
            "posts",
            queryset=Post.objects.filter(current_post_q()).order_by("started_on", "id"),
            to_attr="current_posts",
        )
    )
    keys, parsers = NAME_ID
    page = keyset_page(qs, keys, parsers, after=after, before=before, size=size)
    _with_phones(user, page.rows)
    return page


# --- Audit ---------------------------------------------------------------------------------


#: Offered as suggestions in the filter; the filter itself accepts any prefix.
AUDIT_VERBS = (
    "org.create",
    "org.update",
    "org.move",
    "org.retire",
    "org.merge",
    "area.create",
    "area.update",
    "area.move",
    "unit.create",
    "unit.update",
    "person.create",
    "person.update",
    "post.appoint",
    "post.end",
    "account.create",
    "account.password",
)


def audit_page(
    user: Any,
    *,
    verb: str = "",
    object_type: str = "",
    after: str | None = None,
    before: str | None = None,
) -> Page:
    """Newest first, keyset on (at, id). `verb` matches a prefix: "org." finds every
    organisation change."""
    qs: QuerySet[AuditLog] = access.visible_audit(user).select_related("actor__person")
    if verb:
        qs = qs.filter(verb__startswith=verb)
    if object_type:
        qs = qs.filter(object_type=object_type)
    keys, parsers = AT_ID
    page = keyset_page(qs, keys, parsers, after=after, before=before, descending=True)
    for row in page.rows:
        row.changes = row.changed_fields()
    return page


def object_url_name(object_type: str) -> str | None:
    return {
        "orgs.partyorg": "org-detail",
        "orgs.area": "area-detail",
        "orgs.unit": "unit-detail",
        "orgs.person": "person-detail",
    }.get(object_type)


def members_on(org: PartyOrg, on: datetime.date) -> QuerySet[Person]:
    """The party members (full and probationary) who belonged to `org` or an organisation
    inside it on the date `on`, ordered by name: one query.

    A membership covers `on` when it started on or before it (or has no known start) and
    had not ended by then (`ended_on` is the first day away). The political status is the
    person's present one, and they had joined the party by `on` (an activist recorded in a
    branch becomes a member of its rosters from the day they join).
    """
    member_statuses = [Person.PoliticalStatus.MEMBER, Person.PoliticalStatus.PROBATIONARY]
    covering = Membership.objects.filter(
        person_id=OuterRef("pk"), org__path__startswith=org.path
    ).filter(
        Q(started_on__isnull=True) | Q(started_on__lte=on),
        Q(ended_on__isnull=True) | Q(ended_on__gt=on),
    )
    return (
        Person.objects.filter(political_status__in=member_statuses)
        .filter(Q(party_joined_on__isnull=True) | Q(party_joined_on__lte=on))
        .filter(Exists(covering))
        .order_by("name", "pk")
    )

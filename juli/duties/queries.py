"""The read side: which list applies where, a person's duties, the chain of responsibility.

Nothing here is stored per person. A person's duties are the union, over their current posts
in party organisations (and their membership, and their business-leader designations), of
the duties the applicable list gives that post at that organisation's level. The chain of an
organisation is its active subtree with, per organisation, each listed post, who holds it and
what it must do; a required post nobody holds is a vacancy, counted up the tree.

Query budget: the chain of a subtree of any size costs a fixed number of queries (the orgs,
the candidate lists, their posts and duties, the posts held, the member counts, the business
leaders): everything is joined in Python by path.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from juli.orgs.models import PartyOrg, Person, Post
from juli.orgs.roles import Role

from .access import STEP, ancestors_of
from .models import ROLE_POSTS, Duty, DutyList, DutyPost, DutyPostKind, LeaderDesignation

PARTY_STATUSES = (Person.PoliticalStatus.MEMBER, Person.PoliticalStatus.PROBATIONARY)

#: Which duty post an orgs.Post role fills.
POST_OF_ROLE: dict[str, str] = {
    **{kind.value: kind.value for kind in ROLE_POSTS},
    Role.BRANCH_MEMBER.value: DutyPostKind.MEMBER.value,
}


def this_year() -> int:
    return timezone.localdate().year


def _current(prefix: str = "", today: datetime.date | None = None) -> Q:
    today = today or timezone.localdate()
    return Q(**{f"{prefix}started_on__lte": today}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": today})
    )


# --- Which list applies --------------------------------------------------------------------


def candidate_lists(
    paths: Iterable[str], year: int, *, subtree_of: str | None = None
) -> list[DutyList]:
    """Lists of `year` or earlier owned above (or at) any of `paths`, and with `subtree_of`
    also those owned inside that subtree; each with its posts and their duties."""
    above = sorted({a for p in paths for a in ancestors_of(p)})
    q = Q(owner__path__in=above)
    if subtree_of:
        q |= Q(owner__path__startswith=subtree_of)
    return list(
        DutyList.objects.filter(q, year__lte=year)
        .select_related("owner")
        .prefetch_related(
            Prefetch(
                "posts",
                queryset=DutyPost.objects.order_by("order", "id").prefetch_related(
                    Prefetch("duties", queryset=Duty.objects.order_by("order", "id"))
                ),
            )
        )
    )


def pick_list(org_path: str, lists: list[DutyList]) -> DutyList | None:
    """The list for an organisation: the latest year first, then the nearest owner."""
    best: DutyList | None = None
    for duty_list in lists:
        if not org_path.startswith(duty_list.owner.path):
            continue
        key = (duty_list.year, len(duty_list.owner.path))
        if best is None or key > (best.year, len(best.owner.path)):
            best = duty_list
    return best


def posts_by_level(duty_list: DutyList | None) -> dict[tuple[str, str], DutyPost]:
    if duty_list is None:
        return {}
    cache = getattr(duty_list, "_by_level", None)
    if cache is None:
        cache = {(p.level, p.post): p for p in duty_list.posts.all()}
        duty_list._by_level = cache  # type: ignore[attr-defined]
    return cache


def list_for_org(org: PartyOrg, year: int | None = None) -> DutyList | None:
    return pick_list(org.path, candidate_lists([org.path], year or this_year()))


def list_posts(duty_list: DutyList) -> list[tuple[str, str, list[DutyPost]]]:
    """The list's posts grouped by level, levels in tree order: (level, label, posts)."""
    order = {level: i for i, level in enumerate(PartyOrg.Kind.values)}
    labels = dict(PartyOrg.Kind.choices)
    grouped: dict[str, list[DutyPost]] = defaultdict(list)
    for p in duty_list.posts.all():
        grouped[p.level].append(p)
    return [
        (level, str(labels[level]), sorted(grouped[level], key=lambda p: (p.order, p.pk)))
        for level in sorted(grouped, key=lambda lv: order.get(lv, 99))
    ]


# --- A person's duties -------------------------------------------------------------------------


@dataclass
class HeldPost:
    """One post a person holds in one organisation, with the duties the list gives it."""

    org: PartyOrg
    post: str
    titles: list[str] = field(default_factory=list)
    duty_list: DutyList | None = None
    duty_post: DutyPost | None = None

    @property
    def duties(self) -> list[Duty]:
        return list(self.duty_post.duties.all()) if self.duty_post else []

    @property
    def label(self) -> str:
        if self.duty_post and self.duty_post.title:
            return self.duty_post.title
        return str(DutyPostKind(self.post).label)


def person_duties(person: Person | None, year: int | None = None) -> list[HeldPost]:
    """Every post the person holds today in an active party organisation (membership and
    business-leader designations included), each once, with its duties; in tree order."""
    if person is None:
        return []
    year = year or this_year()
    held: dict[tuple[int, str], HeldPost] = {}

    def hold(org: PartyOrg, post: str, title: str = "") -> None:
        entry = held.setdefault((org.pk, post), HeldPost(org=org, post=post))
        if title and title not in entry.titles:
            entry.titles.append(title)

    posts = (
        Post.objects.filter(_current(), person=person, role__in=list(POST_OF_ROLE))
        .filter(org__status=PartyOrg.Status.ACTIVE)
        .select_related("org")
        .order_by("started_on", "pk")
    )
    for post in posts:
        assert post.org is not None
        hold(post.org, POST_OF_ROLE[post.role], post.title)
    if (
        person.party_org_id
        and person.is_active
        and person.political_status in PARTY_STATUSES
        and person.party_org is not None
        and person.party_org.is_active
    ):
        hold(person.party_org, DutyPostKind.MEMBER)
    designations = (
        LeaderDesignation.objects.filter(_current(), person=person)
        .filter(org__status=PartyOrg.Status.ACTIVE)
        .select_related("org")
    )
    for d in designations:
        hold(d.org, DutyPostKind.BUSINESS_LEADER, d.title)
    if not held:
        return []
    lists = candidate_lists({h.org.path for h in held.values()}, year)
    post_order = {kind: i for i, kind in enumerate(DutyPostKind.values)}
    for entry in held.values():
        entry.duty_list = pick_list(entry.org.path, lists)
        entry.duty_post = posts_by_level(entry.duty_list).get((entry.org.kind, entry.post))
    return sorted(held.values(), key=lambda h: (h.org.path, post_order[h.post]))


# --- The chain of responsibility -----------------------------------------------------------------


@dataclass
class Holder:
    person: Person
    title: str = ""
    designation_id: int | None = None  # for business leaders: the designation to end


@dataclass
class ChainRow:
    duty_post: DutyPost
    holders: list[Holder] = field(default_factory=list)
    members: int | None = None  # for the member post: how many members

    @property
    def vacant(self) -> bool:
        if self.duty_post.post == DutyPostKind.MEMBER:
            return self.duty_post.required and not self.members
        return self.duty_post.required and not self.holders

    @property
    def duties(self) -> list[Duty]:
        return list(self.duty_post.duties.all())


@dataclass
class ChainNode:
    org: PartyOrg
    depth: int  # 0 for the organisation the chain starts from
    duty_list: DutyList | None
    rows: list[ChainRow] = field(default_factory=list)
    unlisted: list[Holder] = field(default_factory=list)  # post holders the list gives no duties
    members: int = 0
    subtree_vacancies: int = 0

    @property
    def vacancies(self) -> int:
        return sum(1 for row in self.rows if row.vacant)

    @property
    def vacant_rows(self) -> list[ChainRow]:
        return [row for row in self.rows if row.vacant]


@dataclass
class Chain:
    root: PartyOrg
    year: int
    nodes: list[ChainNode]

    @property
    def vacancies(self) -> int:
        return self.nodes[0].subtree_vacancies if self.nodes else 0

    @property
    def lists(self) -> list[DutyList]:
        seen: dict[int, DutyList] = {}
        for node in self.nodes:
            if node.duty_list is not None:
                seen.setdefault(node.duty_list.pk, node.duty_list)
        return list(seen.values())


def chain_orgs(root: PartyOrg) -> QuerySet[PartyOrg]:
    return PartyOrg.objects.filter(
        path__startswith=root.path, status=PartyOrg.Status.ACTIVE
    ).order_by("path")


def build_chain(root: PartyOrg, year: int | None = None, *, max_depth: int | None = None) -> Chain:
    """The chain of responsibility from `root` down (to `max_depth` levels below it)."""
    year = year or this_year()
    orgs_qs = chain_orgs(root)
    if max_depth is not None:
        orgs_qs = orgs_qs.filter(depth__lte=root.depth + max_depth)
    orgs = list(orgs_qs)
    # An active organisation under a retired one is cut off with its parent.
    live = {o.path for o in orgs}
    orgs = [
        o for o in orgs if all(a in live for a in ancestors_of(o.path) if len(a) >= len(root.path))
    ]
    lists = candidate_lists([root.path], year, subtree_of=root.path)

    holders: dict[tuple[int, str], list[Holder]] = defaultdict(list)
    posts = (
        Post.objects.filter(
            _current(), org__path__startswith=root.path, role__in=list(POST_OF_ROLE)
        )
        .select_related("person")
        .order_by("started_on", "pk")
    )
    for post in posts:
        assert post.org_id is not None
        kind = POST_OF_ROLE[post.role]
        if kind != DutyPostKind.MEMBER:
            holders[(post.org_id, kind)].append(Holder(post.person, post.title))
    designations = LeaderDesignation.objects.filter(
        _current(), org__path__startswith=root.path
    ).select_related("person")
    for d in designations:
        holders[(d.org_id, DutyPostKind.BUSINESS_LEADER)].append(Holder(d.person, d.title, d.pk))
    members = dict(
        Person.objects.filter(
            org_path__startswith=root.path, is_active=True, political_status__in=PARTY_STATUSES
        )
        .values("party_org_id")
        .annotate(n=Count("pk"))
        .values_list("party_org_id", "n")
    )

    nodes: list[ChainNode] = []
    for org in orgs:
        duty_list = pick_list(org.path, lists)
        node = ChainNode(
            org=org,
            depth=org.depth - root.depth,
            duty_list=duty_list,
            members=members.get(org.pk, 0),
        )
        listed: set[str] = set()
        for (level, post_kind), duty_post in sorted(
            posts_by_level(duty_list).items(), key=lambda kv: (kv[1].order, kv[1].pk)
        ):
            if level != org.kind:
                continue
            listed.add(post_kind)
            row = ChainRow(duty_post=duty_post, holders=holders.get((org.pk, post_kind), []))
            if post_kind == DutyPostKind.MEMBER:
                row.members = node.members
            node.rows.append(row)
        for (org_id, post_kind), people in holders.items():
            if org_id == org.pk and post_kind not in listed:
                node.unlisted.extend(people)
        nodes.append(node)

    # Roll the vacancies up: each organisation adds its own to itself and every ancestor.
    by_path = {node.org.path: node for node in nodes}
    for node in nodes:
        own = node.vacancies
        if not own:
            continue
        for ancestor in ancestors_of(node.org.path):
            if len(ancestor) >= len(root.path) and ancestor in by_path:
                by_path[ancestor].subtree_vacancies += own
    return Chain(root=root, year=year, nodes=nodes)


def level_depth(path: str) -> int:
    return len(path) // STEP


def chain_summary(roots: Iterable[PartyOrg], year: int | None = None) -> list[dict[str, Any]]:
    """Per root: its name, organisations in the chain and vacancies (for the home card)."""
    out = []
    for root in roots:
        chain = build_chain(root, year)
        out.append({"org": root, "orgs": len(chain.nodes), "vacancies": chain.vacancies})
    return out

"""Duty lists (责任清单): what each post at each level of the party tree must do.

"四级五岗": duties are written once per *level* (the kind of party organisation: 党组, 机关党委,
党总支, 党支部, 党小组) and per *post* (书记, 副书记, 委员, 组长, 党员), in a `DutyList` that a top
organisation issues for a year and that applies to its whole subtree. Nobody's duties are
copied onto them: a person's duties are *computed* from their current posts
(`juli.duties.queries`), so a new appointment or an ended post changes them at once.

"一岗双责": leaders who run a line of business (a deputy director, a centre's director) also
own party building in that line. Juli has no business-post role, so a `LeaderDesignation`
records that a person leads business under a given party organisation; the duties of the
`business_leader` post at that organisation's level then apply to them.

A post that the list marks `required` and that nobody holds in an organisation is a
*vacancy*: the chain view highlights it and counts it up the tree.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.orgs.models import PartyOrg, Person
from juli.orgs.roles import Role

Level = PartyOrg.Kind


class DutyPostKind(models.TextChoices):
    """The five posts (五岗), plus the business leaders of "一岗双责"."""

    SECRETARY = Role.PARTY_SECRETARY.value, _("Secretary")
    DEPUTY = Role.DEPUTY_SECRETARY.value, _("Deputy secretary")
    COMMITTEE = Role.COMMITTEE_MEMBER.value, _("Committee member")
    GROUP_LEADER = Role.GROUP_LEADER.value, _("Party group leader")
    MEMBER = "member", _("Party member")
    BUSINESS_LEADER = "business_leader", _("Business leader (dual duty)")


#: Which posts exist at which level: a party group has a leader and members, not a secretary.
POSTS_BY_LEVEL: dict[str, tuple[str, ...]] = {
    **{
        level: (
            DutyPostKind.SECRETARY,
            DutyPostKind.DEPUTY,
            DutyPostKind.COMMITTEE,
            DutyPostKind.MEMBER,
            DutyPostKind.BUSINESS_LEADER,
        )
        for level in Level.values
        if level != Level.GROUP
    },
    Level.GROUP: (DutyPostKind.GROUP_LEADER, DutyPostKind.MEMBER),
}

#: The post roles whose holders are found through `orgs.Post` rows in the organisation.
ROLE_POSTS = frozenset(
    {DutyPostKind.SECRETARY, DutyPostKind.DEPUTY, DutyPostKind.COMMITTEE, DutyPostKind.GROUP_LEADER}
)

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


class DutyList(models.Model):
    """One year's duty list, issued by an organisation for itself and everything below it.

    The list that applies to an organisation is the one of the nearest owner above it (or
    itself) for the year asked; when that year has none, the latest earlier year's.
    """

    owner = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        related_name="duty_lists",
        verbose_name=_("issuing organisation"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    title = models.CharField(_("title"), max_length=120)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("copied from"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("duty list")
        verbose_name_plural = _("duty lists")
        ordering = ["-year", "owner__path"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "year"], name="duty_list_one_per_owner_year")
        ]

    def __str__(self) -> str:
        return self.title if str(self.year) in self.title else f"{self.year} {self.title}"

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.owner.path)


class DutyPost(models.Model):
    """A post at a level of a duty list: its printed title, and whether it must be filled."""

    duty_list = models.ForeignKey(
        DutyList, on_delete=models.CASCADE, related_name="posts", verbose_name=_("duty list")
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    post = models.CharField(_("post"), max_length=24, choices=DutyPostKind.choices)
    title = models.CharField(
        _("title"), max_length=60, blank=True, help_text=_("As printed: 党支部书记, 党小组组长 …")
    )
    required = models.BooleanField(
        _("required"),
        default=True,
        help_text=_("Every organisation of this level must have it filled; empty is a vacancy."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("post in a duty list")
        verbose_name_plural = _("posts in a duty list")
        ordering = ["duty_list", "level", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["duty_list", "level", "post"], name="duty_post_one_per_level"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.title or str(self.get_post_display())

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.duty_list.owner.path)


class Duty(models.Model):
    """One duty of a post: what to do, of which kind, and how often or by when."""

    class Category(models.TextChoices):
        POLITICAL = "political", _("Political building")
        IDEOLOGICAL = "ideological", _("Ideological and theoretical work")
        ORGANISATIONAL = "organisational", _("Organisational building")
        CONDUCT = "conduct", _("Work style")
        DISCIPLINE = "discipline", _("Discipline and integrity")
        INTEGRATION = "integration", _("Party building with the business")
        OTHER = "other", _("Other")

    duty_post = models.ForeignKey(
        DutyPost, on_delete=models.CASCADE, related_name="duties", verbose_name=_("post")
    )
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.ORGANISATIONAL
    )
    text = models.TextField(_("duty"), max_length=500)
    frequency = models.CharField(
        _("frequency or deadline"),
        max_length=60,
        blank=True,
        help_text=_("每月, 每季度, 年底前 … (optional)"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        ordering = ["duty_post", "order", "id"]

    def __str__(self) -> str:
        return self.text[:60]

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.duty_post.duty_list.owner.path)


class LeaderDesignation(models.Model):
    """一岗双责: `person` leads business (a bureau, a centre, a department) under `org`, and so
    carries the duties of the `business_leader` post at `org`'s level beside their own."""

    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="leader_designations",
        verbose_name=_("person"),
    )
    org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        related_name="leader_designations",
        verbose_name=_("party organisation"),
    )
    title = models.CharField(
        _("business post"), max_length=60, help_text=_("As printed: 副局长, 中心主任, 科长 …")
    )
    started_on = models.DateField(_("from"), default=timezone.localdate)
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("business leader")
        verbose_name_plural = _("business leaders")
        ordering = ["org", "started_on", "id"]
        indexes = [models.Index(fields=["person", "ended_on"], name="leader_person_active_idx")]

    def __str__(self) -> str:
        return f"{self.person} · {self.title} · {self.org}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None or self.ended_on >= timezone.localdate()

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.org.path)

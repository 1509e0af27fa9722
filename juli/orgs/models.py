"""The organisation system: units, the party tree, the territorial tree, people and posts.

Both trees are django-treebeard materialised paths (`path` is indexed), so "everything under
X" is one `path LIKE 'X%'` range scan. Nothing here is ever hard-deleted: organisations are
retired or merged, posts are ended, and `TreeChange` keeps the history of moves.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from treebeard.mp_tree import MP_Node

from . import roles
from .search import search_key

phone_validator = RegexValidator(
    r"^1[3-9]\d{9}$",
    _("Enter an 11-digit mainland mobile number, such as 13812345678."),
    code="invalid_phone",
)
code_validator = RegexValidator(
    r"^[0-9A-Za-z\-]{2,32}$", _("Codes use letters, digits and hyphens only."), code="invalid_code"
)


class Unit(models.Model):
    """单位: a bureau, centre, company, street office or other body that owns organisations."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government body")
        BUREAU = "bureau", _("Bureau")
        CENTRE = "centre", _("Centre")
        STREET_OFFICE = "street_office", _("Street office")
        COMMUNITY = "community", _("Residents' committee")
        SOE = "soe", _("State-owned enterprise")
        COMPANY = "company", _("Company")
        PROPERTY = "property", _("Property management company")
        MARKET = "market", _("Market")
        SANITATION = "sanitation", _("Sanitation company")
        UNIVERSITY = "university", _("University or school")
        HOSPITAL = "hospital", _("Hospital")
        BANK = "bank", _("Bank")
        SOCIAL = "social", _("Social organisation")
        POLICE = "police", _("Police")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(
        _("code"), max_length=32, unique=True, validators=[code_validator], null=True, blank=True
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    area = models.ForeignKey(
        "Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("area"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    search_key = models.CharField(max_length=400, blank=True, editable=False, db_index=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_key = search_key(self.name)
        super().save(*args, **kwargs)

    def audit_scope(self) -> tuple[str, str]:
        return ("area", self.area.path) if self.area_id and self.area else ("unit", str(self.pk))


class Area(MP_Node):
    """辖区/网格: district → street → community → micro-grid → building group."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("District")
        STREET = "street", _("Street or town")
        COMMUNITY = "community", _("Community")
        MICRO_GRID = "micro_grid", _("Micro-grid")
        BUILDING_GROUP = "building_group", _("Building group")

    #: Which kind may sit under which: the territorial tree has a fixed shape.
    CHILD_KINDS: dict[str, tuple[str, ...]] = {
        "district": ("street",),
        "street": ("community",),
        "community": ("micro_grid",),
        "micro_grid": ("building_group",),
        "building_group": (),
    }

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[code_validator],
        help_text=_(
            "12-digit statistical division code for districts, streets and communities; "
            "grid code (CJ/T 349 style) below the community."
        ),
    )
    centre_lat = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    centre_lng = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    search_key = models.CharField(max_length=400, blank=True, editable=False, db_index=True)

    steplen = 4
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        indexes = [models.Index(fields=["kind", "path"], name="area_kind_path_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_key = search_key(f"{self.name} {self.code}")
        super().save(*args, **kwargs)

    def audit_scope(self) -> tuple[str, str]:
        return ("area", self.path)


class PartyOrg(MP_Node):
    """党组织: committee, working committee, leading group, general branch, branch, group."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("Party committee")
        WORKING_COMMITTEE = "working_committee", _("Working committee")
        LEADING_GROUP = "leading_group", _("Leading party group")
        GENERAL_BRANCH = "general_branch", _("General branch")
        BRANCH = "branch", _("Branch")
        GROUP = "group", _("Party group (cell)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")
        MERGED = "merged", _("Merged")

    #: Kinds that may contain others; a branch holds only groups, a group nothing.
    CHILD_KINDS: dict[str, tuple[str, ...]] = {
        "committee": (
            "committee",
            "working_committee",
            "leading_group",
            "general_branch",
            "branch",
        ),
        "working_committee": ("committee", "general_branch", "branch"),
        "leading_group": ("committee", "general_branch", "branch"),
        "general_branch": ("branch",),
        "branch": ("group",),
        "group": (),
    }

    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_orgs",
        verbose_name=_("unit"),
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_orgs",
        verbose_name=_("area"),
        help_text=_("For street, community, micro-grid and building-group organisations."),
    )
    is_retired_members = models.BooleanField(
        _("retired members' branch"),
        default=False,
        help_text=_("A branch whose members are retired staff (离退休党支部)."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )
    search_key = models.CharField(max_length=400, blank=True, editable=False, db_index=True)

    steplen = 4
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        indexes = [models.Index(fields=["status", "path"], name="org_status_path_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_key = search_key(f"{self.name} {self.short_name} {self.code}")
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.path)


class Person(models.Model):
    """人员: a party member or anyone else who holds a post or takes part."""

    class PoliticalStatus(models.TextChoices):
        MEMBER = "member", _("Party member")
        PROBATIONARY = "probationary", _("Probationary member")
        ACTIVIST = "activist", _("Applicant / activist")
        LEAGUE = "league", _("Youth League member")
        DEMOCRATIC = "democratic", _("Democratic party member")
        NON_PARTY = "non_party", _("Non-party personage")
        MASSES = "masses", _("Masses (no affiliation)")

    class Occupation(models.TextChoices):
        CIVIL_SERVANT = "civil_servant", _("Civil servant")
        PUBLIC_INSTITUTION = "public_institution", _("Public institution staff")
        COMMUNITY_WORKER = "community_worker", _("Community worker")
        ENTERPRISE = "enterprise", _("Enterprise staff")
        COURIER = "courier", _("Courier")
        DELIVERY_RIDER = "delivery_rider", _("Delivery rider")
        RIDE_HAILING = "ride_hailing", _("Ride-hailing driver")
        SHOP_OWNER = "shop_owner", _("Shop owner")
        PROPERTY_STAFF = "property_staff", _("Property management staff")
        SANITATION = "sanitation", _("Sanitation worker")
        TEACHER = "teacher", _("Teacher")
        MEDICAL = "medical", _("Medical staff")
        VOLUNTEER = "volunteer", _("Resident volunteer")
        RETIRED = "retired", pgettext_lazy("occupation", "Retired")
        OTHER = "other", _("Other")

    class Gender(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")

    name = models.CharField(_("name"), max_length=60)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    phone = models.CharField(
        _("mobile phone"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[phone_validator],
    )
    political_status = models.CharField(
        _("political status"),
        max_length=20,
        choices=PoliticalStatus.choices,
        default=PoliticalStatus.MASSES,
    )
    occupation = models.CharField(
        _("occupation"), max_length=24, choices=Occupation.choices, default=Occupation.OTHER
    )
    party_joined_on = models.DateField(_("joined the party on"), null=True, blank=True)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("work unit"),
    )
    party_org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("party organisation (membership)"),
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("area (residence or grid)"),
    )
    # Copies of the materialised paths, kept by actions, so that "people I can see" is an
    # indexed prefix scan on this table instead of a three-way join.
    org_path = models.CharField(max_length=255, blank=True, editable=False, db_index=True)
    area_path = models.CharField(max_length=255, blank=True, editable=False, db_index=True)
    search_key = models.CharField(max_length=400, blank=True, editable=False, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [models.Index(fields=["name", "id"], name="person_name_id_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_key = search_key(self.name, person=True)
        self.org_path = self.party_org.path if self.party_org_id and self.party_org else ""
        self.area_path = self.area.path if self.area_id and self.area else ""
        super().save(*args, **kwargs)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def audit_scope(self) -> tuple[str, str]:
        if self.org_path:
            return ("org", self.org_path)
        if self.area_path:
            return ("area", self.area_path)
        return ("", "")


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


class Post(models.Model):
    """职务/岗位: a person's post in an organisation, an area or a unit, with a role.

    The role decides what the post may do; the organisation's or area's subtree decides
    where. A post is ended, never deleted, so that the chain of responsibility has history.
    """

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="posts", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=24, choices=roles.Role.choices)
    title = models.CharField(
        _("title"), max_length=60, blank=True, help_text=_("As printed: 书记, 组织委员, 网格长 …")
    )
    org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("party organisation"),
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("area"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("unit"),
    )
    started_on = models.DateField(_("from"), default=timezone.localdate)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    certificate_no = models.CharField(
        _("appointment certificate no."),
        max_length=40,
        blank=True,
        help_text=_("聘书 number, for mobile grid workers."),
    )

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["started_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="post_has_exactly_one_scope",
                condition=(
                    models.Q(org__isnull=False, area__isnull=True, unit__isnull=True)
                    | models.Q(org__isnull=True, area__isnull=False, unit__isnull=True)
                    | models.Q(org__isnull=True, area__isnull=True, unit__isnull=False)
                ),
            )
        ]
        indexes = [models.Index(fields=["person", "ended_on"], name="post_person_active_idx")]

    def __str__(self) -> str:
        where = self.org or self.area or self.unit
        return f"{self.person} · {self.title or self.get_role_display()} · {where}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None or self.ended_on >= timezone.localdate()

    @property
    def scope(self) -> PartyOrg | Area | Unit:
        scope = self.org or self.area or self.unit
        assert scope is not None
        return scope

    def audit_scope(self) -> tuple[str, str]:
        if self.org_id and self.org:
            return ("org", self.org.path)
        if self.area_id and self.area:
            return ("area", self.area.path)
        return ("unit", str(self.unit_id))


class Membership(models.Model):
    """组织关系: one period during which a person belonged to a party organisation.

    The period is half-open, [started_on, ended_on): `ended_on` is the first day the person
    no longer belonged there, which is also the `started_on` of the next organisation's row
    after a transfer, so that on any day a person belongs to one organisation at most.
    `started_on` empty means "since before Juli knew" (a person recorded without a date),
    so back-dated rosters still list them; `ended_on` empty means "still there". A period
    may be empty (started and ended the same day: a same-day correction), and then covers
    no day at all.
    Kept by the orgs actions whenever a person's party organisation or activity changes;
    `Person.party_org` stays the current one.
    """

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("person")
    )
    org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("party organisation"),
    )
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("until (exclusive)"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["person", "started_on", "id"]
        indexes = [
            models.Index(fields=["org", "started_on"], name="membership_org_idx"),
            models.Index(fields=["person", "ended_on"], name="membership_person_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="membership_ends_after_start",
                condition=models.Q(started_on__isnull=True)
                | models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.org_id} · [{self.started_on}, {self.ended_on})"

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.org.path)


class User(AbstractUser):
    """A login. Rights come from the linked person's current posts, never from flags."""

    person = models.OneToOneField(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="user",
        verbose_name=_("person"),
    )
    must_change_password = models.BooleanField(_("must change password"), default=False)
    #: The language the person reads Juli in: their pages (over the browser's) and every
    #: notification written for them. Blank: the site's language (settings.LANGUAGE_CODE).
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True, default=""
    )

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def audit_scope(self) -> tuple[str, str]:
        if self.person_id and self.person:
            return self.person.audit_scope()
        return ("", "")


class TreeChange(models.Model):
    """History of the trees: creation, moves, renames, merges and retirements."""

    class Tree(models.TextChoices):
        ORG = "org", _("Party organisation")
        AREA = "area", _("Area")

    class Verb(models.TextChoices):
        CREATED = "created", _("Created")
        MOVED = "moved", _("Moved")
        RENAMED = "renamed", _("Renamed")
        MERGED = "merged", _("Merged")
        RETIRED = "retired", _("Retired")
        REACTIVATED = "reactivated", _("Reactivated")

    tree = models.CharField(max_length=4, choices=Tree.choices)
    node_id = models.BigIntegerField(db_index=True)
    verb = models.CharField(_("change"), max_length=12, choices=Verb.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    old_parent_name = models.CharField(max_length=120, blank=True)
    new_parent_name = models.CharField(max_length=120, blank=True)
    old_path = models.CharField(max_length=255, blank=True)
    new_path = models.CharField(max_length=255, blank=True)
    old_name = models.CharField(max_length=120, blank=True)
    new_name = models.CharField(max_length=120, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("tree change")
        verbose_name_plural = _("tree changes")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["tree", "node_id", "at"], name="treechange_node_idx")]

    def __str__(self) -> str:
        return f"{self.tree}:{self.node_id} {self.verb}"

"""Demo data: the meetings of the Putuo bureau and of Anyang's branches (issue 15, item 9).

- The Putuo bureau's 2024 organisation, publicity and united-front work conference and
  responsibility-signing meeting (seed 000, 26 March 2024): a meeting of the party group in
  two halves, each with its own presider; the leaders and two guests from the district
  出席, the branches' members, some non-members and the retired members' representatives
  参加; minutes confirmed with numbered decisions.
- The four branches' 三会一课 (and their monthly theme party days) for the twelve months
  up to today, with gaps a real year has: the city-appearance centre branch held no 党课
  last quarter, one member of the greening centre branch is often on leave, a few are late
  or absent; the minutes of all but each branch's latest meeting or two are confirmed, and
  make-up items (补课) for those absent or on leave from 党课 and 支部党员大会, older
  ones made up and confirmed, recent ones open.
- Anyang's branches' theme party days of the last three months.
- This week, for the demo logins: a theme party day of the organ branch today (its sign-in
  open, so the QR screen and the phone sign-in can be shown live), a 支委会 and a 党课
  tomorrow; `party_member`, a plain member of the organ branch, is on their rosters.

Everything goes through the meetings actions (plan, leave, sign-in, minutes, make-ups) with
the organisation's secretary as the actor. Two things a demo cannot do as a person would
are done directly, and said here: the attendance of past meetings is written as the
secretary would transcribe the paper sign-in sheet (one UPDATE per meeting, not one audited
sign-in per person: the phone codes of last year cannot be scanned today), and the
timestamps of creation, make-ups and events are moved back to the days the work happened.
"""

from __future__ import annotations

import datetime
import itertools
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from juli.core.demo import DemoRun, demo_step
from juli.orgs import actions as org_actions
from juli.orgs.demo import data as org_data
from juli.orgs.models import PartyOrg, Person, Post, User
from juli.orgs.queries import members_on
from juli.orgs.roles import Role

from . import signin
from .actions import attendance, minutes, plan
from .actions.plan import Invitee, PartSpec
from .models import Attendee, MakeUp, Meeting, MeetingKind, Minutes

#: The account this step creates (the demo command and `juli serve` list it).
DEMO_LOGINS: list[tuple[str, str]] = [
    (
        "party_member",
        "普陀区绿化市容局机关党支部 普通党员，无职务 / Putuo organ branch member, no post",
    ),
    (
        "publicity_officer",
        "普陀区绿化市容局机关党支部 宣传委员，审核新闻 / Putuo organ branch publicity officer",
    ),
]

BRANCH_CODES = ("PT-JG", "PT-LH", "PT-HW", "PT-SR")
ORGAN, GREENING, SANITATION, APPEARANCE = BRANCH_CODES
#: The branch that held no 党课 in the last full quarter.
BEHIND_ON_LECTURES = APPEARANCE
#: Each Putuo branch has at least this many members on its roster (the smallest demo world
#: has only the officers): the step adds invented members up to it.
MIN_MEMBERS = 9
SEED = 15

#: Invented people (none is in `orgs.demo.data.REAL_NAMES`): the plain member login, the
#: member often on leave, one transferred between branches this year, then the others.
MEMBER_LOGIN_NAME = "严晓明"
OFTEN_ON_LEAVE_NAME = "顾海燕"
TRANSFERRED_NAME = "陶立新"
_EXTRA_NAMES_TEXT = (
    "许文静 邵建平 孟晓东 钟丽华 蔡志刚 韦秀兰 陆宏伟 贺春燕 汤俊杰 姚婷婷 傅国强 曹雅琴 "
    "邹明辉 卢佩玲 叶松涛 魏红梅 程家豪 袁晓燕 戴海峰 熊美玲 龚振华 杜慧娟 苗永胜 白雪梅 "
    "崔立强 万淑芬 康宏亮 喻小平 潘凤英 石建勇 薛静怡 童国平"
)
EXTRA_NAMES = tuple(_EXTRA_NAMES_TEXT.split())

LEAVE_REASONS = (
    "外出执行绿化养护任务",
    "陪同家人就医",
    "参加区里专项检查",
    "公休假外出",
    "值守防汛岗位",
    "参加业务培训",
)
OFTEN_LEAVE_REASONS = ("在外地照顾生病的母亲", "陪护家人住院", "轮值夜班补休")

LECTURE_TOPICS = (
    "深入学习贯彻党的二十大精神",
    "学习《中国共产党纪律处分条例》",
    "以党建引领城市精细化管理",
    "践行人民城市理念，办好民生实事",
    "传承红色基因，争做先锋表率",
    "新时代党员的责任与担当",
)
THEME_DAY_TOPICS = (
    "垃圾分类志愿宣传",
    "苏州河滨水岸线清洁行动",
    "走访慰问困难党员",
    "参观中共一大纪念馆",
    "社区绿地认养志愿服务",
    "“美丽街区”共建共治",
    "重温入党誓词",
    "公园绿地文明劝导",
    "背街小巷环境整治",
    "学习身边先进典型",
    "“双报到”社区服务",
    "年度工作回顾与展望",
)
ASSEMBLY_AGENDA = (
    ("传达学习上级会议精神", "支部书记"),
    ("讨论本季度支部工作", "支部书记"),
    ("党费收缴情况通报", "组织委员"),
)
COMMITTEE_AGENDA = (
    ("研究本月支部工作安排", "支部书记"),
    ("讨论党员教育管理事项", "组织委员"),
)


@dataclass
class Branch:
    org: PartyOrg
    secretary: Person
    actor: User | None
    committee: list[Person]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _month_starts(today: datetime.date, months: int) -> list[datetime.date]:
    """The first days of the `months` months ending with today's."""
    out = []
    year, month = today.year, today.month
    for _ in range(months):
        out.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def _quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3


def _previous_quarter(today: datetime.date) -> tuple[int, int]:
    year, q = _quarter_of(today)
    return (year, q - 1) if q else (year - 1, 3)


def _phone(n: int) -> str:
    return f"1990015{n:04d}"


def _current_posts(org: PartyOrg) -> list[Post]:
    today = timezone.localdate()
    return list(
        Post.objects.filter(org=org, started_on__lte=today)
        .exclude(ended_on__lt=today)
        .select_related("person")
        .order_by("started_on", "id")
    )


def _branch(org: PartyOrg) -> Branch:
    posts = _current_posts(org)
    secretary = next(p.person for p in posts if p.role == Role.PARTY_SECRETARY)
    committee = [p.person for p in posts]
    actor = User.objects.filter(person=secretary, is_active=True).first()
    return Branch(org=org, secretary=secretary, actor=actor, committee=committee)


# --- People -----------------------------------------------------------------------------------


class People:
    """The members the meetings need besides the org demo's officers."""

    def __init__(self, today: datetime.date, rng: random.Random) -> None:
        self.today = today
        self.rng = rng
        self.phones = 0
        names = [n for n in EXTRA_NAMES if n not in org_data.REAL_NAMES]
        self.names = itertools.cycle(names)

    def member(self, org: PartyOrg, name: str = "", *, occupation: str = "civil_servant") -> Person:
        self.phones += 1
        while Person.objects.filter(phone=_phone(self.phones)).exists():
            self.phones += 1
        joined = datetime.date(self.rng.randint(1998, 2020), self.rng.randint(1, 12), 1)
        return org_actions.create_person(
            None,
            name=name or next(self.names),
            gender=self.rng.choice("FM"),
            birth_year=joined.year - self.rng.randint(22, 30),
            phone=_phone(self.phones),
            political_status=Person.PoliticalStatus.MEMBER,
            occupation=occupation,
            party_joined_on=joined,
            unit=org.unit,
            party_org=org,
        )

    def fill(self, branches: dict[str, Branch], groups: list[PartyOrg]) -> dict[str, Person]:
        """The named members first, then invented ones until each branch has
        `MIN_MEMBERS` on today's roster. Returns the named ones."""
        organ = branches[ORGAN].org
        named = {
            "login": self.member(groups[-1] if groups else organ, MEMBER_LOGIN_NAME),
            "often_on_leave": self.member(branches[GREENING].org, OFTEN_ON_LEAVE_NAME),
        }
        # 陶立新 came from the sanitation centre branch four months ago: the rosters before
        # that list them there, those after it in the organ branch (membership at a date).
        moved = self.member(branches[SANITATION].org, TRANSFERRED_NAME)
        first = _month_starts(self.today, 4)[0]
        named["transferred"] = org_actions.update_person(
            None, moved, party_org=organ, transferred_on=first
        )
        # Each of the organ branch's groups holds its own 党小组会: at least three members.
        for group in groups:
            for _ in range(max(0, 3 - members_on(group, self.today).count())):
                self.member(group)
        for code, branch in branches.items():
            have = members_on(branch.org, self.today).count()
            for i in range(max(0, MIN_MEMBERS - have)):
                # The organ branch's members are spread over its groups.
                home = groups[i % len(groups)] if code == ORGAN and groups and i % 2 else None
                self.member(home or branch.org)
        return named


# --- Meetings ---------------------------------------------------------------------------------


class Writer:
    """Plans, records and confirms the meetings, counting what it made."""

    def __init__(self, today: datetime.date, rng: random.Random, named: dict[str, Person]):
        self.today = today
        self.now = timezone.now()
        self.rng = rng
        self.often_on_leave = named.get("often_on_leave")
        self.counts = {"meetings": 0, "confirmed": 0, "make_ups": 0, "make_ups_confirmed": 0}

    def plan(
        self,
        branch: Branch,
        org: PartyOrg,
        kind: str,
        title: str,
        starts_at: datetime.datetime,
        hours: float,
        *,
        agenda: Sequence[tuple[str, str]] = (),
        committee_only: bool = False,
        place: str = "党员活动室",
        announce: bool = False,
    ) -> Meeting:
        invitees = (
            [Invitee(person=p, counts=True) for p in branch.committee] if committee_only else []
        )
        meeting = plan.plan_meeting(
            branch.actor,
            org,
            kind=kind,
            title=title,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=hours),
            place=place,
            parts=[PartSpec(presider=branch.secretary, agenda=list(agenda))],
            invitees=invitees,
            with_members=not committee_only,
            recorder=branch.committee[-1] if len(branch.committee) > 1 else branch.secretary,
            announce=announce,
        )
        self.counts["meetings"] += 1
        if starts_at < self.now:
            Meeting.objects.filter(pk=meeting.pk).update(
                created_at=starts_at - datetime.timedelta(days=7),
                updated_at=starts_at,
            )
        return meeting

    def attendance(self, branch: Branch, meeting: Meeting) -> None:
        """Leave through the action (with its reason), the rest as on the paper sheet:
        mostly present, some late, few absent (left expected: confirmation makes them
        absent)."""
        rows = list(meeting.attendees.order_by("pk"))
        present, late = [], []
        for row in rows:
            if row.person_id is None:  # a guest by name came as invited
                present.append(row.pk)
                continue
            often = self.often_on_leave is not None and row.person_id == self.often_on_leave.pk
            roll = self.rng.random()
            if often and roll < 0.55:
                attendance.record_leave(
                    branch.actor, row, reason=self.rng.choice(OFTEN_LEAVE_REASONS)
                )
            elif roll < 0.05:
                attendance.record_leave(branch.actor, row, reason=self.rng.choice(LEAVE_REASONS))
            elif roll < 0.08:
                continue  # absent
            elif roll < 0.15:
                late.append(row.pk)
            else:
                present.append(row.pk)
        start = meeting.starts_at
        Attendee.objects.filter(pk__in=present).update(
            status=Attendee.Status.PRESENT,
            signed_in_at=start - datetime.timedelta(minutes=5),
            signed_in_by=branch.actor,
        )
        Attendee.objects.filter(pk__in=late).update(
            status=Attendee.Status.LATE,
            signed_in_at=start + datetime.timedelta(minutes=meeting.late_after_minutes + 8),
            signed_in_by=branch.actor,
        )

    def record(
        self,
        branch: Branch,
        meeting: Meeting,
        *,
        summary: str,
        decisions: Sequence[tuple[str, Person | None, datetime.date | None]] = (),
        confirm: bool = True,
    ) -> Minutes:
        """Minutes started after the meeting, written, and (unless `confirm` is False)
        confirmed two days later by the secretary."""
        ended = meeting.ends_at
        draft = minutes.start_minutes(branch.actor, meeting, now=ended)
        items = [
            {
                "id": item.pk,
                "title": item.title,
                "summary": f"{item.title}。与会党员结合工作实际交流发言，形成共识。",
                "speakers": branch.secretary.name,
            }
            for item in draft.items.order_by("order")
        ]
        draft = minutes.save_minutes(
            branch.actor,
            draft,
            summary=summary,
            items=items,
            resolutions=[
                {"item": 1 if items else None, "text": text, "owner": owner, "due_on": due}
                for text, owner, due in decisions
            ],
        )
        if confirm:
            confirmed_at = min(ended + datetime.timedelta(days=2), self.now)
            draft = minutes.confirm_minutes(branch.actor, draft, now=confirmed_at)
            self.counts["confirmed"] += 1
        return draft

    def make_ups(self, branch: Branch, meeting: Meeting, *, settle: bool) -> None:
        """The make-up items confirmation created: settled ones read the materials or wrote
        a note and were confirmed; the others stay open."""
        done_at = meeting.ends_at + datetime.timedelta(days=10)
        for item in MakeUp.objects.filter(meeting=meeting).order_by("pk"):
            self.counts["make_ups"] += 1
            MakeUp.objects.filter(pk=item.pk).update(
                created_at=meeting.ends_at + datetime.timedelta(days=2)
            )
            if not settle:
                continue
            if self.rng.random() < 0.5:
                minutes.submit_make_up(None, item, way=MakeUp.Way.READ)
            else:
                minutes.submit_make_up(
                    None,
                    item,
                    way=MakeUp.Way.NOTE,
                    note="已自学会议材料，结合本职工作撰写心得体会，按要求完成补课。",
                )
            minutes.confirm_make_up(branch.actor, item)
            MakeUp.objects.filter(pk=item.pk).update(
                submitted_at=done_at, confirmed_at=done_at + datetime.timedelta(days=1)
            )
            self.counts["make_ups_confirmed"] += 1


def _schedule(
    branch_index: int, code: str, months: list[datetime.date], today: datetime.date
) -> list[tuple[str, datetime.date, int, str]]:
    """(kind, day, hour, title) of one branch's meetings over the months, before today."""
    behind = _previous_quarter(today)
    out = []
    for n, first in enumerate(months):
        shift = branch_index  # the branches do not all meet on the same day
        label = f"{first.year}年{first.month}月"
        out.append(
            (MeetingKind.BRANCH_COMMITTEE, first.replace(day=4 + shift), 9, f"{label}支委会")
        )
        topic = THEME_DAY_TOPICS[(n + branch_index) % len(THEME_DAY_TOPICS)]
        out.append(
            (MeetingKind.THEME_DAY, first.replace(day=18 + shift), 14, f"{label}主题党日：{topic}")
        )
        if first.month % 3 == 2:  # the middle month of a quarter: the members' assembly
            q = (first.month - 1) // 3 + 1
            out.append(
                (
                    MeetingKind.BRANCH_ASSEMBLY,
                    first.replace(day=10 + shift),
                    14,
                    f"{first.year}年第{q}季度支部党员大会",
                )
            )
        if first.month % 3 == 0:  # the last month of a quarter: the lecture
            if code == BEHIND_ON_LECTURES and _quarter_of(first) == behind:
                continue
            topic = LECTURE_TOPICS[(n // 3 + branch_index) % len(LECTURE_TOPICS)]
            out.append(
                (MeetingKind.PARTY_LECTURE, first.replace(day=12 + shift), 14, f"专题党课：{topic}")
            )
    return sorted((m for m in out if m[1] < today), key=lambda m: m[1])


def _branch_year(
    writer: Writer,
    index: int,
    code: str,
    branch: Branch,
    groups: list[PartyOrg],
    months: list[datetime.date],
) -> None:
    schedule = _schedule(index, code, months, writer.today)
    # The latest meeting of each branch (the organ branch's latest two) is still held:
    # its minutes are in draft.
    open_from = len(schedule) - (2 if code == ORGAN else 1)
    for n, (kind, day, hour, title) in enumerate(schedule):
        committee_only = kind == MeetingKind.BRANCH_COMMITTEE
        agendas: dict[str, Sequence[tuple[str, str]]] = {
            MeetingKind.BRANCH_COMMITTEE: COMMITTEE_AGENDA,
            MeetingKind.BRANCH_ASSEMBLY: ASSEMBLY_AGENDA,
        }
        agenda = agendas.get(kind, ((title.split("：")[-1], "支部书记"),))
        meeting = writer.plan(
            branch,
            branch.org,
            kind,
            title,
            _at(day, hour),
            1.5 if kind != MeetingKind.THEME_DAY else 2.5,
            agenda=agenda,
            committee_only=committee_only,
        )
        writer.attendance(branch, meeting)
        decisions: list[tuple[str, Person | None, datetime.date | None]] = []
        if kind == MeetingKind.BRANCH_COMMITTEE and len(branch.committee) > 1:
            decisions = [
                (
                    "做好本月党员学习教育安排，按时通知到每位党员",
                    branch.committee[1],
                    day + datetime.timedelta(days=20),
                )
            ]
        elif kind == MeetingKind.BRANCH_ASSEMBLY:
            decisions = [("按时足额缴纳党费", None, None)]
        confirm = n < open_from
        writer.record(
            branch,
            meeting,
            summary=f"{branch.org.short_name or branch.org.name}召开{title},会议议程顺利完成。",
            decisions=decisions,
            confirm=confirm,
        )
        if confirm:
            settle = (writer.today - day).days > 60
            writer.make_ups(branch, meeting, settle=settle)
    # The organ branch's groups meet monthly (党小组会).
    if code != ORGAN:
        return
    for g, group in enumerate(groups):
        for first in months:
            day = first.replace(day=22 + g)
            if day >= writer.today:
                continue
            meeting = writer.plan(
                branch,
                group,
                MeetingKind.GROUP_MEETING,
                f"{group.name}{first.month}月党小组会",
                _at(day, 16),
                1,
                agenda=(("学习交流，谈心谈话", "党小组组长"),),
            )
            writer.attendance(branch, meeting)
            writer.record(branch, meeting, summary=f"{group.name}开展组织生活，交流学习体会。")


# --- The conference of seed 000 -----------------------------------------------------------


CONFERENCE_TITLE = "2024年组宣统工作会议暨党建责任制签约工作会"
CONFERENCE_DAY = datetime.date(2024, 3, 26)
#: District guests who 出席 (invented names; the seed names real people).
CONFERENCE_GUESTS = (
    ("林晓岚", "区委组织部副部长"),
    ("鲁建华", "区级机关党工委副书记、一级调研员"),
)


def _conference(
    writer: Writer, party_group: PartyOrg, branches: dict[str, Branch], retired: list[Person]
) -> Meeting:
    posts = _current_posts(party_group)
    leaders = [p.person for p in posts]
    secretary = next(p.person for p in posts if p.role == Role.PARTY_SECRETARY)
    deputy = next((p.person for p in posts if p.role == Role.DEPUTY_SECRETARY), secretary)
    member = next((p.person for p in posts if p.role == Role.COMMITTEE_MEMBER), deputy)
    actor = User.objects.filter(person=secretary, is_active=True).first()
    group = Branch(org=party_group, secretary=secretary, actor=actor, committee=leaders)
    day = CONFERENCE_DAY
    members = {
        p.pk: p
        for b in branches.values()
        for p in members_on(b.org, day)
        if p.pk not in {x.pk for x in leaders}
    }
    non_members = list(
        Person.objects.filter(
            unit__in=[b.org.unit_id for b in branches.values() if b.org.unit_id],
            political_status__in=[Person.PoliticalStatus.MASSES, Person.PoliticalStatus.NON_PARTY],
        ).order_by("pk")[:4]
    )
    invitees = [
        *(
            Invitee(
                category=Attendee.Category.ATTEND,
                person=p.person,
                affiliation=f"局党组{p.title}",
                counts=True,
            )
            for p in posts
        ),
        *(
            Invitee(category=Attendee.Category.ATTEND, name=name, affiliation=title)
            for name, title in CONFERENCE_GUESTS
        ),
        *(
            Invitee(category=Attendee.Category.TAKE_PART, person=p, counts=True)
            for p in members.values()
        ),
        *(Invitee(category=Attendee.Category.TAKE_PART, person=p) for p in non_members),
        *(Invitee(category=Attendee.Category.TAKE_PART, person=p) for p in retired[:3]),
    ]
    parts = [
        PartSpec(
            title="上半场",
            presider=member,
            agenda=[
                ("“聚四力，展风采”党建十大行动发布", "局组织宣传科"),
                ("聚“引”力，点燃党建红色引擎", "局组织宣传科"),
                ("聚“活”力，赋能全域绿色空间", "局绿化建设科"),
                ("聚“心”力，擦亮全区洁净底色", "局环卫管理科"),
                ("聚“合”力，描绘全天多彩画卷", "局市容景观科"),
            ],
        ),
        PartSpec(
            title="下半场",
            presider=deputy,
            agenda=[
                ("传达各级组织、宣传、统战会议精神", "局机关党支部书记"),
                ("2024年基层党建工作目标责任书签约", "局党组书记"),
                ("局党组书记、局长讲话", "局党组书记"),
            ],
        ),
    ]
    meeting = plan.plan_meeting(
        actor,
        party_group,
        kind=MeetingKind.WORK_CONFERENCE,
        title=CONFERENCE_TITLE,
        starts_at=_at(day, 13, 30),
        ends_at=_at(day, 16, 30),
        place="局机关大会议室",
        parts=parts,
        invitees=invitees,
        with_members=False,
        recorder=member,
        announce=False,
    )
    writer.counts["meetings"] += 1
    Meeting.objects.filter(pk=meeting.pk).update(
        created_at=_at(day - datetime.timedelta(days=10), 9), updated_at=_at(day, 16, 30)
    )
    writer.attendance(group, meeting)
    owners = [b.secretary for b in branches.values()]
    writer.record(
        group,
        meeting,
        summary=(
            "会议深入学习贯彻党的二十大精神，发布“聚四力，展风采”党建十大行动，"
            "局党组书记与四个党支部书记签订2024年基层党建工作目标责任书，并对全年组织、"
            "宣传、统战工作作出部署。"
        ),
        decisions=[
            ("发布并落实“聚四力，展风采”党建十大行动", member, datetime.date(2024, 12, 31)),
            *(
                (
                    f"{b.org.short_name or b.org.name}落实2024年基层党建工作目标责任书",
                    owner,
                    datetime.date(2024, 12, 31),
                )
                for b, owner in zip(branches.values(), owners, strict=True)
            ),
            ("组织宣传科按季度通报党建工作推进情况", member, datetime.date(2024, 6, 30)),
        ],
    )
    return meeting


# --- This week --------------------------------------------------------------------------------


def _this_week(writer: Writer, organ: Branch, named: dict[str, Person]) -> list[Meeting]:
    """Today's theme party day (sign-in open now) and tomorrow's 支委会 and 党课."""
    now = timezone.localtime(writer.now)
    # Started a few minutes ago, so that the sign-in is open whenever the demo is built.
    start = now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)
    end_of_day = now.replace(hour=23, minute=45, second=0, microsecond=0)
    ends = max(end_of_day, start + datetime.timedelta(hours=2))
    today_meeting = plan.plan_meeting(
        organ.actor,
        organ.org,
        kind=MeetingKind.THEME_DAY,
        title=f"{now.month}月主题党日：垃圾分类进社区志愿服务",
        starts_at=start,
        ends_at=ends,
        place="局机关三楼党员活动室",
        description="请党员准时到场扫码签到；无智能手机的老党员由支部代为签到。",
        parts=[
            PartSpec(
                presider=organ.secretary,
                agenda=[("垃圾分类知识宣讲", "宣传委员"), ("社区志愿服务分组", "组织委员")],
            )
        ],
        recorder=organ.committee[-1],
        announce=True,
    )
    writer.counts["meetings"] += 1
    rows = list(today_meeting.attendees.exclude(person=named["login"]).order_by("pk"))
    # The secretary scans the screen's code; an elderly member without a phone is signed in
    # on their behalf; one asked for leave. The `party_member` login is left to sign in live.
    if organ.actor is not None:
        attendance.sign_in(organ.actor, today_meeting, signin.screen_code(today_meeting))
    others = [r for r in rows if r.person_id != organ.secretary.pk]
    if others and organ.actor is not None:
        attendance.proxy_sign_in(
            organ.actor, others[0], reason="年事已高，没有智能手机，由支部代为签到"
        )
    if len(others) > 1:
        attendance.record_leave(organ.actor, others[1], reason="参加区里专项检查")
    tomorrow = writer.today + datetime.timedelta(days=1)
    committee = writer.plan(
        organ,
        organ.org,
        MeetingKind.BRANCH_COMMITTEE,
        f"{tomorrow.year}年{tomorrow.month}月支委会",
        _at(tomorrow, 9, 30),
        1,
        agenda=COMMITTEE_AGENDA,
        committee_only=True,
        announce=True,
    )
    lecture = writer.plan(
        organ,
        organ.org,
        MeetingKind.PARTY_LECTURE,
        "专题党课：以党建引领城市精细化管理",
        _at(tomorrow, 14),
        1.5,
        agenda=(("专题党课", "支部书记"),),
        announce=True,
    )
    return [today_meeting, committee, lecture]


# --- The step -------------------------------------------------------------------------------


def _putuo_branches() -> dict[str, Branch]:
    orgs = {o.code: o for o in PartyOrg.objects.filter(code__in=BRANCH_CODES)}
    return {code: _branch(orgs[code]) for code in BRANCH_CODES if code in orgs}


def _publicity_officer(organ: Branch) -> int:
    """The organ branch's 宣传委员 also reviews its news (a publicity officer's post)."""
    post = next(
        (p for p in _current_posts(organ.org) if p.title == "宣传委员"),
        None,
    )
    if post is None:
        return 0
    org_actions.appoint(None, post.person, Role.PUBLICITY_OFFICER, title="宣传委员", org=organ.org)
    if not hasattr(post.person, "user"):
        org_actions.create_account(
            None,
            post.person,
            "publicity_officer",
            settings.JULI_DEMO_PASSWORD,
            validate_password=False,
        )
    return 1


def build_demo(stdout: Any = None, today: datetime.date | None = None) -> dict[str, int]:
    """Write the meetings demo (nothing when meetings exist already); counts of what it
    made."""
    empty = {"meetings": 0, "confirmed": 0, "make_ups": 0, "make_ups_confirmed": 0}
    if Meeting.objects.exists():
        return empty
    branches = _putuo_branches()
    party_group = PartyOrg.objects.filter(name=org_data.PUTUO_PARTY_GROUP).first()
    if len(branches) < len(BRANCH_CODES) or party_group is None:
        return empty  # not the org demo's world
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    with transaction.atomic():
        organ = branches[ORGAN]
        groups = list(
            PartyOrg.objects.filter(
                path__startswith=organ.org.path, kind=PartyOrg.Kind.GROUP
            ).order_by("path")
        )
        named = People(today, rng).fill(branches, groups)
        login = org_actions.create_account(
            None,
            named["login"],
            "party_member",
            settings.JULI_DEMO_PASSWORD,
            validate_password=False,
        )
        assert login is not None
        publicity = _publicity_officer(organ)
        writer = Writer(today, rng, named)
        retired = list(
            Person.objects.filter(
                party_org=organ.org, occupation=Person.Occupation.RETIRED
            ).order_by("pk")
        )
        _conference(writer, party_group, branches, retired)
        months = _month_starts(today, 12)
        for index, (code, branch) in enumerate(branches.items()):
            _branch_year(writer, index, code, branch, groups if code == ORGAN else [], months)
        _anyang_theme_days(writer, months[-3:])
        _this_week(writer, organ, named)
    return {**writer.counts, "publicity_officers": publicity}


def _anyang_theme_days(writer: Writer, months: list[datetime.date]) -> None:
    committee = PartyOrg.objects.filter(name=org_data.ANYANG_COMMITTEE).first()
    if committee is None:
        return
    branches = list(
        PartyOrg.objects.filter(
            path__startswith=committee.path,
            kind=PartyOrg.Kind.BRANCH,
            status=PartyOrg.Status.ACTIVE,
        ).order_by("path")[:4]
    )
    for i, org in enumerate(branches):
        posts = _current_posts(org)
        secretary = next((p.person for p in posts if p.role == Role.PARTY_SECRETARY), None)
        if secretary is None:
            continue
        branch = Branch(
            org=org,
            secretary=secretary,
            actor=User.objects.filter(person=secretary, is_active=True).first(),
            committee=[p.person for p in posts],
        )
        for n, first in enumerate(months):
            day = first.replace(day=8 + i)
            if day >= writer.today:
                continue
            topic = THEME_DAY_TOPICS[(n * 3 + i) % len(THEME_DAY_TOPICS)]
            meeting = writer.plan(
                branch,
                org,
                MeetingKind.THEME_DAY,
                f"{first.month}月主题党日：{topic}",
                _at(day, 14, 30),
                2,
                agenda=((topic, "支部书记"),),
            )
            writer.attendance(branch, meeting)
            writer.record(
                branch, meeting, summary=f"{org.name}开展{first.month}月主题党日活动：{topic}。"
            )


#: After the letters step too: it gives the centre branches' secretaries their accounts,
#: and their meetings are then recorded in their names.
@demo_step("meetings", after=("orgs", "letters"), logins=DEMO_LOGINS)
def build_meetings_step(run: DemoRun) -> dict[str, Any]:
    started = time.monotonic()
    counts: dict[str, Any] = dict(build_demo(stdout=run.stdout))
    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts

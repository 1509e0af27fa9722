"""The demo of observation visits (seed 001: "逐支部观摩，整单位提升"): the Anyang bureau organ
committee's cycle of this year, every branch hosting once and every other branch visiting.

- The visit hosted by 市亮化照明事务中心党支部 on 2 July: forty-odd branch secretaries
  visited; shown the party members' activity room, the reading room, the lighting command
  centre and the culture and sports rooms; the secretary spoke on "how to be a good branch
  secretary". Score sheets from the visiting secretaries, the tier, the feedback, and three
  rectification items: one closed with evidence, one open (deadline ahead), one overdue and
  escalated.
- The other visits of the cycle: those more than two weeks past scored and mostly closed with
  feedback (a few sheets each), a couple still held or waiting to be finished, the rest
  planned; two more items elsewhere. Last year's cycle, all scored, for the comparison on the
  unit-level page.

Scorers need accounts: the visiting secretaries without one get one (demo password); the
lighting branch's secretary is the login `anyang_lighting_secretary`, a visiting secretary
`anyang_visitor`. Everything is written through `actions` as the system or as those users,
in one transaction (as the meetings demo), with one exception, done directly and said here:
the score sheets of the visits other than the seed's are transcribed as the organiser would
type in the paper sheets collected on the day (one INSERT of the visit's sheets and one
UPDATE of its sheet count, not one audited phone submission per visitor: last year's visits
cannot be scored from phones today). Each sheet is still checked as `submit_sheet` checks
it (scoring open, a visiting branch's officer, the five aspects 0–20, once per scorer); the
seed's visit at the lighting centre is scored through `submit_sheet`, sheet by sheet.
"""

from __future__ import annotations

import datetime
import io
import random
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from juli.core.demo import DemoRun, demo_step
from juli.orgs import actions as org_actions
from juli.orgs.models import PartyOrg, Post, User
from juli.orgs.queries import current_post_q
from juli.orgs.roles import Role

from . import access, actions
from .models import (
    ObservationCycle,
    ObservationVisit,
    Rectification,
    RectificationEvent,
    ScoreSheet,
)

COMMITTEE = "安阳市城市管理局机关党委"
LIGHTING = "市亮化照明事务中心党支部"
VISITOR = "路灯管理中心党支部"
DEMO_LOGINS = [
    (
        "anyang_lighting_secretary",
        "市亮化照明事务中心党支部 书记 / Anyang lighting affairs centre branch secretary",
    ),
    (
        "anyang_visitor",
        "路灯管理中心党支部 书记，观摩打分 / Anyang street-light branch secretary, scores visits",
    ),
]
SHOWN = [
    "党员活动室、党建书屋、机关食堂",
    "党员先锋岗、廉政文化长廊、荣誉室",
    "三会一课台账、主题党日记录、党费收缴登记",
    "为民服务窗口、志愿服务站、党建宣传栏",
]
LIGHTING_SHOWN = (
    "党员活动室、阅览室、城市亮化指挥中心、文体活动室；支部书记以《如何当好一名支部书记》为题"
    "作交流发言。"
)
FEEDBACK = [
    "阵地建设规范，台账完整，党员先锋作用发挥明显。",
    "组织生活记录较完整，建议进一步把党建与业务工作深度融合。",
    "基础工作扎实，宣传阵地内容更新不够及时，需加强。",
]
LIGHTING_FEEDBACK = (
    "阵地建设有特色，城市亮化指挥中心把党建融入主责主业；书记交流发言有思考、有方法。"
    "建议：党员发展和教育台账进一步规范，阅览室图书更新，主题党日与亮化保障任务结合。"
)


def _at(day: datetime.date, hour: int = 16) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def secretary_accounts(branches: list[PartyOrg]) -> dict[int, User]:
    """The branch secretaries' accounts (created where missing), by branch id."""
    posts = Post.objects.filter(
        current_post_q(), org__in=branches, role=Role.PARTY_SECRETARY
    ).select_related("person", "org")
    out: dict[int, User] = {}
    named = {LIGHTING: "anyang_lighting_secretary", VISITOR: "anyang_visitor"}
    for post in posts:
        if post.org is None or post.org_id is None or post.org_id in out:
            continue
        user = User.objects.filter(person=post.person).first()
        if user is None:
            username = named.get(post.org.name) or f"ay_sec_{post.org.pk}"
            user = org_actions.create_account(
                None, post.person, username, settings.JULI_DEMO_PASSWORD, validate_password=False
            )
        out[post.org_id] = user
    return out


def _scores(rng: random.Random, base: int) -> dict[str, int]:
    return {
        name: max(8, min(20, base + rng.randint(-2, 2)))
        for name in ("listen", "look", "records", "talk", "evaluate")
    }


def _jpeg(rgb: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), rgb).save(out, "JPEG", quality=85)
    return out.getvalue()


def _score_visit(
    visit: ObservationVisit,
    accounts: dict[int, User],
    rng: random.Random,
    *,
    base: int,
    limit: int | None,
    paper: bool = True,
) -> int:
    """Sheets from the visiting secretaries (all, or `limit` of them): transcribed from the
    paper sheets in one INSERT (`paper`), or submitted one by one through the action."""
    guests = list(visit.guests.values_list("org_id", flat=True))
    if limit is not None:
        guests = rng.sample(guests, min(limit, len(guests)))
    scored = [(accounts[org_id], _scores(rng, base)) for org_id in guests if org_id in accounts]
    if not paper:
        for user, values in scored:
            actions.submit_sheet(user, visit, values=values, comment="")
        return len(scored)
    return _transcribe(visit, scored)


def _transcribe(visit: ObservationVisit, scored: list[tuple[User, dict[str, int]]]) -> int:
    """The visit's paper sheets typed in: the checks of `submit_sheet`, one INSERT, one
    UPDATE of the visit's sheet count (see the module's docstring)."""
    visit = ObservationVisit.objects.select_related("cycle", "host").get(pk=visit.pk)
    assert visit.scoring_open, visit
    already = set(ScoreSheet.objects.filter(visit=visit).values_list("scorer_id", flat=True))
    guests = list(visit.guests.select_related("org"))
    sheets = []
    for user, values in scored:
        # access.scorer_orgs(user, visit), without reading the guests again per sheet.
        mine = set(access.scoring_paths(user))
        orgs = [g.org for g in guests if g.org_path in mine]
        assert orgs and user.pk not in already, (visit, user)
        already.add(user.pk)
        scores = actions.aspect_values(values)
        sheets.append(
            ScoreSheet(
                visit=visit,
                visitor_org=orgs[0],
                scorer=user,
                person_id=user.person_id,
                total=sum(scores.values()),
                **scores,
            )
        )
    ScoreSheet.objects.bulk_create(sheets)
    ObservationVisit.objects.filter(pk=visit.pk).update(
        sheets=ScoreSheet.objects.filter(visit=visit).count()
    )
    return len(sheets)


def _run_cycle(
    org: PartyOrg,
    year: int,
    today: datetime.date,
    accounts: dict[int, User],
    rng: random.Random,
    *,
    per_visit: int,
    title: str,
) -> tuple[ObservationCycle, dict[str, int]]:
    cycle = actions.create_cycle(
        None,
        org,
        title=title,
        starts_on=datetime.date(year, 3, 2),
        ends_on=datetime.date(year, 12, 25),
        visitors_per_visit=per_visit,
        announce=year == today.year,
    )
    counts = {"visits": 0, "sheets": 0}
    lighting = ObservationVisit.objects.filter(cycle=cycle, host__name=LIGHTING).first()
    if lighting is not None and year == today.year:
        actions.reschedule_visit(
            None, lighting, day=datetime.date(year, 7, 2), reason="与七一主题党日活动结合"
        )
    visits = list(ObservationVisit.objects.filter(cycle=cycle).select_related("cycle", "host"))
    for i, visit in enumerate(sorted(visits, key=lambda v: v.scheduled_on)):
        counts["visits"] += 1
        age = (today - visit.scheduled_on).days
        if visit.host.name == LIGHTING and year == today.year:
            continue  # the seed's visit, below
        if age < 0:
            continue  # planned
        base = rng.choice([13, 15, 16, 17, 18])
        if age <= 14:
            if i % 2:
                actions.hold_visit(None, visit, shown=SHOWN[i % len(SHOWN)])
            counts["sheets"] += _score_visit(visit, accounts, rng, base=base, limit=3)
            continue
        actions.hold_visit(None, visit, shown=SHOWN[i % len(SHOWN)])
        counts["sheets"] += _score_visit(visit, accounts, rng, base=base, limit=6)
        actions.finish_scoring(None, visit)
        if i % 9 != 4:
            actions.close_visit(None, visit, feedback=FEEDBACK[i % len(FEEDBACK)])
    return cycle, counts


def _lighting(
    cycle: ObservationCycle, today: datetime.date, accounts: dict[int, User], rng: random.Random
) -> int:
    visit = ObservationVisit.objects.select_related("cycle", "host").get(
        cycle=cycle, host__name=LIGHTING
    )
    if visit.scheduled_on > today:
        return 0
    actions.hold_visit(None, visit, shown=LIGHTING_SHOWN)
    _score_visit(visit, accounts, rng, base=18, limit=None, paper=False)  # from the phones
    actions.finish_scoring(None, visit)
    actions.close_visit(None, visit, feedback=LIGHTING_FEEDBACK)
    secretary = accounts.get(visit.host_id)
    people = list(actions.host_people(visit)[:3])
    owner = secretary.person if secretary is not None and secretary.person else people[0]
    other = next((p for p in people if p.pk != owner.pk), owner)
    done = actions.add_rectification(
        None,
        visit,
        title="规范党员教育管理台账",
        detail="党员发展和教育培训台账记录不完整，补齐近两年记录并按月归档。",
        owner=owner,
        deadline=visit.scheduled_on + datetime.timedelta(days=45),
    )
    actions.close_rectification(
        secretary,
        done,
        note="已补齐2025—2026年党员教育培训记录，按月装订归档，并建立电子台账。",
        files=[SimpleUploadedFile("台账整改照片.jpg", _jpeg((200, 60, 50)))],
    )
    actions.add_rectification(
        None,
        visit,
        title="更新党建书屋图书",
        detail="阅览室图书陈旧，补充党史学习教育和业务类图书不少于100册。",
        owner=other,
        deadline=today + datetime.timedelta(days=24),
    )
    late = actions.add_rectification(
        None,
        visit,
        title="主题党日与亮化保障任务结合",
        detail="结合节日亮化保障任务开展主题党日，形成活动记录。",
        owner=owner,
        deadline=today - datetime.timedelta(days=6),
    )
    actions.escalate_overdue(now=_at(today - datetime.timedelta(days=5), 7))
    # The items were written today; the work happened over the summer. Their creation and the
    # first item's closing move back to the days it happened (as the meetings demo moves its
    # timestamps), so the closed item counts as closed on time and the history reads in order.
    given = _at(visit.scheduled_on + datetime.timedelta(days=1), 10)
    closed_on = _at(visit.scheduled_on + datetime.timedelta(days=30))
    items = Rectification.objects.filter(visit=visit)
    items.update(created_at=given)
    Rectification.objects.filter(pk=done.pk).update(closed_at=closed_on)
    RectificationEvent.objects.filter(rectification__in=items, action="create").update(at=given)
    RectificationEvent.objects.filter(rectification=done).exclude(action="create").update(
        at=closed_on
    )
    return 3 if late else 2


@demo_step("observation", after=("orgs", "letters", "meetings"), logins=DEMO_LOGINS)
def build_observation_step(run: DemoRun) -> dict[str, Any]:
    org = PartyOrg.objects.filter(name=COMMITTEE, status=PartyOrg.Status.ACTIVE).first()
    if org is None:
        return {"cycles": 0}
    with transaction.atomic():
        rng = random.Random(1601)  # noqa: S311 - demo data, not security
        today = timezone.localdate()
        branches = actions.cycle_branches(org)
        accounts = secretary_accounts(branches)
        last, last_counts = _run_cycle(
            org,
            today.year - 1,
            datetime.date(today.year, 1, 1),
            accounts,
            rng,
            per_visit=6,
            title=f"{today.year - 1}年度机关党委逐支部观摩活动",
        )
        cycle, counts = _run_cycle(
            org,
            today.year,
            today,
            accounts,
            rng,
            per_visit=0,
            title=f"{today.year}年度机关党委逐支部观摩活动",
        )
        items = _lighting(cycle, today, accounts, rng)
        # Two more items elsewhere: one closed on time, one open.
        scored = list(
            ObservationVisit.objects.filter(cycle=cycle, status="closed")
            .exclude(host__name=LIGHTING)
            .select_related("cycle", "host")
            .order_by("scheduled_on")[:2]
        )
        for n, visit in enumerate(scored):
            owner = actions.host_people(visit).first()
            if owner is None:
                continue
            item = actions.add_rectification(
                None,
                visit,
                title="完善支部宣传栏内容",
                owner=owner,
                deadline=visit.scheduled_on + datetime.timedelta(days=30),
            )
            items += 1
            if n == 0:
                actions.close_rectification(None, item, note="宣传栏已按季度更新，增设先锋榜。")
    return {
        "cycles": 2,
        "visits": counts["visits"] + last_counts["visits"],
        "sheets": counts["sheets"] + last_counts["sheets"],
        "rectifications": items,
        "accounts": len(accounts),
    }

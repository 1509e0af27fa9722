"""Demo rounds of the Anyang bureau organ committee (安阳市城市管理局机关党委) over its
branches (seed 001).

- **Last year's round, published with stars**: every branch self-assessed and submitted in
  December, reviewed by the committee's organisation officer (`rating_reviewer`, who belongs
  to no branch) with a few adjusted scores (each with its reason) and one veto finding;
  five working days of public notice in January, then published and frozen.
- **This year's round, in progress**: opened a month ago; the branches' self-assessments in
  every state: untouched drafts, drafts partly filled, submitted, returned with a reason,
  reviewed.

Writes go through the actions: `actions.rounds.open_round`, the branch side's
`actions.selfassess.save_self` / `submit` (as the system: most demo branches have no
account), and `actions.review` (`review`, `return_to_branch`, `start_publicity`,
`publish`) as `rating_reviewer`. Done directly, and said here: the timestamps of the rows
and events are moved back to the days the work happened (a demo built today cannot wait
for December and January), as the meetings demo does; audit rows and notifications keep
the time they were written.
"""

from __future__ import annotations

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from juli.core.demo import DemoRun, demo_step
from juli.orgs import actions as org_actions
from juli.orgs.demo.data import ANYANG_COMMITTEE
from juli.orgs.models import PartyOrg, Person
from juli.orgs.roles import Role

from .actions import review as review_actions
from .actions import selfassess
from .actions.rounds import assessment_rows, open_round
from .demo_standards import standard_for
from .models import Assessment, AssessmentEvent, Criterion, RatingRound, RoundEvent

REVIEWER = "rating_reviewer"
DEMO_LOGINS = [
    (
        REVIEWER,
        "安阳市城市管理局机关党委 组织委员，评审各支部星级（不属于任何支部） / "
        "Anyang organ committee organisation officer, reviews the branches' ratings",
    )
]
REVIEWER_NAME = "秦慧敏"
REVIEWER_PHONE = "13937210016"
SEED = 16

SUMMARIES = (
    "本年度支部认真落实“三会一课”制度，围绕城市管理中心工作开展主题党日，党员先锋作用明显。",
    "支部班子团结，制度执行较好；不足是党员教育形式较单一，来年加强。",
    "支部结合数字城管、市容整治等重点任务，组织党员攻坚，群众满意度提升。",
)
NOTES = ("见支部工作台账", "有活动照片和记录", "详见年度总结", "")
ADJUST_REASONS = ("佐证材料不足，酌情扣分", "台账记录与实际不符", "活动记录不完整")
RETURN_REASON = "自评得分偏高，请补充党员志愿服务的佐证材料后重新提交。"


def _judged_points(row: Any, rng: random.Random, share: float) -> Decimal:
    raw = Decimal(str(row.criterion.points)) * Decimal(str(share))
    return (raw * 2).quantize(Decimal("1"), rounding=ROUND_HALF_UP) / 2


def _fill(a: Assessment, rng: random.Random, *, part: float = 1.0) -> Assessment:
    """The branch's own points for its judged criteria (a share of them when `part` < 1)."""
    judged = [r for r in assessment_rows(a) if r.criterion.method == Criterion.Method.JUDGED]
    strength = rng.uniform(0.8, 1.0)
    rows = {
        r.pk: {
            "points": str(_judged_points(r, rng, min(1.0, strength + rng.uniform(-0.08, 0.08)))),
            "note": rng.choice(NOTES),
        }
        for r in judged[: max(1, int(len(judged) * part))]
    }
    return selfassess.save_self(
        None, a, rows=rows, summary=rng.choice(SUMMARIES) if part >= 1 else None
    )


def _submit(a: Assessment, rng: random.Random) -> Assessment:
    a = _fill(a, rng)
    return selfassess.submit(None, a)


def _review(
    reviewer: Any, a: Assessment, rng: random.Random, *, adjust: bool = False, veto: Any = None
) -> Assessment:
    a.refresh_from_db()
    rows: dict[int, dict[str, str]] = {}
    if adjust:
        judged = [
            r
            for r in assessment_rows(a)
            if r.criterion.method == Criterion.Method.JUDGED and r.self_points
        ]
        row = max(judged, key=lambda r: r.self_points or 0)
        lower = max(Decimal(0), Decimal(row.self_points or 0) - Decimal(2))
        rows[row.pk] = {"points": str(lower), "reason": rng.choice(ADJUST_REASONS)}
    vetoes = (
        [{"veto_id": veto.pk, "reason": "支部一名党员受到党内严重警告处分（安城管纪〔2025〕7号）"}]
        if veto
        else None
    )
    return review_actions.review(reviewer, a, rows=rows, vetoes=vetoes, version=a.version)


def _reviewer(committee: PartyOrg) -> Any:
    """The committee's organisation officer: a member of the committee itself, of no branch."""
    person = Person.objects.filter(phone=REVIEWER_PHONE).first()
    if person is None:
        person = org_actions.create_person(
            None,
            name=REVIEWER_NAME,
            phone=REVIEWER_PHONE,
            party_org=committee,
            political_status="member",
        )
        org_actions.appoint(
            None,
            person,
            Role.ORG_OFFICER,
            title="组织委员",
            org=committee,
            started_on=datetime.date(2021, 6, 1),
        )
    if not hasattr(person, "user"):
        org_actions.create_account(
            None, person, REVIEWER, settings.JULI_DEMO_PASSWORD, validate_password=False
        )
    return person.user


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _backdate(round_: RatingRound, days: dict[str, datetime.date], created: datetime.date) -> None:
    """Move the round's timestamps to the days the work happened (see the module doc)."""
    RatingRound.objects.filter(pk=round_.pk).update(created_at=_at(created, 9))
    for action, day in days.items():
        AssessmentEvent.objects.filter(assessment__round=round_, action=action).update(
            at=_at(day, 10)
        )
        RoundEvent.objects.filter(round=round_, action=action).update(at=_at(day, 10))
    qs = Assessment.objects.filter(round=round_)
    if "submit" in days:
        qs.filter(submitted_at__isnull=False).update(submitted_at=_at(days["submit"], 16))
    if "review" in days:
        qs.filter(reviewed_at__isnull=False).update(reviewed_at=_at(days["review"], 11))
    if "publish" in days:
        qs.filter(frozen_at__isnull=False).update(frozen_at=_at(days["publish"], 10))
        RatingRound.objects.filter(pk=round_.pk).update(published_at=_at(days["publish"], 10))
    qs.update(updated_at=_at(max(days.values()), 17))


def _last_year(
    committee: PartyOrg, reviewer: Any, today: datetime.date, rng: random.Random
) -> RatingRound | None:
    year = today.year - 1
    standard = standard_for(committee, year)
    if standard is None:
        return None
    round_ = open_round(None, committee, standard, year=year, self_due=datetime.date(year, 12, 20))
    assessments = list(round_.assessments.select_related("org").order_by("org_path"))
    veto = standard.vetoes.order_by("order", "pk").first()
    for n, a in enumerate(assessments):
        a = _submit(a, rng)
        _review(reviewer, a, rng, adjust=n % 13 == 5, veto=veto if n == 17 else None)
    starts = datetime.date(today.year, 1, 6)
    if starts + datetime.timedelta(days=20) > today:
        starts = today - datetime.timedelta(days=20)
    round_ = review_actions.start_publicity(reviewer, round_, starts_on=starts)
    assert round_.publicity_ends is not None
    published_on = round_.publicity_ends + datetime.timedelta(days=1)
    round_ = review_actions.publish(reviewer, round_, today=published_on)
    _backdate(
        round_,
        {
            "submit": datetime.date(year, 12, 15),
            "review": datetime.date(year, 12, 29),
            "start_publicity": starts,
            "publish": published_on,
        },
        datetime.date(year, 11, 20),
    )
    return round_


#: This year's states, by the branch's place in the committee's order (42 branches:
#: 9 untouched, 8 partly filled, 11 submitted, 4 returned, 10 reviewed).
def _state_of(n: int, total: int) -> str:
    share = n / max(total, 1)
    if share < 0.21:
        return "draft"
    if share < 0.40:
        return "partial"
    if share < 0.66:
        return "submitted"
    if share < 0.76:
        return "returned"
    return "reviewed"


def _this_year(
    committee: PartyOrg, reviewer: Any, today: datetime.date, rng: random.Random
) -> tuple[RatingRound | None, dict[str, int]]:
    standard = standard_for(committee, today.year)
    if standard is None:
        return None, {}
    due = today + datetime.timedelta(days=18)
    round_ = open_round(None, committee, standard, year=today.year, self_due=due)
    counts: dict[str, int] = {}
    assessments = list(round_.assessments.select_related("org").order_by("org_path"))
    for n, a in enumerate(assessments):
        state = _state_of(n, len(assessments))
        counts[state] = counts.get(state, 0) + 1
        if state == "partial":
            _fill(a, rng, part=0.5)
        elif state in ("submitted", "returned", "reviewed"):
            a = _submit(a, rng)
            if state == "returned":
                review_actions.return_to_branch(reviewer, a, reason=RETURN_REASON)
            elif state == "reviewed":
                _review(reviewer, a, rng, adjust=n % 4 == 0)
    opened = today - datetime.timedelta(days=30)
    _backdate(
        round_,
        {
            "submit": today - datetime.timedelta(days=6),
            "return": today - datetime.timedelta(days=3),
            "review": today - datetime.timedelta(days=2),
        },
        opened,
    )
    return round_, counts


def build_demo(today: datetime.date | None = None) -> dict[str, int]:
    """Write the rating rounds demo (nothing when the committee has rounds already)."""
    committee = PartyOrg.objects.filter(name=ANYANG_COMMITTEE).first()
    if committee is None or RatingRound.objects.filter(org=committee).exists():
        return {}
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    with transaction.atomic():
        reviewer = _reviewer(committee)
        last = _last_year(committee, reviewer, today, rng)
        this, counts = _this_year(committee, reviewer, today, rng)
    return {
        "rating_rounds": int(last is not None) + int(this is not None),
        "rated_last_year": last.assessments.count() if last else 0,
        **{f"this_year_{k}": v for k, v in counts.items()},
    }


@demo_step(
    "rating_rounds",
    after=("rating_standards", "meetings", "letters", "cases", "observation"),
    logins=DEMO_LOGINS,
)
def build_rating_rounds_step(run: DemoRun) -> dict[str, int]:
    return build_demo()

"""Months of the inspection and rectification loop, replayed in time order.

Every step is an event on one clock: a day's plan at 00:05, each inspection when its inspector
submits it, each office, unit and inspector step at a working time after the step before,
and the escalation run (`escalate_overdue`) hourly, as cron would. Events are taken in
(time, order of scheduling) order, so a case is escalated only when it is really overdue at
that simulated moment. Every write is an action with an explicit `at`; nothing is written at
or after midnight of the build day except that day's plan, so the world is the same for any
build on the same date, and nothing in it lies in the future.

Rare outcomes (a rejection, a send-back, a deferral, a reopening, a late unit) come from
shuffled decks rather than independent draws: every run of a deck holds each outcome in its
set proportion, so even a short build shows all of them.
"""

from __future__ import annotations

import datetime
import heapq
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from juli.cases import actions, worktime
from juli.cases.inspections import ResultInput, plan_day, submit_inspection
from juli.cases.models import Case, CaseCategory, InspectionAssignment, Point
from juli.orgs.models import Area, Unit, User

from . import data
from .photos import demo_photo
from .setup import Street, World

S = Case.Status
#: When the escalation run happens (cron): hourly through the working day, and at midnight
#: for the round-the-clock categories.
ESCALATION_HOURS = (0, *range(8, 21))


class Deck:
    """Outcomes drawn without replacement from a shuffled deck, reshuffled when empty."""

    def __init__(self, rng: random.Random, cards: dict[str, int]) -> None:
        self.rng = rng
        self.cards = [name for name, count in cards.items() for _ in range(count)]
        self.pile: list[str] = []

    def draw(self) -> str:
        if not self.pile:
            self.pile = list(self.cards)
            self.rng.shuffle(self.pile)
        return self.pile.pop()


@dataclass
class Track:
    """What the simulation remembers of a case between its steps."""

    street: Street
    item_key: tuple[int, int] | None = None  # (point, checklist item) of an inspection case
    send_backs: int = 0
    deferred: bool = False


class Simulation:
    def __init__(
        self, world: World, rng: random.Random, first_day: datetime.date, today: datetime.date
    ) -> None:
        self.world = world
        self.rng = rng
        self.first_day = first_day
        self.today = today
        self.tz = timezone.get_current_timezone()
        self.end = self.moment(today, 0, 0)
        self.calendar = worktime.Calendar()
        self.queue: list[tuple[datetime.datetime, int, Callable[..., None], tuple[Any, ...]]] = []
        self.seq = 0
        self.track: dict[int, Track] = {}
        self.open_items: set[tuple[int, int]] = set()
        self.categories = {c.pk: c for c in world.case_categories.values()}
        self.street_of_point = {p.pk: s for s in world.streets for p in s.points}
        self.points = {p.pk: p for s in world.streets for p in s.points}
        self.users = {
            u.pk: u for s in world.streets for u in [*s.officers, *s.inspectors]
        }  # the same objects throughout, so each user's scope is computed once
        self.mess = {
            p.pk: 0.004 if p.zero_deduction else rng.uniform(0.01, 0.055)
            for s in world.streets
            for p in s.points
        }
        self.decks = {
            "rectify": Deck(rng, {"on_time": 18, "late": 1, "slow": 2, "defer": 1}),
            "triage": Deck(rng, {"accept": 4, "reject": 1}),
            "verify": Deck(rng, {"pass": 7, "send_back": 1}),
            "verify_when": Deck(rng, {"same_day": 1, "next_morning": 2}),
            "close_when": Deck(rng, {"same_day": 2, "next_morning": 3}),
            "reopen": Deck(rng, {"reopen": 1, "stay": 29}),
            "resume": Deck(rng, {"resume": 1, "stay": 1}),
        }

    # --- the clock ---------------------------------------------------------------------------

    def moment(self, day: datetime.date, hour: int, minute: int) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.tz)

    def schedule(self, when: datetime.datetime, step: Callable[..., None], *args: Any) -> None:
        """Run `step(when, *args)` at `when`; steps at or after the build day's midnight are
        the future and never happen."""
        if when < self.end:
            heapq.heappush(self.queue, (when, self.seq, step, args))
            self.seq += 1

    def later(self, start: datetime.datetime, hours: float) -> datetime.datetime:
        """`hours` of working time after `start`: when an office or a unit gets to it."""
        return worktime.add_working_hours(
            start, Decimal(str(round(hours, 2))), calendar=self.calendar
        )

    def next_morning(self, start: datetime.datetime) -> datetime.datetime:
        day = timezone.localtime(start, self.tz).date() + datetime.timedelta(days=1)
        while not self.calendar.is_workday(day):
            day += datetime.timedelta(days=1)
        return self.moment(day, 9, 0) + datetime.timedelta(minutes=self.rng.randint(0, 150))

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def run(self) -> None:
        day = self.first_day
        while day < self.today:
            self.schedule(self.moment(day, 0, 5), self.start_day, day)
            for hour in ESCALATION_HOURS:
                self.schedule(self.moment(day, hour, 0), self.escalate)
            day += datetime.timedelta(days=1)
        self.finale(self.today - datetime.timedelta(days=1))
        while self.queue:
            when, _seq, step, args = heapq.heappop(self.queue)
            step(when, *args)
        # The build day itself: only its plan, and the escalations due at its midnight.
        plan_day(self.today)
        actions.escalate_overdue(self.end)

    def escalate(self, now: datetime.datetime) -> None:
        actions.escalate_overdue(now)

    # --- a day -------------------------------------------------------------------------------

    def start_day(self, now: datetime.datetime, day: datetime.date) -> None:
        workday = self.calendar.is_workday(day)
        if workday:
            plan_day(day)
            self.inspection_rounds(day)
        progress = (day - self.first_day).days / max(1, (self.today - self.first_day).days)
        for street in self.world.streets:
            busy = 2 if street.key == "DPQ" else 1
            for _ in range(self.rng.choice([0, 0, 0, 1, busy])):
                when = self.moment(day, self.rng.randint(7, 21), self.rng.randint(0, 59))
                self.schedule(when, self.public_report, street)
            if workday and self.rng.random() < 0.35:
                when = self.moment(day, self.rng.randint(9, 16), self.rng.randint(0, 59))
                self.schedule(when, self.hotline, street, False)
            for user, grid in street.grid_reporters:
                if self.rng.random() < (0.25 if workday else 0.05):
                    when = self.moment(day, self.rng.randint(8, 18), self.rng.randint(0, 59))
                    self.schedule(when, self.grid_report, street, user, grid)
            if workday and day.weekday() == 2 and self.rng.random() < 0.6 + 0.2 * progress:
                when = self.moment(day, self.rng.randint(10, 15), self.rng.randint(0, 59))
                self.schedule(when, self.referral, street)

    def inspection_rounds(self, day: datetime.date) -> None:
        """Each inspector walks the day's points in plan order, lunch from 11:45 to 13:00."""
        plan = (
            InspectionAssignment.objects.filter(date=day)
            .order_by("inspector_id", "order", "pk")
            .values_list("point_id", "inspector_id")
        )
        clock: dict[int, datetime.datetime] = {}
        for point_id, inspector_id in plan:
            if inspector_id not in clock:
                clock[inspector_id] = self.moment(day, 8, 30 + self.rng.randint(0, 25))
            started = clock[inspector_id]
            if started.time() >= datetime.time(11, 45) and started.time() < datetime.time(13):
                started = self.moment(day, 13, self.rng.randint(0, 15))
            submitted = started + datetime.timedelta(minutes=self.rng.randint(4, 10))
            clock[inspector_id] = submitted + datetime.timedelta(minutes=self.rng.randint(5, 16))
            self.schedule(submitted, self.inspect, point_id, inspector_id, started, day)

    # --- inspections -------------------------------------------------------------------------

    def inspect(
        self,
        now: datetime.datetime,
        point_id: int,
        inspector_id: int,
        started: datetime.datetime,
        day: datetime.date,
    ) -> None:
        point = self.points[point_id]
        progress = (day - self.first_day).days / max(1, (self.today - self.first_day).days)
        # The campaign works: points get cleaner over the months.
        chance = self.mess[point_id] * (1.3 - 0.6 * progress)
        results = []
        for item in self.world.items[point.category_id]:
            key = (point_id, item.pk)
            failed = key not in self.open_items and self.rng.random() < chance
            if not failed:
                results.append(ResultInput(item, True))
                continue
            code = self.categories[item.case_category_id].code
            taken = started + datetime.timedelta(minutes=self.rng.randint(1, 3))
            photo = demo_photo(self.rng, before=True, taken_at=taken, lat=point.lat, lng=point.lng)
            note = self.rng.choice(data.FAIL_NOTES[code])
            results.append(ResultInput(item, False, note, [photo]))
        lat, lng = self.fix(point)
        if inspector_id not in self.users:
            self.users[inspector_id] = User.objects.get(pk=inspector_id)
        inspection = submit_inspection(
            self.users[inspector_id],
            client_uuid=self.uuid(),
            point=point,
            results=results,
            started_at=started,
            lat=lat,
            lng=lng,
            at=now,
        )
        if inspection.deduction:
            for case in inspection.cases.order_by("pk"):
                assert case.checklist_item_id is not None
                key = (point_id, case.checklist_item_id)
                self.open_items.add(key)
                self.track[case.pk] = Track(self.street_of_point[point_id], item_key=key)
                self.accepted(now, case)

    def fix(self, point: Point) -> tuple[Decimal | None, Decimal | None]:
        """The phone's GPS at the point: metres off, now and then far (flagged, not refused)."""
        if point.lat is None or point.lng is None:
            return None, None
        spread = 0.006 if self.rng.random() < 0.03 else 0.0003
        q = Decimal("0.000001")
        return (
            (point.lat + Decimal(str(round(self.rng.uniform(-spread, spread), 6)))).quantize(q),
            (point.lng + Decimal(str(round(self.rng.uniform(-spread, spread), 6)))).quantize(q),
        )

    # --- reports from outside the inspection round ---------------------------------------------

    def place(self, street: Street, within: Area | None = None) -> dict[str, Any]:
        """A point (half the time) or an area of the street, with a position near it."""
        points = [p for p in street.points if within is None or p.area_path.startswith(within.path)]
        leaves = [a for a in street.leaves if within is None or a.path.startswith(within.path)]
        if points and self.rng.random() < 0.5:
            point = self.rng.choice(points)
            lat, lng = self.fix(point)
            return {"point": point, "lat": lat, "lng": lng}
        area = self.rng.choice(leaves)
        assert area.centre_lat is not None and area.centre_lng is not None
        q = Decimal("0.000001")
        return {
            "area": area,
            "lat": (
                area.centre_lat + Decimal(str(round(self.rng.uniform(-5e-4, 5e-4), 6)))
            ).quantize(q),
            "lng": (
                area.centre_lng + Decimal(str(round(self.rng.uniform(-5e-4, 5e-4), 6)))
            ).quantize(q),
        }

    def report(
        self,
        now: datetime.datetime,
        street: Street,
        actor: User | None,
        source: str,
        *,
        within: Area | None = None,
        prefix: str = "",
        photo: bool = True,
        **extra: Any,
    ) -> Case:
        code, title = self.rng.choice(data.REPORTS)
        where = self.place(street, within)
        photos = []
        if photo:
            taken = now - datetime.timedelta(minutes=self.rng.randint(1, 30))
            photos.append(
                demo_photo(
                    self.rng, before=True, taken_at=taken, lat=where["lat"], lng=where["lng"]
                )
            )
        case = actions.report_case(
            actor,
            client_uuid=self.uuid(),
            source=source,
            category=self.world.case_categories[code],
            title=prefix + title,
            description=title,
            photos=photos,
            at=now,
            **where,
            **extra,
        )
        self.track[case.pk] = Track(street)
        return case

    def caller(self) -> dict[str, Any]:
        phone = (
            self.rng.choice(["139", "138", "186", "152", "177"])
            + f"{self.rng.randrange(10**8):08d}"
        )
        return {"reporter_name": self.rng.choice(data.PUBLIC_NAMES), "reporter_phone": phone}

    def public_report(self, now: datetime.datetime, street: Street) -> None:
        """A resident's report through the public API (Open311): no account, the system."""
        extra = self.caller()
        if self.rng.random() < 0.3:
            extra["reporter_email"] = f"resident{self.rng.randrange(1000, 9999)}@example.com"
        photo = self.rng.random() < 0.6
        case = self.report(now, street, None, Case.Source.PUBLIC, photo=photo, **extra)
        self.schedule(self.later(now, self.rng.uniform(0.3, 3)), self.triage, case)

    def hotline(self, now: datetime.datetime, street: Street, accept_now: bool) -> None:
        """A 12345 hotline work order, registered by a street officer."""
        officer = self.rng.choice(street.officers)
        case = self.report(
            now, street, officer, Case.Source.HOTLINE, prefix="12345:", photo=False, **self.caller()
        )
        if accept_now:
            self.schedule(now + datetime.timedelta(minutes=3), self.accept, case)
        else:
            self.schedule(self.later(now, self.rng.uniform(0.1, 1)), self.triage, case)

    def grid_report(self, now: datetime.datetime, street: Street, user: User, grid: Area) -> None:
        case = self.report(now, street, user, Case.Source.GRID_WORKER, within=grid)
        self.schedule(self.later(now, self.rng.uniform(0.3, 2.5)), self.triage, case)

    def referral(self, now: datetime.datetime, street: Street) -> None:
        """A case handed down from the district's operations centre (区城运中心)."""
        case = self.report(
            now, street, street.referrer, Case.Source.REFERRAL, prefix="区级转办:", photo=False
        )
        self.schedule(self.later(now, self.rng.uniform(0.2, 1)), self.accept, case)

    def finale(self, last_day: datetime.date) -> None:
        """The evening before the build: a resident's report nobody has read yet, and a
        hotline order accepted but not yet dispatched, in each street."""
        for street in self.world.streets:
            self.schedule(
                self.moment(last_day, 19, self.rng.randint(0, 40)), self.hotline, street, True
            )
            self.schedule(
                self.moment(last_day, 21, self.rng.randint(0, 50)), self.public_report, street
            )

    # --- the office ----------------------------------------------------------------------------

    def officer(self, case: Case) -> User:
        return self.rng.choice(self.track[case.pk].street.officers)

    def triage(self, now: datetime.datetime, case: Case) -> None:
        if self.decks["triage"].draw() == "reject":
            note = self.rng.choice(data.REJECT_NOTES)
            actions.transition(self.officer(case), case, "reject", note=note, at=now)
            return
        self.accept(now, case)

    def accept(self, now: datetime.datetime, case: Case) -> None:
        case = actions.transition(self.officer(case), case, "accept", at=now)
        self.accepted(now, case)

    def accepted(self, now: datetime.datetime, case: Case) -> None:
        self.schedule(self.later(now, self.rng.uniform(0.2, 1.5)), self.dispatch, case)

    def dispatch(self, now: datetime.datetime, case: Case) -> None:
        unit = case.unit or self.unit_for(case)
        case = actions.transition(self.officer(case), case, "dispatch", unit=unit, at=now)
        self.dispatched(now, case)

    def unit_for(self, case: Case) -> Unit:
        """The unit a case without a point goes to, by its category and place."""
        street = self.track[case.pk].street
        key = data.DISPATCH_TO[self.categories[case.category_id].code]
        if key == "property":
            name = data.PROPERTY_BY_COMMUNITY.get(
                street.community_short(street.areas[case.area_path])
            )
            if name in street.units:
                return street.units[name]  # type: ignore[index]
            key = "back-street"
        return street.units[self.rng.choice(data.RESPONSIBLE[street.key][key])]

    def dispatched(self, now: datetime.datetime, case: Case) -> None:
        """Decide how the unit handles it: in time, late, much later, or asks to defer."""
        track = self.track[case.pk]
        fate = self.decks["rectify"].draw()
        if fate == "defer" and track.deferred:
            fate = "on_time"
        assert case.deadline is not None
        if fate == "defer":
            self.schedule(self.later(now, self.rng.uniform(1, 6)), self.defer, case)
            return
        if fate == "late":
            when = self.later(case.deadline, self.rng.uniform(1, 12))
        elif fate == "slow":
            when = self.later(case.deadline, self.rng.uniform(16, 60))
        else:
            category: CaseCategory = self.categories[case.category_id]
            share = self.rng.uniform(0.15, 0.9)
            if category.in_working_time:
                hours = category.time_limit * (
                    float(worktime.hours_per_day())
                    if category.time_unit == CaseCategory.TimeUnit.DAYS
                    else 1
                )
                when = self.later(now, hours * share)
            else:
                when = now + (case.deadline - now) * share
        self.schedule(when, self.rectify, case)

    # --- the unit and the inspector -------------------------------------------------------------

    def rectify(self, now: datetime.datetime, case: Case) -> None:
        """The unit's staff (or, for a unit not in Juli, the street office on its behalf)
        photographs the rectified place and reports it done."""
        track = self.track[case.pk]
        users = self.world.unit_users.get(case.unit_id or 0) or track.street.officers
        actor = self.rng.choice(users)
        lat, lng = (case.lat, case.lng)
        taken = now - datetime.timedelta(minutes=self.rng.randint(2, 20))
        upload = demo_photo(self.rng, before=False, taken_at=taken, lat=lat, lng=lng)
        note = self.rng.choice(data.RECTIFY_NOTES)
        case = actions.rectify_case(actor, case, note=note, photos=[upload], at=now)
        if self.decks["verify_when"].draw() == "same_day":
            when = self.later(now, self.rng.uniform(0.5, 3))
        else:
            when = self.next_morning(now)
        self.schedule(when, self.verify, case)

    def verify(self, now: datetime.datetime, case: Case) -> None:
        track = self.track[case.pk]
        inspectors = [u for u in track.street.inspectors if u.pk != case.rectified_by_id]
        inspector = self.rng.choice(inspectors)
        if self.decks["verify"].draw() == "send_back" and track.send_backs < 2:
            note = self.rng.choice(data.SEND_BACK_NOTES)
            case = actions.transition(inspector, case, "send_back", note=note, at=now)
            track.send_backs += 1
            self.schedule(self.later(now, self.rng.uniform(2, 10)), self.rectify, case)
            return
        case = actions.transition(inspector, case, "verify", note="现场复核通过", at=now)
        if self.decks["close_when"].draw() == "same_day":
            when = self.later(now, self.rng.uniform(0.3, 2))
        else:
            when = self.next_morning(now)
        self.schedule(when, self.close, case)

    def close(self, now: datetime.datetime, case: Case) -> None:
        track = self.track[case.pk]
        case = actions.transition(self.officer(case), case, "close", at=now)
        if track.item_key:
            self.open_items.discard(track.item_key)
        if self.decks["reopen"].draw() == "reopen":
            days = self.rng.randint(2, 10)
            self.schedule(self.later(now, days * 8 + self.rng.uniform(0, 6)), self.reopen, case)

    def reopen(self, now: datetime.datetime, case: Case) -> None:
        note = self.rng.choice(data.REOPEN_NOTES)
        case = actions.transition(self.officer(case), case, "reopen", note=note, at=now)
        track = self.track[case.pk]
        track.send_backs = 0
        if track.item_key:
            self.open_items.add(track.item_key)
        self.accepted(now, case)

    def defer(self, now: datetime.datetime, case: Case) -> None:
        """挂账: the unit (or, for a unit not in Juli, the inspector) asks; an officer approves."""
        track = self.track[case.pk]
        requesters = self.world.unit_users.get(case.unit_id or 0) or track.street.inspectors
        note = self.rng.choice(data.DEFER_NOTES)
        case = actions.transition(
            self.officer(case),
            case,
            "defer",
            requested_by=self.rng.choice(requesters),
            note=note,
            at=now,
        )
        track.deferred = True
        if self.decks["resume"].draw() == "resume":
            days = self.rng.randint(5, 15)
            self.schedule(self.later(now, days * 8), self.resume, case)

    def resume(self, now: datetime.datetime, case: Case) -> None:
        case = actions.transition(
            self.officer(case), case, "resume", note="条件具备,恢复办理", at=now
        )
        self.dispatched(now, case)

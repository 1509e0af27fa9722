"""The case loop on the work-bench (`juli/cases/todos.py`): who has which to-do, the
countdown in working time, and the page's query count whatever the number of cases."""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from juli.cases import actions, todos, worktime
from juli.cases.inspections import plan_day, submit_inspection
from juli.cases.models import CalendarDay, Case
from juli.core import todos as registry
from juli.orgs.auth import UsernameOrPhoneBackend

from .conftest import new_case, photo, put

SH = ZoneInfo("Asia/Shanghai")


def loaded(user: Any) -> Any:
    """A fresh user as a request loads it (its scope computed anew)."""
    return UsernameOrPhoneBackend().get_user(user.pk)


def bench(user: Any) -> dict[str, int]:
    """{kind key: count} of the kinds with something in them, as the work-bench shows them."""
    return {k.key: k.count for g in registry.for_user(loaded(user)) for k in g.kinds}


def items(user: Any, key: str) -> list[registry.Todo]:
    kind = registry.kind_for(loaded(user), key)
    assert kind is not None
    return list(kind.items(loaded(user), 50, 0))


# --- Working time ------------------------------------------------------------------------------


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=SH)  # 2 March 2026: a Monday


@pytest.mark.django_db
def test_it_counts_working_time_between_two_moments() -> None:
    cal = worktime.Calendar()
    assert worktime.working_seconds(at(2, 10), at(3, 13), cal) == 10 * 3600  # 2+5 on Mon, 3 Tue
    assert worktime.working_seconds(at(6, 17), at(9, 10), cal) == 2 * 3600  # over the weekend
    assert worktime.working_seconds(at(3, 13), at(2, 10), cal) == 0
    CalendarDay.objects.create(date=datetime.date(2026, 3, 9), kind=CalendarDay.Kind.HOLIDAY)
    assert worktime.working_seconds(at(6, 17), at(10, 10), worktime.Calendar()) == 2 * 3600
    assert worktime.working_hours_before(at(3, 13), 8, cal) == at(2, 13)
    assert worktime.working_hours_before(at(9, 10), 2, cal) == at(6, 17)


@pytest.mark.django_db
def test_it_tells_the_time_left_and_the_time_overdue_in_working_time() -> None:
    cal = worktime.Calendar()
    assert todos.countdown(at(3, 13), at(2, 10), cal) == ("1 working day 2 hours left", False)
    assert todos.countdown(at(2, 11), at(2, 10), cal) == ("1 hour left", False)
    assert todos.countdown(at(2, 10, 20), at(2, 10), cal) == ("20 minutes left", False)
    assert todos.countdown(at(2, 10), at(2, 12, 30), cal) == ("2 hours overdue", True)
    assert todos.countdown(at(2, 10), at(4, 10), cal) == ("2 working days overdue", True)
    assert todos.countdown(None, at(2, 10), cal) == ("", False)


def test_it_says_the_countdown_in_chinese(world: Any) -> None:
    from django.utils import translation

    with translation.override("zh-hans"):
        text, late = todos.countdown(at(3, 13), at(2, 10), worktime.Calendar())
        assert (text, late) == ("剩 1 个工作日 2 小时", False)
        assert todos.countdown(at(2, 10), at(2, 12, 30), worktime.Calendar())[0] == "逾期 2 小时"


# --- Who has what ----------------------------------------------------------------------------


def test_it_walks_a_case_across_the_benches(world: Any) -> None:
    c = world.c
    case = new_case(world, title="楼道堆物")
    assert bench(c.street_officer) == {"cases.accept": 1}
    [todo] = items(c.street_officer, "cases.accept")
    assert (todo.title, todo.url) == ("楼道堆物", reverse("case-detail", args=[case.pk]))
    assert todo.since == case.reported_at and not todo.overdue
    for other in (c.grid_worker, c.inspector, c.unit_staff, c.branch_secretary, c.outsider):
        assert bench(other) == {}, other
    assert bench(c.district_admin) == {}  # a fresh report is the street's, not the district's

    case = actions.accept_case(c.street_officer, case)
    assert bench(c.street_officer) == {"cases.dispatch": 1}
    case = actions.dispatch_case(c.street_officer, case, unit=c.property_co)
    assert bench(c.street_officer) == {}
    assert bench(c.unit_staff) == {"cases.rectify": 1}
    [todo] = items(c.unit_staff, "cases.rectify")
    assert todo.url == reverse("field-case", args=[case.pk])  # a field role: the phone page
    assert todo.due == case.deadline and todo.countdown.endswith(("left", "overdue"))

    case = actions.rectify_case(c.unit_staff, case, photos=[photo()])
    assert bench(c.unit_staff) == {}
    assert bench(c.inspector) == {"cases.verify": 1}
    assert bench(c.street_officer) == {"cases.verify": 1}
    assert items(c.inspector, "cases.verify")[0].url == reverse("field-case", args=[case.pk])
    assert items(c.street_officer, "cases.verify")[0].url == reverse("case-detail", args=[case.pk])

    case = actions.verify_case(c.inspector, case)
    assert bench(c.inspector) == {}
    assert bench(c.street_officer) == {"cases.close": 1}
    actions.close_case(c.street_officer, case)
    assert bench(c.street_officer) == {}


def test_it_keeps_each_bench_inside_its_scope(world: Any) -> None:
    c = world.c
    new_case(world, area=c.huaihai, actor=c.district_admin, title="淮海的案件")
    assert bench(c.street_officer) == {}
    theirs = put(new_case(world, area=c.huaihai, actor=c.district_admin), "dispatched", world)
    Case.objects.filter(pk=theirs.pk).update(unit=None)
    assert bench(c.unit_staff) == {}  # not their unit
    # A case the officer rectified on the unit's behalf is verified by someone else.
    mine = put(new_case(world), "dispatched", world)
    actions.rectify_case(c.street_officer, mine, photos=[photo()])
    assert bench(c.street_officer) == {}
    assert bench(c.inspector) == {"cases.verify": 1}
    # The fragment of a kind the user cannot have answers 404, as an id outside scope.
    from django.test import Client

    client = Client()
    client.force_login(c.grid_worker)
    assert client.get(reverse("workbench-kind", args=["cases.accept"])).status_code == 404


def test_it_shows_the_district_its_overdue_and_waiting_cases(world: Any) -> None:
    c = world.c
    late = put(new_case(world, title="逾期的案件"), "dispatched", world)
    Case.objects.filter(pk=late.pk).update(deadline=timezone.now() - datetime.timedelta(days=3))
    assert bench(c.district_admin) == {}  # overdue, not yet escalated
    actions.escalate_overdue()
    old = new_case(world, title="久未受理")
    Case.objects.filter(pk=old.pk).update(reported_at=timezone.now() - datetime.timedelta(days=5))
    new_case(world, title="刚上报")
    assert bench(c.district_admin) == {"cases.supervise": 1, "cases.waiting": 1}
    [todo] = items(c.district_admin, "cases.supervise")
    assert (todo.title, todo.overdue) == ("逾期的案件", True)
    assert todo.countdown.endswith("overdue")
    assert [t.title for t in items(c.district_admin, "cases.waiting")] == ["久未受理"]
    assert bench(c.unit_staff) == {"cases.rectify": 1}
    assert items(c.unit_staff, "cases.rectify")[0].overdue
    actions.rectify_case(c.unit_staff, Case.objects.get(pk=late.pk), photos=[photo()])
    assert bench(c.district_admin) == {"cases.waiting": 1}


def test_it_gives_the_district_the_reports_of_a_street_without_an_officer(world: Any) -> None:
    c = world.c
    new_case(world, title="打浦桥的新上报")  # Dapuqiao has its officer: not the district's yet
    orphan = actions.report_case(
        None,
        client_uuid=uuid.uuid4(),
        source=Case.Source.PUBLIC,
        category=world.facility,
        area=c.huaihai,  # no street officer in Juli
        title="淮海路井盖松动",
        reporter_name="市民",
    )
    assert bench(c.district_admin) == {"cases.waiting": 1}
    assert [t.title for t in items(c.district_admin, "cases.waiting")] == [orphan.title]
    # The officer's post ends: the street's fresh reports come to the district at once.
    c.street_officer_person.posts.update(ended_on=timezone.localdate() - datetime.timedelta(1))
    assert bench(c.district_admin) == {"cases.waiting": 2}


def test_it_puts_overdue_cases_first(world: Any) -> None:
    c = world.c
    now = timezone.now()
    for title, hours in (("later", 30), ("late", -2), ("soon", 1)):
        case = put(new_case(world, title=title), "dispatched", world)
        Case.objects.filter(pk=case.pk).update(deadline=now + datetime.timedelta(hours=hours))
    assert [t.title for t in items(c.unit_staff, "cases.rectify")] == ["late", "soon", "later"]
    [group] = registry.for_user(loaded(c.unit_staff))
    assert [t.overdue for t in group.kinds[0].items] == [True, False, False]


def test_it_lists_todays_points_not_yet_inspected(world: Any) -> None:
    c = world.c
    plan_day(timezone.localdate())
    assert bench(c.inspector) == {"cases.inspect": 3}
    todo = items(c.inspector, "cases.inspect")[0]
    assert todo.url == reverse("field-inspect", args=[world.point_a.pk])
    submit_inspection(
        c.inspector,
        client_uuid=uuid.uuid4(),
        point=world.point_a,
        results=[(world.item_clean, True, "", []), (world.item_facility, True, "", [])],
        started_at=timezone.now(),
    )
    assert bench(c.inspector) == {"cases.inspect": 2}
    assert world.point_a.name not in [t.title for t in items(c.inspector, "cases.inspect")]


# --- The page: queries pinned, whatever the number of cases ----------------------------------


def n_items(html: str) -> int:
    return len(re.findall(r'<li class="todo(?: overdue)?">', html))


def _bulk(world: Any, n: int, status: str, area: Any) -> None:
    now = timezone.now()
    Case.objects.bulk_create(
        Case(
            number=f"B{status[:3]}{i:07d}",
            client_uuid=uuid.uuid4(),
            source=Case.Source.HOTLINE,
            category=world.litter,
            area=area,
            area_path=area.path,
            title=f"批量{i}",
            status=status,
            unit=world.c.property_co if status != "reported" else None,
            reported_at=now - datetime.timedelta(days=10, minutes=i),
            dispatched_at=now if status != "reported" else None,
            deadline=now - datetime.timedelta(hours=i % 50) if status == "dispatched" else None,
            escalated_at=now if status == "dispatched" else None,
        )
        for i in range(n)
    )


#: The page's queries: session, user, scope (posts; the orgs of their areas), the bell, then
#: one COUNT per kind the role may have and one items query per kind with something in it.
#: Officer: accept (count, items), dispatch, verify, close, bulletins, channels, and the
#: test-only app's notes (installed by the test settings). District admin: supervise and
#: waiting (count, items each), the year's holidays once (`todos.calendar_of`), bulletins,
#: rankings, channels. Both, as people: the meetings of the day, minutes to confirm as a
#: presider, make-ups to do, rectification items they own (one COUNT each). Both hold a run
#: role over the street's party organisations (an area post covers the organisations attached
#: to its areas), so one COUNT each for the rating rounds (assessments to review, objections,
#: rounds to publish), the observation visits (visits to finish, overdue items) and the
#: honours (calls to nominate for, nominations to review, calls to finish).
OFFICER_QUERIES = 25
ADMIN_QUERIES = 25


def test_it_pins_the_officers_page_whatever_the_number_of_cases(
    client: Any, world: Any, django_assert_num_queries: Any
) -> None:
    c = world.c
    _bulk(world, 3, "reported", c.grid1)
    client.force_login(c.street_officer)
    with django_assert_num_queries(OFFICER_QUERIES):
        html = client.get(reverse("home")).content.decode()
    assert 'data-kind="cases.accept" data-count="3"' in html
    _bulk_more = 2000
    Case.objects.all().delete()
    _bulk(world, _bulk_more, "reported", c.grid1)
    with django_assert_num_queries(OFFICER_QUERIES):
        html = client.get(reverse("home")).content.decode()
    assert f'data-kind="cases.accept" data-count="{_bulk_more}"' in html
    assert n_items(html) == registry.DEFAULT_LIMIT


def test_it_pins_the_district_page_whatever_the_number_of_cases(
    client: Any, world: Any, django_assert_num_queries: Any
) -> None:
    c = world.c
    _bulk(world, 3, "dispatched", c.grid1)
    _bulk(world, 3, "reported", c.grid2)
    client.force_login(c.district_admin)
    with django_assert_num_queries(ADMIN_QUERIES):
        html = client.get(reverse("home")).content.decode()
    assert 'data-kind="cases.supervise" data-count="3"' in html
    Case.objects.all().delete()
    _bulk(world, 1000, "dispatched", c.grid1)
    _bulk(world, 1000, "reported", c.grid2)
    with django_assert_num_queries(ADMIN_QUERIES):
        html = client.get(reverse("home")).content.decode()
    assert 'data-kind="cases.supervise" data-count="1000"' in html
    assert 'data-kind="cases.waiting" data-count="1000"' in html


def test_it_pages_a_kind_with_htmx_and_without(client: Any, world: Any) -> None:
    c = world.c
    _bulk(world, 12, "reported", c.grid1)
    client.force_login(c.street_officer)
    url = reverse("workbench-kind", args=["cases.accept"])
    fragment = client.get(url, {"page": 2}, HTTP_HX_REQUEST="true").content.decode()
    assert n_items(fragment) == 5
    assert f'hx-get="{url}?page=3"' in fragment
    last = client.get(url, {"page": 3}, HTTP_HX_REQUEST="true").content.decode()
    assert n_items(last) == 2 and "page=4" not in last
    page = client.get(url, {"page": 3}).content.decode()
    assert "<html" in page and f'href="{url}?page=2"' in page
    for bad in ("0", "x", "-1", "999999"):
        assert client.get(url, {"page": bad}).status_code == 404

"""The compliance pages and their Excel: who sees what (a branch secretary their branch, the
bureau its subtree, a plain member and an outsider nothing), the workbook read back, the
rules page's rights and bad input, the query count whatever the number of branches."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from juli.core.models import AuditLog
from juli.meetings.models import Attendee, ComplianceRule, Meeting
from juli.orgs import actions as org_actions
from juli.orgs.models import PartyOrg

from .conftest import at, make_meeting

PAGE = reverse("meetings-compliance")
XLSX = reverse("meetings-compliance-xlsx")
RULES = reverse("meetings-compliance-rules")


def held(org: PartyOrg, kind: str, day: datetime.date) -> Meeting:
    m = make_meeting(org, kind, starts_at=at(day, 9), with_members=False, announce=False)
    Meeting.objects.filter(pk=m.pk).update(status="confirmed")
    return m


@pytest.fixture
def world(mw: Any) -> Any:
    c = mw.c
    PartyOrg.objects.filter(path__startswith=c.putuo.path).update(
        founded_on=datetime.date(2000, 7, 1)
    )
    today = timezone.localdate()
    first = today.replace(day=1)
    m = held(c.branch1, "branch_committee", first)
    for status in ("present", "late", "absent", "leave"):
        Attendee.objects.create(meeting=m, name="x", source="member", status=status)
    held(c.branch2, "theme_day", first)
    return mw


def get(client: Any, user: Any, url: str, **params: Any) -> Any:
    if user is not None:
        client.force_login(user)
    return client.get(url, params)


@pytest.mark.parametrize("url", [PAGE, XLSX, RULES])
@pytest.mark.parametrize("who", ["outsider", "member", "sibling_member"])
def test_it_shows_nothing_to_members_and_outsiders(client, world, url, who):
    user = getattr(world.c, who, None) or getattr(world, who)
    assert get(client, user, url).status_code == 404


@pytest.mark.parametrize("url", [PAGE, XLSX, RULES])
def test_it_sends_the_anonymous_to_sign_in(client, world, url):
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_branch_secretary_sees_their_branch(client, world):
    c = world.c
    response = get(client, c.branch_secretary, PAGE)
    assert response.status_code == 200
    body = response.content.decode()
    assert "第一党支部" in body and "第二党支部" not in body
    assert f"{reverse('meetings-new')}?org={c.branch1.pk}&amp;kind=theme_day" in body
    assert get(client, c.branch_secretary, PAGE, org=c.branch2.pk).status_code == 404
    assert get(client, c.branch_secretary, RULES).status_code == 404


def test_the_bureau_sees_its_subtree_and_chart(client, world):
    response = get(client, world.c.bureau_secretary, PAGE, period="month")
    body = response.content.decode()
    assert response.status_code == 200
    assert "第一党支部" in body and "第二党支部" in body
    assert 'id="mc-chart-data"' in body and "meetings_compliance.js" in body
    t = response.context["table"]
    b1 = next(r for r in t.rows if r.org.name == "第一党支部")
    assert (b1.cells["branch_committee"].held, b1.cells["branch_committee"].required) == (1, 1)
    assert (b1.attended, b1.counted, b1.rate) == (2, 4, 50.0)


def test_the_workbook_reads_back(client, world):
    c = world.c
    response = get(client, c.bureau_secretary, XLSX, period="month", org=c.putuo.pk)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    ws = load_workbook(io.BytesIO(response.content))["Compliance"]
    rows = list(ws.iter_rows(values_only=True))
    assert "普陀区绿化和市容管理局党组" in rows[0][0]
    header = list(rows[1])
    by_org = {r[0]: dict(zip(header, r, strict=False)) for r in rows[2:]}
    assert set(by_org) == {"第一党支部", "第二党支部"}
    b1, b2 = by_org["第一党支部"], by_org["第二党支部"]
    assert (b1["Branch committee meeting · Held"], b1["Branch committee meeting · Required"]) == (
        1,
        1,
    )
    assert b1["Branch committee meeting · State"] == "Done"
    assert (b1["Attended"], b1["Expected"], b1["Attendance rate (%)"]) == (2, 4, 50)
    assert b2["Theme party day · Held"] == 1
    assert b2["Branch committee meeting · Held"] == 0


def test_the_page_costs_the_same_for_many_branches(client, world):
    c = world.c
    client.force_login(c.bureau_secretary)
    client.get(PAGE)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(PAGE).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(3, 33):
        org_actions.create_org(
            None,
            c.putuo,
            name=f"第{n}党支部",
            kind="branch",
            code=f"PT-Y{n}",
            founded_on=datetime.date(2001, 1, 1),
        )
    assert count() == few


def test_the_rules_page_sets_a_rule_from_above(client, world):
    c = world.c
    client.force_login(c.bureau_secretary)
    assert client.get(RULES).status_code == 200
    year = timezone.localdate().year
    data = {
        "year": year,
        "org": c.putuo.pk,
        "org_kind": "branch",
        "meeting_kind": "theme_day",
        "period": "quarter",
        "times": 2,
        "is_active": "1",
    }
    assert client.post(RULES, data).status_code == 302
    rule = ComplianceRule.objects.get()
    assert (rule.org_id, rule.period, rule.times, rule.org_path) == (
        c.putuo.pk,
        "quarter",
        2,
        c.putuo.path,
    )
    assert AuditLog.objects.filter(verb="meeting_rule.create", object_id=str(rule.pk)).exists()
    # the district's rows are the district administrator's
    assert client.post(RULES, {**data, "org": ""}).status_code == 403
    assert ComplianceRule.objects.count() == 1


def test_the_rules_page_refuses_bad_input_and_writes_nothing(client, world):
    c = world.c
    client.force_login(c.bureau_secretary)
    base = {"year": 2026, "org": c.putuo.pk, "org_kind": "branch", "meeting_kind": "theme_day"}
    for bad in ({"period": "week", "times": 1}, {"period": "month", "times": 0}):
        assert client.post(RULES, {**base, **bad}).status_code == 400
    assert client.post(RULES, {**base, "org": c.branch1.pk, "period": "month"}).status_code == 404
    assert ComplianceRule.objects.count() == 0


def test_a_branch_never_relaxes_its_own_rules(world):
    from django.core.exceptions import PermissionDenied

    from juli.meetings.actions import rules

    with pytest.raises(PermissionDenied):
        rules.save_rule(
            world.c.branch_secretary,
            2026,
            org=world.c.branch1,
            org_kind="branch",
            meeting_kind="theme_day",
            period="year",
        )
    assert rules.can_set_rules(world.c.bureau_secretary, world.c.branch1)
    assert not rules.can_set_rules(world.c.bureau_secretary, None)
    assert rules.can_set_rules(world.c.district_admin, None)


def test_copying_the_defaults_is_idempotent(world):
    from juli.meetings.actions import rules
    from juli.meetings.compliance import DEFAULT_RULES

    assert rules.copy_defaults(world.c.district_admin, 2026) == len(DEFAULT_RULES)
    assert rules.copy_defaults(world.c.district_admin, 2026) == 0
    assert rules.copy_defaults(world.c.district_admin, 2027) == len(DEFAULT_RULES)


def test_the_menu_entry_shows_exactly_to_those_the_page_opens_for(client, world):
    from juli.core.menu import menu_for

    c = world.c

    def keys(user: Any) -> set[str]:
        found = set()
        for item in menu_for(user):
            found |= {e.key for e in item.entries}
            if item.entry is not None:
                found.add(item.entry.key)
        return found

    for user in (c.branch_secretary, c.bureau_secretary, c.district_admin):
        assert "meetings-compliance" in keys(user)
        assert get(client, user, PAGE).status_code == 200
    for user in (world.member, c.outsider):
        assert "meetings-compliance" not in keys(user)


def test_the_workbench_renders_for_a_secretary(client, world):
    assert get(client, world.c.branch_secretary, "/").status_code == 200

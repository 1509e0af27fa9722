"""A day's work for every role, in a browser (issue 14, how it is judged).

One fixture, the same for every test (`day`): a street's cases at every step of the loop,
today's inspection plan and two issued responsibility letters. Each role signs in (office
roles at a desk, 1280 × 800; field roles on a phone, 390 × 844), finds on the work-bench
(`/`) exactly the kinds of to-do the fixture gives it, with their counts, and acts on one
through the pages a user would use (the office case page, the phone pages and their outbox,
the signature pad). Then its bench is read again (the item is gone, the count one less),
the next person's bench is read in a second browser (the new to-do, the count one more) and
the bell rows written by the step are counted: one for each next person, none for the actor.

The expected counts are literal numbers (`BENCH`), worked out from the fixture by hand, never
read from the providers' querysets:

| login            | kind              | n | which cases or letters of the fixture               |
|------------------|-------------------|---|-----------------------------------------------------|
| district_admin   | cases.supervise   | 1 | 已督办 (dispatched, past its deadline, escalated)    |
|                  | cases.waiting     | 2 | 久未受理 (ten days old); 淮海路井盖松动 (no officer)  |
| street_officer   | cases.accept      | 4 | 待受理1-3 and 久未受理 (not the 淮海中路 report)      |
|                  | cases.dispatch    | 1 | 待派遣                                              |
|                  | cases.verify      | 2 | 待核查1-2 (rectified by the unit)                    |
|                  | cases.close       | 1 | 待结案                                              |
| inspector        | cases.inspect     | 3 | today's plan: 菜场A, 菜场B, 菜场C                    |
|                  | cases.verify      | 2 | 待核查1-2                                           |
| unit_staff       | cases.rectify     | 3 | 待整改1-2 and 已督办                                 |
| grid_worker      | (none)            |   | a reporter: nothing waits for them                  |
| branch_secretary | letters.sign      | 1 | branch 1's letter, receiving side                   |
| bureau_secretary | letters.sign      | 2 | both branches' letters, issuing side                |

Letters: the issuing secretary's to-do exists from the moment a letter is issued (either side
may sign first), so when the branch secretary signs first, the bureau secretary is told
("your signature is awaited") and the letter stays on their bench: its count does not grow.

The 淮海中路 public report: that street has no officer in the fixture, so its district admin
is told to accept it (`handover.acceptors`) and finds it at once among the reports nobody
has accepted (`cases.waiting`), beside those that waited more than a working day.
"""

from __future__ import annotations

import datetime
import uuid
from collections import Counter
from types import SimpleNamespace
from typing import Any

import pytest
from django.db.models import Max
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from juli.cases import actions, inspections
from juli.cases.models import Case
from juli.cases.tests.conftest import new_case, photo
from juli.core.tests.browser import DESK, PHONE, WAIT_MS, draw_signature, jpeg
from juli.core.tests.browser import sign_in as browser_sign_in
from juli.letters.models import Letter, Signature, Status
from juli.letters.tests.conftest import make_letters
from juli.notify.models import Notification

#: What each login finds on its bench in the `day` fixture (see the table above).
BENCH: dict[str, dict[str, int]] = {
    "district_admin": {
        "cases.supervise": 1,  # 已督办
        "cases.waiting": 2,  # 久未受理; 淮海路井盖松动 (a street with no officer in Juli)
    },
    "street_officer": {
        "cases.accept": 4,  # 待受理1, 待受理2, 待受理3, 久未受理
        "cases.dispatch": 1,  # 待派遣
        "cases.verify": 2,  # 待核查1, 待核查2
        "cases.close": 1,  # 待结案
    },
    "inspector": {
        "cases.inspect": 3,  # 菜场A, 菜场B, 菜场C
        "cases.verify": 2,  # 待核查1, 待核查2
    },
    "unit_staff": {
        "cases.rectify": 3,  # 待整改1, 待整改2, 已督办
    },
    "grid_worker": {},  # nothing waits for a reporter
    "branch_secretary": {
        "letters.sign": 1,  # branch 1's letter (receiving side)
    },
    "bureau_secretary": {
        "letters.sign": 2,  # branch 1's and branch 2's letters (issuing side)
    },
}


# --- The fixture ------------------------------------------------------------------------------


@pytest.fixture
def day(world: Any) -> SimpleNamespace:
    """The cases world (juli/cases/tests/conftest.py) at every step of the loop, today's
    inspection plan and the letters of the Putuo party group's two branches, issued."""
    c = world.c
    d = SimpleNamespace(w=world, c=c)
    at_a = {"point": world.point_a}  # its responsible unit: the property company

    def dispatched(title: str) -> Case:
        return actions.accept_and_dispatch(c.street_officer, new_case(world, title=title, **at_a))

    def rectified(title: str) -> Case:
        return actions.rectify_case(c.unit_staff, dispatched(title), photos=[photo((0, 200, 0))])

    # Reported by the grid worker, waiting to be accepted by the street.
    d.reported = [new_case(world, title=f"待受理{i}", **at_a) for i in (1, 2, 3)]
    # Reported ten days ago: more than a working day (督办 of the district admin).
    d.waiting = new_case(
        world,
        title="久未受理",
        at=timezone.now() - datetime.timedelta(days=10),
        **at_a,
    )
    # A public report in another street: the district's, not Dapuqiao's officer's; fresh.
    d.elsewhere = actions.report_case(
        None,
        client_uuid=uuid.uuid4(),
        source=Case.Source.PUBLIC,
        category=world.facility,
        area=c.huaihai,
        title="淮海路井盖松动",
        reporter_name="市民",
    )
    d.accepted = actions.accept_case(c.street_officer, new_case(world, title="待派遣", **at_a))
    d.dispatched = [dispatched(f"待整改{i}") for i in (1, 2)]
    d.overdue = dispatched("已督办")
    Case.objects.filter(pk=d.overdue.pk).update(
        deadline=timezone.now() - datetime.timedelta(hours=3)
    )
    assert [case.pk for case in actions.escalate_overdue()] == [d.overdue.pk]
    d.rectified = [rectified(f"待核查{i}") for i in (1, 2)]
    d.verified = actions.verify_case(c.inspector, rectified("待结案"))
    # Today's plan: the three market points of Dapuqiao, all to its one inspector.
    plan = inspections.plan_day(timezone.localdate())
    assert sorted(a.point.name for a in plan.created) == ["菜场A", "菜场B", "菜场C"]
    # Responsibility letters for branch 1 and branch 2, issued, nobody signed yet.
    letters = make_letters(c)
    d.letter, d.sibling_letter = letters.letter, letters.sibling_letter
    return d


# --- Helpers ----------------------------------------------------------------------------------


def sign_in(browser: Browser, base: str, login: str, device: dict[str, Any]) -> Page:
    return browser_sign_in(browser.new_context(locale="zh-CN", **device), base, login)


def bench(page: Page, base: str) -> dict[str, int]:
    """The kinds on the user's work-bench and their counts, as the page shows them."""
    if page.url != f"{base}/":
        page.goto(f"{base}/")
    else:
        page.reload()
    shown: dict[str, int] = {}
    cards = page.locator("article.todo-kind[data-kind]")
    for n in range(cards.count()):
        card = cards.nth(n)
        key = card.get_attribute("data-kind") or ""
        count = int(card.locator(".todo-count").inner_text())
        assert card.get_attribute("data-count") == str(count), key
        # Every count up to five is listed in full (more behind "More").
        expect(card.locator("li.todo")).to_have_count(min(count, 5))
        shown[key] = count
    if not shown:
        expect(page.locator(".workbench-empty")).to_be_visible()
    return shown


def bench_of(browser: Browser, base: str, login: str, device: dict[str, Any]) -> dict[str, int]:
    """Another person's bench, read in a browser of their own."""
    page = sign_in(browser, base, login, device)
    try:
        return bench(page, base)
    finally:
        page.context.close()


def item(page: Page, kind: str, href: str) -> Any:
    return page.locator(f"article.todo-kind[data-kind='{kind}'] li.todo a[href='{href}']")


def last_notice() -> int:
    return Notification.objects.aggregate(last=Max("pk"))["last"] or 0


def notices_since(last: int) -> Counter[tuple[str, str]]:
    """The bell rows written after `last`, as (recipient, kind) → how many."""
    rows = Notification.objects.filter(pk__gt=last).values_list("recipient__username", "kind")
    return Counter(rows)


def changed(before: dict[str, int], **delta: int) -> dict[str, int]:
    """`before` with counts moved by `delta` (keys with dots spelt with "__"); kinds that
    reach 0 leave the bench."""
    after = dict(before)
    for key, step in delta.items():
        kind = key.replace("__", ".")
        after[kind] = after.get(kind, 0) + step
    return {k: v for k, v in after.items() if v}


def close(page: Page) -> None:
    page.context.close()


def send_on_phone(page: Page, form: str) -> None:
    """Submit a phone form through the outbox and wait until the server took it."""
    page.locator(f"{form} button[type=submit]").click()
    expect(page.locator("#form-done")).to_have_attribute("data-state", "sent", timeout=WAIT_MS)
    expect(page.locator("#outbox-status")).to_have_attribute("data-count", "0")


def accept_and_dispatch_on_page(page: Page) -> None:
    """立案并派遣 on the office case page: the step opens first, the unit is the point's."""
    step = page.locator("details.case-action[data-action='accept_dispatch']")
    expect(step).to_have_attribute("open", "")
    step.locator("button[type=submit]").click()
    expect(page.locator("details.case-action[data-action='accept_dispatch']")).to_have_count(0)


# --- One test per role ------------------------------------------------------------------------


@pytest.mark.browser
def test_the_street_officer_accepts_and_dispatches_and_the_unit_is_told(
    browser: Browser, live_server: Any, transactional_db: None, day: Any
) -> None:
    base, case = live_server.url, day.reported[1]
    page = sign_in(browser, base, "street_officer", DESK)
    assert bench(page, base) == BENCH["street_officer"]
    assert bench_of(browser, base, "unit_staff", PHONE) == BENCH["unit_staff"]
    last = last_notice()

    item(page, "cases.accept", f"/cases/{case.pk}/").click()
    page.wait_for_url(f"{base}/cases/{case.pk}/")
    accept_and_dispatch_on_page(page)
    assert Case.objects.get(pk=case.pk).status == Case.Status.DISPATCHED

    assert bench(page, base) == changed(BENCH["street_officer"], cases__accept=-1)  # 4 → 3
    expect(item(page, "cases.accept", f"/cases/{case.pk}/")).to_have_count(0)
    close(page)
    unit = sign_in(browser, base, "unit_staff", PHONE)
    assert bench(unit, base) == changed(BENCH["unit_staff"], cases__rectify=+1)  # 3 → 4
    expect(item(unit, "cases.rectify", f"/m/cases/{case.pk}/")).to_have_count(1)
    close(unit)
    # Accepting tells nobody; the dispatch tells the unit's one member of staff.
    assert notices_since(last) == {("unit_staff", "dispatched"): 1}


@pytest.mark.browser
def test_the_district_admin_dispatches_the_long_waiting_report(
    browser: Browser, live_server: Any, transactional_db: None, day: Any
) -> None:
    base, case = live_server.url, day.waiting
    page = sign_in(browser, base, "district_admin", DESK)
    assert bench(page, base) == BENCH["district_admin"]
    expect(item(page, "cases.supervise", f"/cases/{day.overdue.pk}/")).to_have_count(1)
    last = last_notice()

    item(page, "cases.waiting", f"/cases/{case.pk}/").click()
    page.wait_for_url(f"{base}/cases/{case.pk}/")
    accept_and_dispatch_on_page(page)
    assert Case.objects.get(pk=case.pk).status == Case.Status.DISPATCHED

    # 1 → 0: the kind leaves the bench; the 督办 stays.
    assert bench(page, base) == changed(BENCH["district_admin"], cases__waiting=-1)
    close(page)
    assert bench_of(browser, base, "unit_staff", PHONE) == changed(
        BENCH["unit_staff"], cases__rectify=+1
    )  # 3 → 4
    assert notices_since(last) == {("unit_staff", "dispatched"): 1}


@pytest.mark.browser
def test_the_unit_rectifies_on_the_phone_and_the_verifiers_are_told(
    browser: Browser, live_server: Any, transactional_db: None, day: Any
) -> None:
    base, case = live_server.url, day.dispatched[0]
    page = sign_in(browser, base, "unit_staff", PHONE)
    assert bench(page, base) == BENCH["unit_staff"]
    # The overdue (escalated) case leads, in red.
    expect(page.locator("article[data-kind='cases.rectify'] li.todo").first).to_have_class(
        "todo overdue"
    )
    last = last_notice()

    item(page, "cases.rectify", f"/m/cases/{case.pk}/").click()
    page.wait_for_url(f"{base}/m/cases/{case.pk}/")
    form = page.locator("#rectify-form")
    form.locator("textarea[name=note]").fill("已清运，地面冲洗干净")
    form.locator("input[name=photos]").set_input_files(
        {"name": "after.jpg", "mimeType": "image/jpeg", "buffer": jpeg((60, 140, 60))}
    )
    expect(form.locator(".thumbs img")).to_have_count(1)
    send_on_phone(page, "#rectify-form")
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.rectified_by_id) == (Case.Status.RECTIFIED, day.c.unit_staff.pk)
    assert list(case.photos.values_list("kind", flat=True)) == ["after"]

    assert bench(page, base) == changed(BENCH["unit_staff"], cases__rectify=-1)  # 3 → 2
    expect(item(page, "cases.rectify", f"/m/cases/{case.pk}/")).to_have_count(0)
    close(page)
    inspector = sign_in(browser, base, "inspector", PHONE)
    assert bench(inspector, base) == changed(BENCH["inspector"], cases__verify=+1)  # 2 → 3
    expect(item(inspector, "cases.verify", f"/m/cases/{case.pk}/")).to_have_count(1)
    close(inspector)
    assert bench_of(browser, base, "street_officer", DESK) == changed(
        BENCH["street_officer"], cases__verify=+1
    )  # 2 → 3
    # The verifiers over the area: the street's inspector and its officer, once each.
    assert notices_since(last) == {
        ("inspector", "rectified"): 1,
        ("street_officer", "rectified"): 1,
    }


@pytest.mark.browser
def test_the_inspector_verifies_on_the_phone_and_the_officer_is_told_to_close(
    browser: Browser, live_server: Any, transactional_db: None, day: Any
) -> None:
    base, case = live_server.url, day.rectified[0]
    page = sign_in(browser, base, "inspector", PHONE)
    assert bench(page, base) == BENCH["inspector"]
    last = last_notice()

    item(page, "cases.verify", f"/m/cases/{case.pk}/").click()
    page.wait_for_url(f"{base}/m/cases/{case.pk}/")
    # The hand-over screen: who rectified, and the after-photo beside the before.
    expect(page.locator(".verify-panel")).to_contain_text("孙物业")
    page.locator("#verify-form textarea[name=note]").fill("现场复核，已整改到位")
    send_on_phone(page, "#verify-form")
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.verified_by_id) == (Case.Status.VERIFIED, day.c.inspector.pk)

    assert bench(page, base) == changed(BENCH["inspector"], cases__verify=-1)  # 2 → 1
    expect(item(page, "cases.verify", f"/m/cases/{case.pk}/")).to_have_count(0)
    close(page)
    officer = sign_in(browser, base, "street_officer", DESK)
    # To close 1 → 2; it left the officer's own verify list too (2 → 1).
    assert bench(officer, base) == changed(
        BENCH["street_officer"], cases__close=+1, cases__verify=-1
    )
    expect(item(officer, "cases.close", f"/cases/{case.pk}/")).to_have_count(1)
    close(officer)
    assert notices_since(last) == {("street_officer", "verified"): 1}


@pytest.mark.browser
def test_the_grid_worker_has_nothing_waiting_and_reports_a_case_to_the_street(
    browser: Browser, live_server: Any, transactional_db: None, day: Any
) -> None:
    base, world = live_server.url, day.w
    page = sign_in(browser, base, "grid_worker", PHONE)
    assert bench(page, base) == BENCH["grid_worker"] == {}
    expect(page.locator("article.todo-kind")).to_have_count(0)
    last = last_notice()
    before = set(Case.objects.values_list("pk", flat=True))

    page.goto(f"{base}/m/report/")
    expect(page.locator("#outbox-status")).to_have_attribute("data-count", "0")
    page.locator("[name=photos]").set_input_files(
        {"name": "problem.jpg", "mimeType": "image/jpeg", "buffer": jpeg((160, 90, 40))}
    )
    expect(page.locator(".photo-field .thumbs img")).to_have_count(1)
    page.locator("[name=category]").select_option(str(world.litter.pk))
    page.locator("[name=where]").select_option(f"point:{world.point_b.pk}")
    page.locator("[name=title]").fill("菜场B后门垃圾堆放")
    send_on_phone(page, "#report-form")
    [pk] = set(Case.objects.values_list("pk", flat=True)) - before
    case = Case.objects.get(pk=pk)
    expect(page.locator("#done-number")).to_contain_text(case.number)
    assert (case.status, case.source, case.reporter_id) == (
        Case.Status.REPORTED,
        Case.Source.GRID_WORKER,
        day.c.grid_worker.pk,
    )

    assert bench(page, base) == {}  # still nothing: reporting is not a to-do of their own
    close(page)
    officer = sign_in(browser, base, "street_officer", DESK)
    assert bench(officer, base) == changed(BENCH["street_officer"], cases__accept=+1)  # 4 → 5
    expect(item(officer, "cases.accept", f"/cases/{case.pk}/")).to_have_count(1)
    close(officer)
    # The street has an officer: they accept, and only they are told.
    assert notices_since(last) == {("street_officer", "reported"): 1}


@pytest.mark.browser
def test_the_branch_secretary_signs_and_the_bureau_secretary_is_told(
    browser: Browser, live_server: Any, transactional_db: None, day: Any
) -> None:
    base, letter = live_server.url, day.letter
    page = sign_in(browser, base, "branch_secretary", DESK)
    assert bench(page, base) == BENCH["branch_secretary"]
    assert bench_of(browser, base, "bureau_secretary", DESK) == BENCH["bureau_secretary"]
    last = last_notice()

    item(page, "letters.sign", f"/letters/{letter.pk}/sign/").click()
    page.wait_for_url(f"{base}/letters/{letter.pk}/sign/")
    draw_signature(page)
    expect(page.locator(".sigpad.has-ink")).to_have_count(1)
    page.locator("#sign-submit").click()
    page.wait_for_url(f"{base}/letters/{letter.pk}/")
    expect(page.locator(".sig-box.signed")).to_have_count(1)
    assert Letter.objects.get(pk=letter.pk).status == Status.PARTLY_SIGNED
    assert list(Signature.objects.filter(letter=letter).values_list("side", "user__username")) == [
        ("receiver", "branch_secretary")
    ]

    assert bench(page, base) == changed(BENCH["branch_secretary"], letters__sign=-1)  # 1 → 0
    close(page)
    bureau = sign_in(browser, base, "bureau_secretary", DESK)
    # Still 2: the issuing side's to-do was there from the issue; now it is told to sign.
    assert bench(bureau, base) == BENCH["bureau_secretary"]
    expect(item(bureau, "letters.sign", f"/letters/{letter.pk}/sign/")).to_have_count(1)
    close(bureau)
    assert notices_since(last) == {("bureau_secretary", "letter_signed"): 1}

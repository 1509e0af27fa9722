"""The judged walk at a phone's viewport (390 × 844): a visiting branch's secretary scores the
host with the steppers on /m/observation/visits/<id>/score/ (sent through the offline outbox,
stored once); then the host's secretary closes a rectification item with evidence, a file
uploaded on the item's page. Screenshots in /tmp/juli-shots/observation-*.png.

Drives Debian's Chromium through Playwright against the live server (marker `browser`);
selects by ids and data attributes only (the pages run in Chinese)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from juli.core.tests.browser import DESK, PHONE, WAIT_MS, sign_in
from juli.observation import actions
from juli.observation.models import Rectification, ScoreSheet

from .conftest import due_today, make_cycle, visit_of

SHOTS = Path("/tmp/juli-shots")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"observation-{name}.png"), full_page=True)


@pytest.mark.browser
def test_it_scores_on_a_phone_and_closes_an_item_with_evidence(
    browser: Browser, live_server: Any, transactional_db: None, ow: Any, tmp_path: Path
) -> None:
    base = live_server.url
    c = ow.c
    cycle = make_cycle(c.putuo, actor=c.bureau_secretary)
    visit = due_today(visit_of(cycle, c.branch1))
    actions.hold_visit(c.bureau_secretary, visit, shown="党员活动室、阅览室、文体活动室")
    item = actions.add_rectification(
        c.bureau_secretary,
        visit,
        title="规范党员教育管理台账",
        detail="补齐近两年记录并按月归档。",
        owner=c.branch_secretary_person,
        deadline=timezone.localdate() + datetime.timedelta(days=20),
    )

    phone_ctx = browser.new_context(locale="zh-CN", **PHONE)
    host_ctx = browser.new_context(locale="zh-CN", **PHONE)
    desk_ctx = browser.new_context(locale="zh-CN", **DESK)
    try:
        phone = sign_in(phone_ctx, base, "sibling_secretary")
        phone.goto(f"{base}/m/observation/")
        expect(phone.locator(f"#score-{visit.pk}")).to_be_visible()
        _shot(phone, "phone-home")
        phone.locator(f"#score-{visit.pk}").click()
        expect(phone.locator("#score-form")).to_be_visible()
        # Steppers: 18 on each aspect (tap + from empty gives 0, then 18 more taps on one,
        # typed values on the others).
        plus = phone.locator("button.step[data-for='s-listen'][data-step='1']")
        for _ in range(19):
            plus.click()
        expect(phone.locator("#s-listen")).to_have_value("18")
        for name, value in (("look", "17"), ("records", "16"), ("talk", "19"), ("evaluate", "25")):
            phone.locator(f"#s-{name}").fill(value)
        phone.locator("#score-submit").click()
        # 25 is refused at the field before anything is queued.
        expect(phone.locator("#s-evaluate")).to_have_attribute("aria-invalid", "true")
        _shot(phone, "phone-score-refused")
        assert not ScoreSheet.objects.exists()
        phone.locator("#s-evaluate").fill("18")
        expect(phone.locator("#score-total")).to_have_text("88")
        phone.locator("#s-comment").fill("阵地建设规范，台账齐全。")
        _shot(phone, "phone-score")
        phone.locator("#score-submit").click()
        phone.wait_for_url(f"{base}/m/observation/", timeout=WAIT_MS)
        expect(phone.locator("#outbox-status")).to_have_attribute("data-count", "0")
        sheet = ScoreSheet.objects.get()
        assert (sheet.total, sheet.scorer_id, sheet.visitor_org_id) == (
            88,
            c.sibling_secretary.pk,
            c.branch2.pk,
        )
        _shot(phone, "phone-home-after")

        # The host closes the item with evidence: a file uploaded on the item's page.
        host = sign_in(host_ctx, base, "branch_secretary")
        host.goto(f"{base}/observation/rectifications/{item.pk}/")
        expect(host.locator("#rect-status")).to_have_attribute("data-status", "open")
        host.locator("#id_note").fill("已补齐2025—2026年党员教育培训记录，按月归档。")
        evidence = tmp_path / "台账.pdf"
        evidence.write_bytes(PDF)
        host.locator("#close-files").set_input_files(str(evidence))
        _shot(host, "phone-rectification")
        host.locator("#close-submit").click()
        expect(host.locator("#rect-status")).to_have_attribute("data-status", "closed")
        expect(host.locator("#evidence-files")).to_contain_text("台账.pdf")
        _shot(host, "phone-rectification-closed")
        item = Rectification.objects.get(pk=item.pk)
        assert item.status == "closed" and item.files.count() == 1

        # The organiser's desk views.
        desk = sign_in(desk_ctx, base, "bureau_secretary")
        actions.finish_scoring(c.bureau_secretary, visit)
        desk.goto(f"{base}/observation/visits/{visit.pk}/")
        expect(desk.locator("#visit-tier")).to_be_visible()
        _shot(desk, "desk-visit")
        desk.goto(f"{base}/observation/cycles/{cycle.pk}/")
        expect(desk.locator(f"#visit-{visit.pk}")).to_be_visible()
        _shot(desk, "desk-cycle")
        desk.goto(f"{base}/observation/cycles/{cycle.pk}/progress/")
        expect(desk.locator("#fig-mean")).to_have_text("88.00")
        _shot(desk, "desk-progress")
        desk.goto(f"{base}/observation/")
        _shot(desk, "desk-cycles")
    finally:
        phone_ctx.close()
        host_ctx.close()
        desk_ctx.close()

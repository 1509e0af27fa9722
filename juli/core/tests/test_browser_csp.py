"""Juli's pages in Chromium under the Content-Security-Policy.

The tour walks the demo world's main pages at desk and at phone size as the demo users who
use them (office, district, party secretaries, the inspector and the unit's staff on their
phones, an anonymous visitor), works the things that run script (charts and their tooltips,
the maps, an htmx swap, the signing pad, the language switch and a confirmation, which
lost their inline handlers), and expects no violation at all: the `csp_watch` fixture of
the root conftest.py fails any browser test on a violation event, a console line about the
policy or a report reaching /csp-report/. The second test proves that watch and the report
collector see a real violation: an inline script slipped into a real Juli page, as an XSS
would, is refused, seen by the page's listener and reported to Juli.

Screenshots: test-output/screenshots/csp-*.png.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, Route, expect

from conftest import CspWatch
from juli.bulletins.models import Bulletin
from juli.cases import actions as cases
from juli.cases.access import visible_cases
from juli.letters import actions as letters
from juli.letters.models import Letter, LetterTemplate
from juli.orgs.models import Post, User

SIZES: dict[str, dict[str, Any]] = {
    "desk": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}


def _sign_in(browser: Browser, base: str, username: str | None, size: str) -> Page:
    context: BrowserContext = browser.new_context(locale="zh-CN", **SIZES[size])
    page = context.new_page()
    if username:
        page.goto(f"{base}/login/")
        page.locator("input[name='username']").fill(username)
        page.locator("input[name='password']").fill(settings.JULI_DEMO_PASSWORD)
        page.locator("main button[type='submit']").click()
        page.wait_for_url(f"{base}/")
    return page


def _world() -> dict[str, Any]:
    """The demo world, plus this year's letters issued and waiting for signatures."""
    call_command("demo", days=3, people=0, verbosity=0)
    template = LetterTemplate.objects.order_by("-year").first()
    assert template is not None
    fresh = letters.copy_template(None, template, year=template.year + 1)
    receivers = [letter.receiver_org for letter in Letter.objects.filter(template=template)]
    issued = letters.prepare_letters(None, fresh, receivers)
    assert letters.issue_letters(None, issued) == len(issued) > 0
    officer = User.objects.get(username="street_officer")
    case = visible_cases(officer).filter(lat__isnull=False).order_by("-pk").first()
    draft = Bulletin.objects.filter(status="draft", area__name="打浦桥街道").first()
    staff = User.objects.get(username="unit_staff")
    unit_case = visible_cases(staff).order_by("-pk").first()
    if unit_case is None:  # the demo dispatched nothing to that unit in these days
        unit = Post.objects.filter(person__user=staff, unit__isnull=False).first().unit  # type: ignore[union-attr]
        accepted = visible_cases(officer).filter(status="accepted").first()
        assert accepted is not None
        unit_case = cases.dispatch_case(officer, accepted, unit=unit)
    assert case is not None
    assert draft is not None
    assert unit_case is not None
    return {
        "case": case.pk,
        "bulletin": draft.pk,
        "letter": issued[0].pk,
        "template": fresh.pk,
        "unit_case": unit_case.pk,
    }


def _visit(page: Page, base: str, path: str, shot: Path) -> None:
    response = page.goto(f"{base}{path}", wait_until="networkidle")
    assert response is not None
    assert response.status == 200, (path, response.status)
    assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
    page.screenshot(path=str(shot))


def _hover_charts(page: Page) -> None:
    """ECharts writes its tooltips as markup with style attributes: hover every chart."""
    for chart in ("#chart-trend", "#chart-categories", "#chart-map"):
        box = page.locator(chart).bounding_box()
        assert box is not None
        for fraction in (0.35, 0.5, 0.65):
            page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] * 0.5)
            page.wait_for_timeout(150)


def _dismiss_dialogs(page: Page) -> list[str]:
    """Answers "cancel" to every confirmation the page asks; returns their questions."""
    questions: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return questions


@pytest.mark.browser
def test_the_main_pages_run_without_a_single_violation(
    browser: Browser,
    live_server: Any,
    transactional_db: None,
    screenshot_dir: Path,
    csp_watch: CspWatch,
) -> None:
    ids = _world()
    base = live_server.url
    for size in SIZES:

        def shot(name: str, size: str = size) -> Path:
            return screenshot_dir / f"csp-{size}-{name}.png"

        # The street office: cases, the map, the dashboard, the bulletin, the API pages.
        page = _sign_in(browser, base, "street_officer", size)
        for name, path in [
            ("home", "/"),
            ("cases", "/cases/"),
            ("case", f"/cases/{ids['case']}/"),
            ("plan", "/plan/"),
            ("points", "/points/"),
            ("orgs", "/orgs/"),
            ("people", "/people/"),
            ("audit", "/audit/"),
            ("notifications", "/notifications/"),
            ("duties", "/duties/"),
            ("api-browsable", "/api/v1/cases/"),
            ("api-swagger", "/api/v1/docs/"),
        ]:
            _visit(page, base, path, shot(name))
        expect(page.locator("#swagger-ui .opblock").first).to_be_visible()
        _visit(page, base, "/api/v1/redoc/", shot("api-redoc"))
        expect(page.locator("#redoc-container h1").first).to_be_visible()
        _visit(page, base, f"/cases/{ids['case']}/", shot("case"))
        expect(page.locator("#case-minimap .leaflet-interactive").first).to_be_attached()

        _visit(page, base, "/cases/map/", shot("map"))
        expect(page.locator("#case-map .leaflet-interactive").first).to_be_attached()
        page.locator("#case-map-list li.map-item:not(.no-position)").first.click()
        expect(page.locator(".leaflet-popup")).to_be_visible()
        page.screenshot(path=str(shot("map-popup")))

        _visit(page, base, "/dashboard/", shot("dashboard"))
        expect(page.locator("#chart-map canvas")).to_have_count(1)
        _hover_charts(page)
        page.locator(".segmented label").first.click()  # htmx swaps the body
        page.wait_for_url("**days=7")
        expect(page.locator("#chart-trend canvas")).to_have_count(1)
        _hover_charts(page)
        page.screenshot(path=str(shot("dashboard-7")))

        # A confirmation (data-confirm, formerly onsubmit=): refused, nothing is sent.
        _visit(page, base, f"/bulletins/{ids['bulletin']}/", shot("bulletin"))
        questions = _dismiss_dialogs(page)
        page.locator("form[data-confirm] button").first.click()
        page.wait_for_timeout(300)
        with translation.override("zh-hans"):
            assert questions == [gettext("Recompute the figures from the current records?")]
        assert page.url == f"{base}/bulletins/{ids['bulletin']}/"
        _visit(page, base, "/bulletins/", shot("bulletins"))

        # The language switch (data-autosubmit, formerly onchange=).
        # Each switch submits and reloads the page: wait for that navigation, not only for
        # a quiet network (the second switch must act on the page the first one loaded).
        with page.expect_navigation():
            page.locator("select[name='language']").select_option("en")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        with page.expect_navigation():
            page.locator("select[name='language']").select_option("zh-hans")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        page.context.close()

        # The district: the weekly ranking and the admin site.
        page = _sign_in(browser, base, "district_admin", size)
        _visit(page, base, "/rankings/", shot("ranking"))
        expect(page.locator("select[name='week']")).to_be_visible()
        _visit(page, base, "/admin/", shot("admin"))
        _visit(page, base, "/admin/cases/case/", shot("admin-cases"))
        page.context.close()

        # The bureau's secretary signs this year's letter on the pad.
        page = _sign_in(browser, base, "bureau_secretary", size)
        _visit(page, base, "/letters/", shot("letters"))
        _visit(page, base, f"/letters/{ids['letter']}/sign/", shot("sign"))
        canvas = page.locator(".sigpad canvas")
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.5)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.4, steps=8)
        page.mouse.up()
        page.screenshot(path=str(shot("sign-drawn")))
        _visit(page, base, f"/letters/templates/{ids['template']}/session/", shot("session"))
        page.context.close()

        # The phone pages (/m/): the inspector's plan and checklist, the unit's case.
        page = _sign_in(browser, base, "inspector", size)
        _visit(page, base, "/m/", shot("field"))
        inspect = page.locator("a[href^='/m/points/'][href$='/inspect/']").first.get_attribute(
            "href"
        )
        assert inspect
        _visit(page, base, inspect, shot("field-inspect"))
        _visit(page, base, "/m/report/", shot("field-report"))
        page.context.close()
        page = _sign_in(browser, base, "unit_staff", size)
        _visit(page, base, "/m/", shot("field-unit"))
        _visit(page, base, f"/m/cases/{ids['unit_case']}/", shot("field-case"))
        page.context.close()

        # Signed out: the sign-in page and the public check of a printed letter.
        page = _sign_in(browser, base, None, size)
        _visit(page, base, "/login/", shot("login"))
        _visit(page, base, "/letters/verify/", shot("verify"))
        page.context.close()

    # Reports travel on their own requests: give any a moment to arrive, then the watch
    # (at teardown) finds none, nor any violation seen in a page.
    time.sleep(1)
    assert csp_watch.take() == ([], [], [])


@pytest.mark.browser
def test_an_injected_inline_script_is_refused_seen_and_reported(
    browser: Browser,
    live_server: Any,
    transactional_db: None,
    screenshot_dir: Path,
    csp_watch: CspWatch,
) -> None:
    base = live_server.url

    def inject(route: Route) -> None:
        # Juli's real answer and headers, with markup an attacker might have slipped in.
        response = route.fetch()
        body = response.text().replace(
            "</main>",
            '<script>window.injected = "script";</script>'
            '<img src="/static/favicon.svg" alt="" onload="window.injected = \'handler\'">'
            "</main>",
        )
        route.fulfill(response=response, body=body)

    page = browser.new_page()
    page.route(f"{base}/login/", inject)
    page.goto(f"{base}/login/", wait_until="networkidle")
    page.screenshot(path=str(screenshot_dir / "csp-injected.png"))
    assert page.evaluate("window.injected") is None  # neither ran

    deadline = time.monotonic() + 10
    while len(csp_watch.reports) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    violations, console, reports = csp_watch.take()
    page.close()

    login = f"{base}/login/"
    assert sorted((v["directive"], v["blocked"], v["page"]) for v in violations) == [
        ("script-src-attr", "inline", login),
        ("script-src-elem", "inline", login),
    ]
    assert len(console) == 2
    assert all("Content Security Policy" in line for line in console)
    assert sorted((r["directive"], r["blocked"], r["document"]) for r in reports) == [
        ("script-src-attr", "inline", login),
        ("script-src-elem", "inline", login),
    ]

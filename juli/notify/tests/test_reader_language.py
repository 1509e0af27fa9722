"""Notices are written in the reader's language, never the actor's (issue 14: "never half
English"): each in-app row in its recipient's `User.language` (blank: the site's), each
channel message in the site's language (settings.LANGUAGE_CODE)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from juli.cases import actions as case_actions
from juli.cases.tests.conftest import photo
from juli.notify import actions
from juli.notify.models import Delivery, Notification
from juli.notify.text import lazy_format, render
from juli.orgs import actions as org_actions
from juli.orgs.roles import Role

#: A word of Latin letters: what a Chinese reader's text must not hold (numbers, case
#: numbers like 2026-000001, dates and times are fine).
LATIN_WORD = re.compile(r"[A-Za-z]+")


def _world(cast):  # type: ignore[no-untyped-def]
    """A litter category; a second unit staff who reads English; the channels of the street."""
    from types import SimpleNamespace

    w = SimpleNamespace(c=cast)
    w.litter = case_actions.create_case_category(
        None, code="litter", name="暴露垃圾", time_limit=4, time_unit="hours"
    )
    person = org_actions.create_person(None, name="韦英文", phone="13900000077")
    org_actions.appoint(None, person, Role.UNIT_STAFF, unit=cast.property_co)
    w.english_staff = org_actions.create_account(
        None, person, "english_staff", "juli-test-Pass1", validate_password=False
    )
    org_actions.set_language(w.english_staff, w.english_staff, "en")
    org_actions.set_language(cast.unit_staff, cast.unit_staff, "zh-hans")
    org_actions.set_language(cast.inspector, cast.inspector, "zh-hans")
    actions.create_channel(
        None,
        cast.dapuqiao,
        name="街道群",
        kind="wecom",
        target="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=test",
        kinds=["dispatched", "rectified"],
        covers_subtree=True,
    )
    return w


def _loop_to_rectified(w):  # type: ignore[no-untyped-def]
    import uuid

    c = w.c
    case = case_actions.report_case(
        c.grid_worker,
        client_uuid=uuid.uuid4(),
        source="grid_worker",
        category=w.litter,
        area=c.grid1,
        title="楼道堆物",
    )
    case = case_actions.accept_case(c.street_officer, case)
    case = case_actions.dispatch_case(c.street_officer, case, unit=c.property_co)
    return case_actions.rectify_case(w.english_staff, case, photos=[photo((0, 255, 0))])


def test_it_renders_lazy_texts_and_callables_in_the_language_asked():
    title = lazy_format(
        gettext_lazy("Case %(n)s is overdue (deadline %(d)s): %(t)s"), n="1", d="", t="x"
    )
    assert render(title, "en") == "Case 1 is overdue (deadline ): x"
    assert render(title, "zh-hans") == "案件1已超期（截止时间）：x"
    assert render(lambda language: f"<{language}>", "en") == "<en>"
    assert render("数据", "en") == "数据"
    with translation.override("en"):  # rendering leaves the caller's language alone
        render(title, "zh-hans")
        assert translation.get_language() == "en"


def test_an_english_actor_writes_chinese_to_chinese_readers(cast, settings):  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "zh-hans"  # the site's language: the channels', and the default
    w = _world(cast)
    with translation.override("en"):  # the officer's and the rectifier's browsers: English
        case = _loop_to_rectified(w)
    chinese = Notification.objects.get(recipient=cast.unit_staff, kind="dispatched")
    english = Notification.objects.get(recipient=w.english_staff, kind="dispatched")
    assert chinese.text.startswith(f"案件{case.number}已派遣给你单位，请于")
    assert LATIN_WORD.findall(chinese.text) == []
    assert english.text.startswith(f"Case {case.number} dispatched to you, rectify by ")
    # The street officer chose nothing: the site's language.
    officer = Notification.objects.get(recipient=cast.street_officer, kind="rectified")
    assert officer.text == f"案件{case.number}已整改，待核查：楼道堆物（蒙西第一微网格）"
    inspector = Notification.objects.get(recipient=cast.inspector, kind="rectified")
    assert LATIN_WORD.findall(inspector.text) == []
    # The group chat reads the site's language, the robot's link label too.
    for row in Delivery.objects.all():
        content = row.payload["markdown"]["content"]
        content = content.split("](")[0]  # the link itself is a URL
        assert LATIN_WORD.findall(content) == [], content


def test_a_chinese_actor_writes_english_to_an_english_reader(cast):  # type: ignore[no-untyped-def]
    w = _world(cast)
    with translation.override("zh-hans"):
        case = _loop_to_rectified(w)
    english = Notification.objects.get(recipient=w.english_staff, kind="dispatched")
    assert english.text.startswith(f"Case {case.number} dispatched to you, rectify by ")
    chinese = Notification.objects.get(recipient=cast.unit_staff, kind="dispatched")
    assert chinese.text.startswith(f"案件{case.number}已派遣给你单位")


def test_it_renders_each_language_once_and_keeps_one_row_per_reader(cast, settings):  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "zh-hans"
    org_actions.set_language(cast.district_admin, cast.district_admin, "en")
    calls: list[str] = []

    def title(language: str) -> str:
        calls.append(language)
        return "日通报" if language == "zh-hans" else "Daily bulletin"

    users = [cast.street_officer.pk, cast.district_admin, cast.inspector]
    actions.notify("bulletin:1:published", kind="bulletin", title=title, text="", users=users)
    actions.notify("bulletin:1:published", kind="bulletin", title=title, text="", users=users)
    rows = Notification.objects.order_by("recipient__username")
    assert [(n.recipient.username, n.text) for n in rows] == [
        ("district_admin", "Daily bulletin"),
        ("inspector", "日通报"),
        ("street_officer", "日通报"),
    ]
    assert sorted(calls) == ["en", "en", "zh-hans", "zh-hans"]  # once per language and call


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_existing_notices_follow_the_reader_too(cast, settings, language):  # type: ignore[no-untyped-def]
    """The bulletins' notice (its title formatted lazily) reaches each reader in theirs."""
    import datetime
    from types import SimpleNamespace

    from juli.bulletins.notices import on_bulletin_published

    org_actions.set_language(cast.street_officer, cast.street_officer, language)
    bulletin = SimpleNamespace(pk=5, area=cast.dapuqiao, date=datetime.date(2026, 11, 20))
    with translation.override("en" if language == "zh-hans" else "zh-hans"):
        on_bulletin_published(None, bulletin=bulletin)
    text = Notification.objects.get(recipient=cast.street_officer).text
    expected = {
        "zh-hans": LATIN_WORD.findall(text) == [],
        "en": text == "Daily bulletin of 打浦桥街道 for 2026-11-20 published",
    }
    assert expected[language], text

"""The demo step: a week of bulletins for Dapuqiao and Huangpu, yesterday's two drafts."""

from __future__ import annotations

import datetime

from django.utils import timezone

from juli.bulletins import demo
from juli.bulletins.models import Bulletin


def test_it_builds_a_week_and_leaves_yesterdays_bulletins_as_drafts(cast):
    assert demo.build_demo() == {"bulletins": 14, "published": 12}
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    drafts = {b.area.name: b for b in Bulletin.objects.filter(status="draft")}
    assert set(drafts) == {"打浦桥街道", "黄浦区"}
    assert {b.date for b in drafts.values()} == {yesterday}
    assert drafts["打浦桥街道"].notes == demo.DRAFT_NOTE
    published = Bulletin.objects.filter(status="published")
    assert set(published.values_list("area__name", flat=True)) == {"打浦桥街道", "黄浦区"}
    assert set(published.values_list("published_by__username", flat=True)) == {
        "street_officer",
        "district_admin",
    }
    dates = sorted(set(Bulletin.objects.values_list("date", flat=True)))
    assert dates == [yesterday - datetime.timedelta(days=n) for n in range(6, -1, -1)]
    assert demo.build_demo() == {"bulletins": 0, "published": 0}
    assert Bulletin.objects.count() == 14

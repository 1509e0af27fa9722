"""Demo step of the bulletins app: a week of daily bulletins for Dapuqiao and Huangpu.

The bulletins of the last seven days are generated from the demo's cases and published by
the demo logins (the Dapuqiao street officer, the Huangpu district administrator), except
yesterday's two, which stay drafts (Dapuqiao's with a note), as they would be in the morning
before the officers publish them: each is a to-do on its officer's work-bench.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from juli.core.demo import DemoRun, demo_step
from juli.orgs.demo.data import DAPUQIAO, HUANGPU
from juli.orgs.models import Area, User

from . import actions
from .models import Bulletin

DAYS = 7
DRAFT_NOTE = (
    "昨日蒙西、斜土等居民区暴露垃圾问题集中，请各责任单位于今日12时前完成整改并上传整改照片；"
    "零扣分点位失分的，请所在居民区说明原因。"
)


def _login(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def build_demo(stdout: Any = None) -> dict[str, int]:
    street = Area.objects.filter(kind=Area.Kind.STREET, name=DAPUQIAO).first()
    district = Area.objects.filter(kind=Area.Kind.DISTRICT, code=HUANGPU[1]).first()
    made = {"bulletins": 0, "published": 0}
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    publishers = [(street, _login("street_officer")), (district, _login("district_admin"))]
    for area, publisher in publishers:
        if area is None:
            continue
        for back in range(DAYS, 0, -1):
            day = today - datetime.timedelta(days=back)
            bulletin, created = actions.ensure_bulletin(area, day)
            made["bulletins"] += created
            if bulletin.status != Bulletin.Status.DRAFT:
                continue
            if day == yesterday:
                # Yesterday's bulletins wait for their officers: a to-do on each work-bench.
                if area == street:
                    actions.set_notes(publisher, bulletin, DRAFT_NOTE)
                continue
            actions.publish_bulletin(publisher, bulletin)
            made["published"] += 1
    if stdout is not None:
        stdout.write(
            f"Bulletins: {made['bulletins']} generated, {made['published']} published "
            f"(yesterday's left as drafts)."
        )
    return made


@demo_step("bulletins", after=("cases",))
def build_bulletins_step(run: DemoRun) -> dict[str, int]:
    """This app's step of `juli demo` (see `juli.core.demo`)."""
    return build_demo(stdout=run.stdout)

"""Benchmark fixtures on a generated database: who logs in, what they ask for.

Run by bench/run.py in its own process with DATABASE_URL set; prints one JSON object.
Creates (once) `bench_admin` (district admin over the generated district) and
`bench_worker` (grid worker of one micro-grid) with an API token, then picks the ids the
scenarios request: recent case ids for the detail page, the cursor of the case list's
1,000th page, a category and the worker's micro-grid for submissions.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Count  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from juli.cases import access as case_access  # noqa: E402
from juli.cases import queries  # noqa: E402
from juli.cases.models import Case, CaseCategory  # noqa: E402
from juli.orgs import actions  # noqa: E402
from juli.orgs.models import Area, Person, User  # noqa: E402
from juli.orgs.roles import Role  # noqa: E402

PASSWORD = os.environ.get("JULI_BENCH_PASSWORD", "bench-Pass-2026")


def _user(username: str, name: str, phone: str, role: str, area: Area) -> User:
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    person = actions.create_person(None, name=name, phone=phone, area=area)
    actions.appoint(None, person, role, area=area, started_on=datetime.date(2024, 1, 1))
    return actions.create_account(None, person, username, PASSWORD, validate_password=False)


def _ranking(district: Area) -> str:
    """Compute (once) last week's ranking; the page that shows it is a scenario."""
    from django.utils import timezone

    from juli.rankings import actions as ranking_actions
    from juli.rankings import scoring
    from juli.rankings.models import DEFAULT_WEIGHTS, Ranking

    week = scoring.week_label(scoring.last_complete_week(timezone.localdate()))
    ranking_actions.update_settings(
        None, district, enabled=True, auto_publish=False, weights=dict(DEFAULT_WEIGHTS)
    )
    if not Ranking.objects.filter(district=district, week=week).exists():
        ranking_actions.compute_ranking(None, district, week, publish=True)
    return f"/rankings/district/{district.pk}/?week={week}"


def main() -> None:
    district = Area.objects.filter(kind="district").order_by("-numchild", "pk").first()
    if district is None:
        raise SystemExit("No district in this database: run `juli generate` first.")
    grid = (
        Case.objects.filter(area__kind="micro_grid", area_path__startswith=district.path)
        .values("area_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if grid is None:
        raise SystemExit("No cases in the district: run `juli generate --cases N` first.")
    micro = Area.objects.get(pk=grid["area_id"])
    admin = _user("bench_admin", "压测区管", "13900000001", Role.DISTRICT_ADMIN, district)
    worker = _user("bench_worker", "压测网格员", "13900000002", Role.GRID_WORKER, micro)
    Person.objects.filter(pk=worker.person_id).update(phone="13900000002")
    token, _ = Token.objects.get_or_create(user=worker)
    admin_token, _ = Token.objects.get_or_create(user=admin)

    visible = case_access.visible_cases(admin).order_by("-reported_at", "-pk")
    recent = list(visible.values_list("pk", flat=True)[:200])
    deep = queries.PAGE_SIZE * 999  # the last row of page 999: its cursor opens page 1,000
    row = visible.only("pk", "reported_at")[deep - 1 : deep].first()
    cursor = queries._encode(row) if row is not None else None
    category = CaseCategory.objects.filter(is_active=True).order_by("pk").first()
    ranking_path = _ranking(district)
    print(
        json.dumps(
            {
                "district": district.code,
                "district_id": district.pk,
                "cases": Case.objects.count(),
                "admin": {"username": admin.username, "password": PASSWORD},
                "admin_token": admin_token.key,
                "worker_token": token.key,
                "recent_cases": recent,
                "page_1000_cursor": cursor,
                "category": category.pk if category else None,
                "micro_grid": micro.pk,
                "ranking_path": ranking_path,
            }
        )
    )


if __name__ == "__main__":
    main()

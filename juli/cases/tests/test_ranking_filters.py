"""The case-list filters the weekly ranking links use: point, due and verified dates, and
leaving out rejected reports (owned by the rankings work)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from juli.cases import forms, queries
from juli.cases.access import visible_cases
from juli.cases.models import Case

from .conftest import new_case


def _local(day: datetime.date, hour: int) -> datetime.datetime:
    tz = timezone.get_current_timezone()
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)


def test_it_filters_by_point_due_and_verified_dates_and_rejection(world):
    w, day = world, datetime.date(2026, 3, 4)
    a = new_case(w, point=w.point_a)
    b = new_case(w, point=w.point_b)
    c = new_case(w, point=w.point_a)
    Case.objects.filter(pk=a.pk).update(deadline=_local(day, 23), verified_at=_local(day, 8))
    Case.objects.filter(pk=b.pk).update(deadline=_local(day + datetime.timedelta(days=1), 0))
    Case.objects.filter(pk=c.pk).update(status=Case.Status.REJECTED)
    qs = visible_cases(w.c.district_admin)

    def ids(**kw):  # type: ignore[no-untyped-def]
        return set(queries.filter_cases(qs, queries.CaseFilters(**kw)).values_list("pk", flat=True))

    assert ids(point=w.point_a) == {a.pk, c.pk}
    assert ids(point=w.point_a.pk, not_rejected=True) == {a.pk}
    assert ids(due_from=day, due_to=day) == {a.pk}  # b is due at midnight after: next day
    assert ids(due_from=day + datetime.timedelta(days=1)) == {b.pk}
    assert ids(verified_from=day, verified_to=day) == {a.pk}
    assert ids(verified_to=day - datetime.timedelta(days=1)) == set()


def test_the_form_keeps_the_link_filters_and_ignores_a_point_out_of_scope(client, world):
    w = world
    new_case(w, point=w.point_a)
    form = forms.CaseFilterForm(
        {"point": str(w.point_a.pk), "due_from": "2026-03-02", "not_rejected": "on"},
        user=w.c.grid_worker,
    )
    f = form.filters()
    assert (f.point, f.due_from, f.not_rejected) == (w.point_a, datetime.date(2026, 3, 2), True)
    assert ("Due from", "2026-03-02") in form.link_filters()
    outside = forms.CaseFilterForm({"point": str(w.point_a.pk)}, user=w.c.outsider)
    assert outside.filters().point is None and "point" in outside.errors
    client.force_login(w.c.district_admin)
    page = client.get(reverse("case-list"), {"point": w.point_a.pk, "due_to": "2026-03-08"})
    html = page.content.decode()
    assert page.status_code == 200
    assert f'name="point" value="{w.point_a.pk}"' in html and "Due to: 2026-03-08" in html

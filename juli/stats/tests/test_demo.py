"""The stats demo step: adjacent grid polygons, audited once; rollups rebuilt the same."""

from __future__ import annotations

import pytest

from juli.core.models import AuditLog
from juli.orgs.models import Area
from juli.stats import rollups
from juli.stats.demo import build_demo, tile
from juli.stats.models import CaseDaily

pytestmark = pytest.mark.django_db


def _box(area: Area) -> tuple[float, ...]:
    assert area.boundary is not None
    ring = area.boundary["coordinates"][0]
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return (min(xs), min(ys), max(xs), max(ys))


def test_it_tiles_a_box_into_adjacent_cells_near_their_centres():
    centres = {1: (0.1, 0.1), 2: (0.9, 0.1), 3: (0.1, 0.9), 4: (0.9, 0.9), 5: (0.5, 0.5)}
    tiles = tile((0.0, 0.0, 1.0, 1.0), centres)
    area = sum((e - w) * (n - s) for w, s, e, n in tiles.values())
    assert area == pytest.approx(1.0)  # covers the box exactly …
    for a, (w1, s1, e1, n1) in tiles.items():
        x, y = centres[a]
        assert w1 <= x <= e1 and s1 <= y <= n1  # … each cell holds its centre …
        for b, (w2, s2, e2, n2) in tiles.items():
            if a < b:  # … and no two cells overlap
                overlap = max(0, min(e1, e2) - max(w1, w2)) * max(0, min(n1, n2) - max(s1, s2))
                assert overlap == pytest.approx(0)


def test_it_draws_the_grids_and_rebuilds_the_rollups(story):
    c = story.c
    incremental = rollups.rows_of(CaseDaily.objects.all())
    audit = AuditLog.objects.count()
    assert build_demo() == {"boundaries": 4, "daily_buckets": 7}
    assert AuditLog.objects.filter(verb="area.update").count() == 4
    assert AuditLog.objects.count() == audit + 4
    assert rollups.rows_of(CaseDaily.objects.all()) == incremental
    street, mengxi, g1, g2 = (
        _box(Area.objects.get(pk=a.pk)) for a in (c.dapuqiao, c.mengxi, c.grid1, c.grid2)
    )
    assert mengxi == street  # the only community fills its street
    assert (min(g1[0], g2[0]), min(g1[1], g2[1]), max(g1[2], g2[2]), max(g1[3], g2[3])) == mengxi
    assert Area.objects.get(pk=c.huaihai.pk).boundary is None  # no positions, no polygon
    # A rerun changes and records nothing.
    assert build_demo() == {"boundaries": 0, "daily_buckets": 7}
    assert AuditLog.objects.count() == audit + 4

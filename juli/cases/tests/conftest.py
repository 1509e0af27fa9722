"""The cases world on top of the shared cast (juli/conftest.py).

categories  litter (4 working hours), facility (1 working day), hazard (24 h, clock time)
market      point category, daily, checklist: 地面无垃圾 (litter, 2 points),
            设施完好 (facility, 1.5 points)
points      grid1: 菜场A (lat/lng, property_co, zero-deduction), 菜场B; grid2: 菜场C
"""

from __future__ import annotations

import datetime
import struct
import uuid
import zlib
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from juli.cases import actions, points
from juli.cases.models import Case, CasePhoto


def tiny_png(rgb: tuple[int, int, int] = (255, 0, 0)) -> bytes:
    """A valid 1×1 PNG of one colour, built by hand (Pillow is not a dependency yet)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + bytes(rgb))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def photo(rgb: tuple[int, int, int] = (255, 0, 0), name: str = "p.png") -> actions.PhotoUpload:
    return actions.PhotoUpload(
        SimpleUploadedFile(name, tiny_png(rgb), content_type="image/png"),
        {"width": 1, "height": 1},
    )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(cast):  # type: ignore[no-untyped-def]
    w = SimpleNamespace(c=cast)
    w.litter = actions.create_case_category(
        None, code="litter", name="暴露垃圾", time_limit=4, time_unit="hours"
    )
    w.facility = actions.create_case_category(
        None, code="facility", name="设施破损", time_limit=1, time_unit="days"
    )
    w.hazard = actions.create_case_category(
        None,
        code="hazard",
        name="安全隐患",
        time_limit=24,
        time_unit="hours",
        in_working_time=False,
    )
    w.market = actions.create_point_category(None, code="market", name="农贸市场")
    w.item_clean = actions.create_checklist_item(
        None, w.market, text="地面无垃圾", deduction=Decimal("2"), case_category=w.litter, order=1
    )
    w.item_facility = actions.create_checklist_item(
        None, w.market, text="设施完好", deduction=Decimal("1.5"), case_category=w.facility, order=2
    )
    w.point_a = points.create_point(
        None,
        code="P-A",
        name="菜场A",
        area=cast.grid1,
        category=w.market,
        lat=Decimal("31.200000"),
        lng=Decimal("121.470000"),
        responsible_unit=cast.property_co,
        zero_deduction=True,
    )
    w.point_b = points.create_point(
        None, code="P-B", name="菜场B", area=cast.grid1, category=w.market
    )
    w.point_c = points.create_point(
        None,
        code="P-C",
        name="菜场C",
        area=cast.grid2,
        category=w.market,
        responsible_unit=cast.property_co,
    )
    return w


def new_case(
    w: Any, *, area: Any = None, actor: Any = None, category: Any = None, **kw: Any
) -> Case:
    """A reported case in grid 1, reported by the grid worker."""
    return actions.report_case(
        actor if actor is not None else w.c.grid_worker,
        client_uuid=uuid.uuid4(),
        source=kw.pop("source", Case.Source.GRID_WORKER),
        category=category or w.litter,
        area=area or w.c.grid1,
        title=kw.pop("title", "楼道堆物"),
        **kw,
    )


def put(case: Case, status: str, w: Any) -> Case:
    """Force a case into `status` as the loop would have left it (test set-up only)."""
    now = timezone.now()
    fields: dict[str, Any] = {"status": status, "unit": w.c.property_co, "accepted_at": now}
    if status in {"dispatched", "rectified", "verified", "closed", "deferred"}:
        fields.update(dispatched_at=now, deadline=now + datetime.timedelta(hours=4))
    if status in {"rectified", "verified", "closed"}:
        fields.update(rectified_at=now, rectified_by=w.c.unit_staff)
    Case.objects.filter(pk=case.pk).update(**fields)
    if not case.photos.filter(kind=CasePhoto.Kind.AFTER).exists():
        upload = photo((0, 255, 0), "after.png")
        actions._store_photo(case, CasePhoto.Kind.AFTER, upload, None)
    return Case.objects.get(pk=case.pk)

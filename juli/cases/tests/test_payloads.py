"""Hostile text in the fields people type: it is stored as typed and shown as text.

An XSS payload, an SQL fragment and a spreadsheet formula go into a case's title and
description, a point's name, a unit's name, a person's name and a bulletin's notes; every
page that shows them escapes them, the Excel exports keep them as inert text, and the SQL
fragment is only text (nothing is dropped or changed).
"""

from __future__ import annotations

import datetime
import io
import uuid

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from juli.bulletins import actions as bulletin_actions
from juli.cases import actions, points, publication
from juli.cases.models import Case
from juli.orgs import actions as org_actions

XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>"
SQL = "'; DROP TABLE cases_case; --"
FORMULA = '=HYPERLINK("http://evil.example","点我")'
PAYLOAD = f"{XSS} {SQL}"

pytestmark = pytest.mark.django_db


@pytest.fixture
def hostile(world):  # type: ignore[no-untyped-def]
    c = world.c
    org_actions.update_unit(None, c.property_co, name=f"物业{XSS}")
    org_actions.update_person(None, c.grid_worker_person, name="王<b>五</b>")
    point = points.create_point(
        None, code="P-X", name=f"菜场{XSS}", area=c.grid1, category=world.market
    )
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    at = timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(10)))
    case = actions.report_case(
        c.grid_worker,
        client_uuid=uuid.uuid4(),
        source=Case.Source.GRID_WORKER,
        category=world.litter,
        title=f"{FORMULA}",
        description=PAYLOAD,
        point=point,
        at=at,
    )
    bulletin = bulletin_actions.generate_bulletin(c.street_officer, c.dapuqiao, yesterday)
    bulletin_actions.set_notes(c.street_officer, bulletin, f"{FORMULA}\n{XSS}")
    return world, case, point, bulletin


def _assert_escaped(html: str) -> None:
    assert "<script>alert(" not in html
    assert "<img src=x onerror" not in html


def test_pages_show_hostile_text_as_text(client, hostile):  # type: ignore[no-untyped-def]
    world, case, point, bulletin = hostile
    c = world.c
    # Marked public with a hostile public reply: the Open311 feed shows the reply.
    publication.update_publication(c.street_officer, case, public_reply=PAYLOAD, is_public=True)
    client.force_login(c.district_admin)
    urls = [
        "/cases/",
        f"/cases/{case.pk}/",
        "/points/",
        f"/points/{point.pk}/",
        f"/units/{c.property_co.pk}/",
        "/people/",
        f"/people/?q={SQL}",
        f"/orgs/?q={XSS}",
        "/dashboard/",
        f"/bulletins/{bulletin.pk}/",
        "/audit/",
        f"/open311/v2/requests/{case.number}.xml",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_escaped(response.content.decode())
    # JSON carries the text as data; it is never served as a page a browser would run.
    response = client.get(f"/open311/v2/requests/{case.number}.json")
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.json()[0]["status_notes"] == PAYLOAD
    detail = client.get(f"/cases/{case.pk}/").content.decode()
    assert "&lt;script&gt;alert(" in detail  # shown, as text
    assert Case.objects.filter(pk=case.pk, description=PAYLOAD).exists()  # stored as typed


def test_exports_keep_formulas_inert(client, hostile):  # type: ignore[no-untyped-def]
    world, case, point, bulletin = hostile
    client.force_login(world.c.district_admin)

    def cells(data: bytes) -> list[tuple[object, str]]:
        book = load_workbook(io.BytesIO(data))
        return [
            (cell.value, cell.data_type)
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if isinstance(cell.value, str) and "HYPERLINK" in cell.value
        ]

    for url in (f"/bulletins/{bulletin.pk}/bulletin.xlsx", "/points/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        found = cells(
            b"".join(response.streaming_content) if response.streaming else response.content
        )
        if url.startswith("/bulletins/"):
            assert found, "the bulletin's notes and case title carry the formula"
        for value, kind in found:
            assert kind == "s" and not str(value).startswith("="), (url, value)

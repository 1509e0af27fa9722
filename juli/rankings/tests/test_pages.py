"""Ranking pages, downloads and the API: who sees what, links to the cases, exports."""

from __future__ import annotations

import io
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from juli.conftest import PASSWORD  # noqa: F401 - the cast logs in with force_login
from juli.core.models import AuditLog
from juli.orgs import actions as org_actions
from juli.rankings import actions, exports
from juli.rankings.models import Ranking, RankingSettings

from .conftest import PREVIOUS_WEEK, WEEK

NOT_READERS = ["outsider", "branch_secretary", "inspector", "grid_worker", "unit_staff"]


def _page(client, user, district, week=WEEK):  # type: ignore[no-untyped-def]
    if user is not None:
        client.force_login(user)
    return client.get(reverse("ranking-district", args=[district.pk]), {"week": week})


@pytest.fixture
def published(rworld):  # type: ignore[no-untyped-def]
    return actions.compute_ranking(None, rworld.c.huangpu, WEEK)


def test_anonymous_is_sent_to_login(client, rworld, published):
    for url in [
        reverse("ranking-index"),
        reverse("ranking-district", args=[rworld.c.huangpu.pk]),
        reverse("ranking-settings", args=[rworld.c.huangpu.pk]),
        reverse("ranking-pdf", args=[published.pk]),
        reverse("ranking-xlsx", args=[published.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
    assert client.get("/api/v1/rankings/").status_code in {401, 403}


@pytest.mark.parametrize("who", NOT_READERS)
def test_people_without_an_office_post_in_the_district_get_404(client, rworld, published, who):
    user = getattr(rworld.c, who)
    client.force_login(user)
    pk = rworld.c.huangpu.pk
    assert client.get(reverse("ranking-index")).status_code == 404
    assert _page(client, None, rworld.c.huangpu).status_code == 404
    assert client.get(reverse("ranking-settings", args=[pk])).status_code == 404
    assert client.get(reverse("ranking-pdf", args=[published.pk])).status_code == 404
    assert client.get(reverse("ranking-xlsx", args=[published.pk])).status_code == 404
    audit = AuditLog.objects.count()
    assert (
        client.post(reverse("ranking-compute", args=[pk]), {"week": PREVIOUS_WEEK}).status_code
        == 404
    )
    assert client.post(reverse("ranking-publish", args=[published.pk])).status_code == 404
    assert AuditLog.objects.count() == audit and Ranking.objects.count() == 1
    api = client.get("/api/v1/rankings/")
    assert api.status_code == 200 and api.json()["results"] == []
    assert client.get(f"/api/v1/rankings/{published.pk}/").status_code == 404


def test_a_district_admin_sees_every_figure_linked_to_its_cases(client, rworld, published):
    c = rworld.c
    response = _page(client, c.district_admin, c.huangpu)
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "打浦桥街道",
        "30.83",
        "61.50",
        "66.67%",
        "75.00",
        "蒙西物业公司",
        "band-middle",
        "Not ranked: no data this week",
    ]:
        assert text in html
    assert reverse("ranking-settings", args=[c.huangpu.pk]) in html
    # 打浦桥's deductions: its cases reported in the week, rejected ones left out.
    deductions = (
        f'href="/cases/?area={c.dapuqiao.pk}&amp;reported_from=2026-03-02&amp;'
        'reported_to=2026-03-08&amp;not_rejected=1">5.00</a>'
    )
    assert deductions in html
    assert f"/cases/?area={c.huangpu.pk}&amp;unit={c.property_co.pk}&amp;" in html
    assert f"point={rworld.p1.pk}" in html


def test_each_link_lists_exactly_the_cases_behind_the_figure(client, rworld, published):
    c = rworld.c
    client.force_login(c.district_admin)
    html = _page(client, None, c.huangpu).content.decode()
    match = re.search(rf'data-subject="{c.dapuqiao.pk}".*?</tr>', html, re.S)
    assert match is not None
    row = match.group(0)
    links = [a.replace("&amp;", "&") for a in re.findall(r'href="(/cases/\?[^"]+)"', row)]
    numbers = []
    for link in links:
        page = client.get(link).content.decode()
        numbers.append(sorted(set(re.findall(r"T0\d{5}", page))))
    w = rworld
    # deductions (4 cases), on time (due: c1, c2), verified (c1, c2), repeats at 菜场甲 (c1–c3)
    assert numbers == [
        sorted([w.c1.number, w.c2.number, w.c3.number, w.c4.number]),
        sorted([w.c1.number, w.c2.number]),
        sorted([w.c1.number, w.c2.number]),
        sorted([w.c1.number, w.c2.number, w.c3.number]),
    ]


def test_a_street_officer_reads_the_whole_ranking_but_links_only_their_street(
    client, rworld, published
):
    c = rworld.c
    response = _page(client, c.street_officer, c.huangpu)
    assert response.status_code == 200
    html = response.content.decode()
    assert "淮海中路街道" in html and "环卫公司" in html
    assert f"/cases/?area={c.dapuqiao.pk}&amp;" in html
    assert f"/cases/?area={c.mengxi.pk}&amp;" in html
    assert f"/cases/?area={c.huaihai.pk}&amp;" not in html
    assert "unit=" not in html
    assert reverse("ranking-settings", args=[c.huangpu.pk]) not in html
    assert client.get(reverse("ranking-settings", args=[c.huangpu.pk])).status_code == 404


def test_drafts_are_for_managers_only(client, rworld):
    c = rworld.c
    draft = actions.compute_ranking(None, c.huangpu, WEEK, publish=False)
    officer = _page(client, c.street_officer, c.huangpu)
    assert "30.83" not in officer.content.decode()
    assert client.get(f"/api/v1/rankings/{draft.pk}/").status_code == 404
    assert client.post(reverse("ranking-publish", args=[draft.pk])).status_code == 404
    admin = _page(client, c.district_admin, c.huangpu)
    html = admin.content.decode()
    assert "30.83" in html and reverse("ranking-publish", args=[draft.pk]) in html
    response = client.post(reverse("ranking-publish", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published and draft.published_by == c.district_admin
    assert client.post(reverse("ranking-publish", args=[draft.pk])).status_code == 302
    assert draft.events.filter(action="publish").count() == 1


def test_a_district_admin_computes_a_week_from_the_page(client, rworld):
    c = rworld.c
    client.force_login(c.district_admin)
    html = _page(client, None, c.huangpu, PREVIOUS_WEEK).content.decode()
    assert "No ranking of 2026-W09 yet." in html
    response = client.post(reverse("ranking-compute", args=[c.huangpu.pk]), {"week": PREVIOUS_WEEK})
    assert response.status_code == 302
    assert Ranking.objects.get().week == PREVIOUS_WEEK
    bad = client.post(
        reverse("ranking-compute", args=[c.huangpu.pk]), {"week": "nonsense"}, follow=True
    )
    assert "is not a week" in bad.content.decode() and Ranking.objects.count() == 1


def test_settings_are_changed_by_the_district_admin_and_audited(client, rworld, published):
    c = rworld.c
    client.force_login(c.district_admin)
    url = reverse("ranking-settings", args=[c.huangpu.pk])
    assert client.get(url).status_code == 200
    data = {
        "enabled": "on",
        "weight_deductions": "40",
        "weight_on_time": "20",
        "weight_verification": "20",
        "weight_repeats": "10",
        "weight_zero": "10",
    }
    assert client.post(url, data).status_code == 302
    conf = RankingSettings.objects.get(district=c.huangpu)
    assert (
        conf.weight_deductions == Decimal("40.00") and not conf.auto_publish and conf.version == 2
    )
    log = AuditLog.objects.get(verb="ranking_settings.update")
    assert log.before is not None
    assert log.actor == c.district_admin and log.before["weight_deductions"] == "30.00"
    bad = client.post(url, {**data, "weight_zero": "-1"})
    assert bad.status_code == 400
    zero = client.post(url, {**data, **{k: "0" for k in data if k.startswith("weight")}})
    assert zero.status_code == 400 and "At least one weight" in zero.content.decode()
    assert RankingSettings.objects.get(district=c.huangpu).version == 2
    published.refresh_from_db()
    assert published.weights["deductions"] == "30.00"


def test_a_switched_off_district_says_so_and_offers_no_compute(client, rworld):
    c = rworld.c
    actions.update_settings(
        None, c.huangpu, enabled=False, auto_publish=True, weights=rworld.settings.weights()
    )
    html = _page(client, c.district_admin, c.huangpu, PREVIOUS_WEEK).content.decode()
    assert "switched off for this district" in html
    assert reverse("ranking-compute", args=[c.huangpu.pk]) not in html
    client.post(reverse("ranking-compute", args=[c.huangpu.pk]), {"week": PREVIOUS_WEEK})
    assert Ranking.objects.count() == 0


def test_another_districts_admin_sees_nothing_of_huangpu(client, rworld, published):
    huimin = org_actions.create_area(
        None, None, name="回民区", kind="district", code="150103000000"
    )
    person = org_actions.create_person(None, name="呼和", phone="13800000099", area=huimin)
    org_actions.appoint(
        None,
        person,
        "district_admin",
        area=huimin,
        started_on=__import__("datetime").date(2024, 1, 1),
    )
    user = org_actions.create_account(
        None, person, "huimin_admin", PASSWORD, validate_password=False
    )
    client.force_login(user)
    assert _page(client, None, rworld.c.huangpu).status_code == 404
    assert client.get(reverse("ranking-xlsx", args=[published.pk])).status_code == 404
    assert client.get("/api/v1/rankings/").json()["results"] == []
    index = client.get(reverse("ranking-index"))
    assert index.status_code == 302 and str(huimin.pk) in index["Location"]


def test_the_page_runs_the_same_number_of_queries_whatever_the_rows(
    client, rworld, django_assert_max_num_queries
):
    c = rworld.c
    actions.compute_ranking(None, c.huangpu, WEEK)
    for i in range(6):
        org_actions.create_area(
            None, c.huangpu, name=f"新街道{i}", kind="street", code=f"3101010{i:02d}900"
        )
    actions.compute_ranking(None, c.huangpu, PREVIOUS_WEEK)
    client.force_login(c.district_admin)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert _page(client, None, c.huangpu).status_code == 200
    with CaptureQueriesContext(connection) as large:
        assert _page(client, None, c.huangpu, PREVIOUS_WEEK).status_code == 200
    assert len(small) == len(large)


def test_the_api_lists_and_details_rankings_in_scope(client, rworld, published):
    client.force_login(rworld.c.street_officer)
    listing = client.get("/api/v1/rankings/").json()["results"]
    assert [(r["id"], r["week"], r["status"]) for r in listing] == [
        (published.pk, WEEK, "published")
    ]
    assert listing[0]["weights"]["deductions"] == "30.00"
    detail = client.get(f"/api/v1/rankings/{published.pk}/").json()
    streets = [
        (r["name"], r["rank"], r["total"], r["band"])
        for r in detail["rows"]
        if r["level"] == "street"
    ]
    assert streets == [
        ("淮海中路街道", 1, "61.50", "middle"),
        ("打浦桥街道", 2, "30.83", "middle"),
        ("南京东路街道", None, None, ""),
        ("外滩街道", None, None, ""),
    ]
    waitan = next(r for r in detail["rows"] if r["name"] == "外滩街道")
    assert (waitan["ranked"], waitan["tied"], waitan["score_deductions"]) == (False, False, None)
    dpq = next(r for r in detail["rows"] if r["name"] == "打浦桥街道")
    assert (dpq["verify_rate"], dpq["on_time_rate"], dpq["score_on_time"]) == (
        "66.67",
        "50.00",
        "50.00",
    )
    schema = client.get("/api/v1/schema/").content.decode()
    assert "/api/v1/rankings/{id}/" in schema and "RankingRow" in schema


def test_excel_has_the_page_values_the_weights_and_inert_formulas(client, rworld):
    c = rworld.c
    from juli.orgs.models import Unit

    Unit.objects.filter(pk=rworld.sanitation.pk).update(name='=HYPERLINK("http://x","y")<b>')
    ranking = actions.compute_ranking(None, c.huangpu, WEEK)
    client.force_login(c.district_admin)
    html = _page(client, None, c.huangpu).content.decode()
    assert "<b>" not in html.split("ranking-table", 1)[1] or "&lt;b&gt;" in html
    response = client.get(reverse("ranking-xlsx", args=[ranking.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Streets", "Communities", "Responsible units", "Weights"]
    streets = list(book["Streets"].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1], r[3], r[5]) for r in streets] == [
        (1, None, "淮海中路街道", 61.5),
        (2, None, "打浦桥街道", 30.83),
        (None, "Not ranked: no data this week", "南京东路街道", None),
        (None, "Not ranked: no data this week", "外滩街道", None),
    ]
    for _rank, _note, _change, name, _band, total, *_rest in streets:
        assert name in html
        assert total is None or f"{Decimal(str(total)):.2f}" in html
    units = book["Responsible units"]
    cell = units.cell(row=3, column=4)
    assert cell.value == '\'=HYPERLINK("http://x","y")<b>' and cell.data_type == "s"
    weights = list(book["Weights"].iter_rows(min_row=3, values_only=True))
    assert [w for _l, w in weights] == [30, 25, 20, 15, 10]


def test_the_pdf_is_a4_chinese_with_the_weights(client, rworld, published, tmp_path):
    client.force_login(rworld.c.district_admin)
    response = client.get(reverse("ranking-pdf", args=[published.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "ranking.pdf"
    path.write_bytes(response.content)
    out = Path(settings.BASE_DIR) / "test-output" / "rankings"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ranking.pdf").write_bytes(response.content)
    text = subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
    ).stdout.decode()
    for expected in [
        "黄浦区",
        "打浦桥街道",
        "蒙西物业公司",
        "30.83",
        "66.67%",
        "2026-W10",
        "30.00",
        "25.00",
    ]:
        assert expected in text
    subprocess.run(  # noqa: S603
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(out / "page")],  # noqa: S607
        check=True,
    )
    assert list(out.glob("page*.png"))
    assert exports.title_of(published) == "Weekly ranking 2026-W10"


def test_the_menu_offers_the_ranking_to_its_readers_only(rworld):
    from juli.rankings.access import shows_rankings

    c = rworld.c
    shown = {
        who: shows_rankings(getattr(c, who))
        for who in ["district_admin", "street_officer", "platform_admin", *NOT_READERS]
    }
    assert shown == {
        "district_admin": True,
        "street_officer": True,
        "platform_admin": True,
        **dict.fromkeys(NOT_READERS, False),
    }

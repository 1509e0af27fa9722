"""The bulletin as an A4 PDF and as a workbook, through the pages and the command."""

from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from juli.bulletins import actions
from juli.cases.models import Case, Point
from juli.core.pdf import PDF_TYPE
from juli.core.xlsx import XLSX_TYPE

from .conftest import D

PAYLOAD = '=HYPERLINK("http://x","y")'


def _pdf_text(path) -> str:  # type: ignore[no-untyped-def]
    return subprocess.run(  # noqa: S603 - fixed tool, our own file
        ["/usr/bin/pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout


@pytest.fixture
def published(day):  # type: ignore[no-untyped-def]
    c = day.c
    bulletin = actions.generate_bulletin(c.street_officer, c.dapuqiao, D)
    actions.set_notes(c.street_officer, bulletin, "请蒙西物业公司于今日完成整改。")
    return actions.publish_bulletin(c.street_officer, bulletin)


def test_the_pdf_reads_back_with_the_headings_and_figures(client, day, published, tmp_path):
    client.force_login(day.c.street_officer)
    response = client.get(reverse("bulletin-pdf", args=[published.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == PDF_TYPE
    assert "filename*=utf-8''" in response["Content-Disposition"]
    path = tmp_path / "bulletin.pdf"
    path.write_bytes(response.content)
    text = _pdf_text(path)
    for heading in (
        "打浦桥街道 日通报 2026年11月18日",
        "总体情况",
        "问题分类",
        "按社区",
        "责任单位",
        "问题来源",
        "零扣分点位失分",
        "问题突出点位",
        "备注",
        "请蒙西物业公司于今日完成整改。",
        "已发布",
        "李东风",
        "蒙西居民区",
        "建一居民区",
        "设施破损",
        "菜场A",
        "尚未派遣",
    ):
        assert heading in text, heading
    flat = " ".join(text.split())
    assert "新发现问题 5" in flat
    assert "超期未整改（日终） 3" in flat
    assert "问题扣分合计 5.00" in flat
    assert "第1页/共2页" in flat.replace(" ", "")
    if shutil.which("/usr/bin/pdftoppm"):
        subprocess.run(  # noqa: S603
            [
                "/usr/bin/pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                str(path),
                str(tmp_path / "p"),
            ],
            check=True,
        )
        assert (tmp_path / "p-1.png").stat().st_size > 10_000


def test_the_workbook_has_a_sheet_per_section_with_chinese_headers(client, day, published):
    client.force_login(day.c.street_officer)
    response = client.get(reverse("bulletin-xlsx", args=[published.pk]))
    assert response["Content-Type"] == XLSX_TYPE
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "总体情况",
        "问题分类",
        "按社区",
        "责任单位",
        "问题来源",
        "零扣分点位失分",
        "问题突出点位",
        "问题清单",
        "备注",
    ]
    summary = list(book["总体情况"].iter_rows(values_only=True))
    assert summary[0] == ("打浦桥街道 日通报 2026年11月18日 · 总体情况", None)
    assert summary[1] == ("项目", "数值")
    assert summary[2] == ("新发现问题", 5)
    assert summary[6] == ("超期未整改（日终）", 3)
    assert summary[7] == ("问题扣分合计", 5)
    categories = list(book["问题分类"].iter_rows(min_row=2, values_only=True))
    assert categories == [
        ("问题类别", "问题数", "扣分"),
        ("设施破损", 2, 3),
        ("暴露垃圾", 2, 2),
        ("安全隐患", 1, 0),
    ]
    worst = list(book["问题突出点位"].iter_rows(min_row=2, values_only=True))
    assert worst[0] == ("排名", "点位编码", "点位", "所在网格", "责任单位", "问题数", "扣分")
    assert worst[1] == (1, "P-A", "菜场A", "蒙西第一微网格", "蒙西物业公司", 2, 3.5)
    cases = list(book["问题清单"].iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in cases] == [
        day.g1.number,
        day.a1.number,
        day.a2.number,
        day.b1.number,
        day.h1.number,
    ]
    assert cases[1][8] == "已结案"
    assert book["备注"]["A3"].value == "请蒙西物业公司于今日完成整改。"
    assert book["总体情况"].freeze_panes == "A3"


def test_formulas_typed_into_records_arrive_inert(client, day):
    c = day.c
    Case.objects.filter(pk=day.a1.pk).update(title=PAYLOAD, description=PAYLOAD)
    Point.objects.filter(pk=day.w.point_a.pk).update(name=PAYLOAD)
    bulletin = actions.generate_bulletin(c.street_officer, c.dapuqiao, D)
    actions.set_notes(c.street_officer, bulletin, PAYLOAD)
    client.force_login(c.street_officer)
    book = load_workbook(
        io.BytesIO(client.get(reverse("bulletin-xlsx", args=[bulletin.pk])).content)
    )
    title = book["问题清单"]["C4"]  # a1 is the second case of the day (caption, header, g1)
    point = book["问题突出点位"]["C3"]
    notes = book["备注"]["A3"]
    for cell in (title, point, notes):
        assert cell.value == "'" + PAYLOAD
        assert cell.data_type == "s"
    assert Decimal(str(book["问题突出点位"]["G3"].value)) == Decimal("3.5")


def test_the_command_writes_the_published_snapshot_or_computes(day, published, tmp_path):
    c = day.c
    # A late entry changes the records of D; the published snapshot is what is written.
    Case.objects.filter(pk=day.h1.pk).update(reported_at=day.a1.reported_at)
    xlsx = tmp_path / "b.xlsx"
    out = io.StringIO()
    call_command(
        "bulletin", area="310101013000", date="2026-11-18", format="xlsx", out=str(xlsx), stdout=out
    )
    assert "published snapshot" in out.getvalue()
    sheet = load_workbook(xlsx)["总体情况"]
    assert sheet["B3"].value == 5
    pdf = tmp_path / "district.pdf"
    out = io.StringIO()
    call_command(
        "bulletin", area="310101000000", date="2026-11-18", format="pdf", out=str(pdf), stdout=out
    )
    assert "computed from the records" in out.getvalue()
    text = _pdf_text(pdf)
    assert "黄浦区 日通报 2026年11月18日" in text
    assert "按街道" in text
    assert "淮海中路街道" in text
    assert "草稿（未发布）" in text
    assert c.huangpu.code == "310101000000"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"area": "999999999999", "date": "2026-11-18"}, "No area has the code"),
        ({"area": "310101013001", "date": "2026-11-18"}, "bulletins are made for streets"),
        ({"area": "310101013000", "date": "2026-13-01"}, "Not a date"),
        ({"area": "310101013000", "date": "2999-01-01"}, "has not happened yet"),
        (
            {"area": "310101013000", "date": "2026-11-18", "out": "/nonexistent/dir/b.pdf"},
            "Cannot write",
        ),
    ],
)
def test_the_command_refuses_bad_input_clearly(cast, tmp_path, options, message):
    kwargs = {"format": "pdf", "out": str(tmp_path / "b.pdf"), **options}
    with pytest.raises(CommandError, match=message):
        call_command("bulletin", **kwargs)
    assert not (tmp_path / "b.pdf").exists()


def test_the_command_refuses_a_folder_as_the_output(cast, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        call_command(
            "bulletin", area="310101013000", date="2026-11-18", format="xlsx", out=str(tmp_path)
        )


def test_the_command_rejects_an_unknown_format(cast, tmp_path):
    with pytest.raises(CommandError):
        call_command(
            "bulletin",
            "--area",
            "310101013000",
            "--date",
            "2026-11-18",
            "--format",
            "doc",
            "--out",
            str(tmp_path / "x"),
        )

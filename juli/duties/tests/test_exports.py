"""The chain's PDF (read back with pdftotext, rendered once to look at) and Excel workbook."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
from django.urls import reverse

from juli.duties import exports, queries

ROOT = Path(__file__).resolve().parents[3]


def test_the_pdf_prints_the_chain_in_chinese(client, world, tmp_path):
    client.force_login(world.c.bureau_secretary)
    response = client.get(reverse("duties-chain-pdf", args=[world.c.putuo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    pdf = tmp_path / "duties.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(  # noqa: S603 - fixed arguments
        ["pdftotext", "-layout", str(pdf), "-"],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,  # noqa: S607
    ).stdout
    for expected in (
        "普陀区绿化和市容管理局党组",  # issuer and the first organisation
        "第一党小组",
        "局党组书记",
        "周局长",
        "单田芳",
        "按时召开支委会和党员大会",
        "与各党支部书记签订目标责任书",
        "每月",
    ):
        assert expected in text, expected
    assert "Vacant" in text  # the tests read English msgids
    # Render the first page once to look at (saved beside the other screenshots).
    out = ROOT / "test-output" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603 - fixed arguments
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],  # noqa: S607
        check=True,
    )
    page = next(tmp_path.glob("page*.png"))
    assert page.stat().st_size > 10_000
    shutil.copy(page, out / "duties-pdf-page1.png")


def test_the_workbook_lists_duties_vacancies_and_a_summary(world):
    chain = queries.build_chain(world.c.putuo)
    book = openpyxl.load_workbook(io.BytesIO(exports.chain_workbook(chain)))
    assert book.sheetnames == ["责任清单", "空缺岗位", "组织汇总"]
    duties = list(book["责任清单"].iter_rows(min_row=3, values_only=True))
    assert book["责任清单"]["A2"].value == "党组织"
    # 2 + 1 + 1 at the party group; 2 + 1 + 2 + 1 per branch (×2); 1 in the group.
    assert len(duties) == 4 + 6 * 2 + 1
    first = duties[0]
    assert first[:7] == (
        "普陀区绿化和市容管理局党组",
        "Leading party group",
        "局党组书记",
        "周局长",
        1,
        "Political building",
        "履行全面从严治党第一责任人职责",
    )
    vacant_committee = next(r for r in duties if r[0] == "第二党支部" and r[2] == "党支部委员")
    assert vacant_committee[3] == "【空缺】"
    members = next(r for r in duties if r[0] == "第一党支部" and r[2] == "党员")
    assert members[3] == "全体党员(1名)"
    vacancies = list(book["空缺岗位"].iter_rows(min_row=3, values_only=True))
    assert sorted((r[0], r[2], r[3]) for r in vacancies) == [
        ("普陀区绿化和市容管理局党组", "局党组副书记", 1),
        ("第一党小组", "党小组组长", 1),
        ("第一党支部", "党支部委员", 1),
        ("第二党支部", "党支部委员", 1),
    ]
    summary = list(book["组织汇总"].iter_rows(min_row=3, values_only=True))
    assert summary[0][2:] == (0, 1, 4)
    assert summary[1] == ("  第一党支部", "Branch", 1, 1, 2)


def test_the_excel_download_is_scoped(client, world):
    client.force_login(world.c.branch_secretary)
    response = client.get(reverse("duties-chain-xlsx", args=[world.c.branch1.pk]) + "?year=abc")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    orgs = {r[0] for r in book["责任清单"].iter_rows(min_row=3, values_only=True)}
    assert orgs == {"第一党支部", "第一党小组"}
    assert client.get(reverse("duties-chain-xlsx", args=[world.c.branch2.pk])).status_code == 404


def test_the_pdf_can_stop_one_level_down(client, world, tmp_path):
    client.force_login(world.c.bureau_secretary)
    url = reverse("duties-chain-pdf", args=[world.c.putuo.pk])
    response = client.get(url, {"depth": "1"})
    assert response.status_code == 200
    pdf = tmp_path / "short.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(  # noqa: S603 - fixed arguments
        ["pdftotext", str(pdf), "-"],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert "第一党支部" in text and "第二党支部" in text
    assert "第一党小组" not in text


def test_a_big_chain_prints_in_the_background(  # type: ignore[no-untyped-def]
    client, world, settings, tmp_path, django_capture_on_commit_callbacks
):
    from juli.core.models import ExportJob
    from juli.duties import exports as duty_exports

    settings.MEDIA_ROOT = tmp_path / "media"
    duty_exports.PDF_INLINE_MAX_ORGS, saved = 1, duty_exports.PDF_INLINE_MAX_ORGS
    try:
        client.force_login(world.c.bureau_secretary)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(reverse("duties-chain-pdf", args=[world.c.putuo.pk]))
    finally:
        duty_exports.PDF_INLINE_MAX_ORGS = saved
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("export-status", args=[job.pk])
    # The immediate task backend of the tests made the file when the request committed.
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert reverse("export-download", args=[job.pk]) in page.content.decode()
    download = client.get(reverse("export-download", args=[job.pk]))
    assert download.status_code == 200
    pdf = tmp_path / "chain.pdf"
    pdf.write_bytes(b"".join(download.streaming_content))
    text = subprocess.run(  # noqa: S603
        ["pdftotext", str(pdf), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "责任" in text
    # Someone else cannot see the job or its file.
    client.force_login(world.c.sibling_secretary)
    assert client.get(reverse("export-status", args=[job.pk])).status_code == 404
    assert client.get(reverse("export-download", args=[job.pk])).status_code == 404

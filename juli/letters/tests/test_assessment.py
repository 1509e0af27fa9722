"""Year-end assessment: pre-filled from the evidence, totals and grades computed exactly,
a changed score needs a reason, and the comparison exports to Excel and PDF."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from juli.core.models import AuditLog
from juli.letters import actions, queries
from juli.letters.models import Letter, LetterItem, Status

from .conftest import sign_both


@pytest.mark.parametrize(
    ("total", "full", "grade"),
    [
        (Decimal("100"), Decimal("100"), "excellent"),
        (Decimal("90.0"), Decimal("100"), "excellent"),
        (Decimal("89.9"), Decimal("100"), "good"),
        (Decimal("80"), Decimal("100"), "good"),
        (Decimal("79.9"), Decimal("100"), "pass"),
        (Decimal("60"), Decimal("100"), "pass"),
        (Decimal("59.9"), Decimal("100"), "fail"),
        (Decimal("0"), Decimal("100"), "fail"),
        (Decimal("108"), Decimal("120"), "excellent"),  # 90 % of a 120-point letter
        (Decimal("107.9"), Decimal("120"), "good"),
        (Decimal("5"), Decimal("0"), "fail"),
    ],
)
def test_it_grades_by_the_bands(total: Decimal, full: Decimal, grade: str) -> None:
    assert actions.grade_for(total, full) == grade


def _items(letter: Letter) -> list[LetterItem]:
    return list(letter.items.order_by("order"))


def test_the_assessment_opens_prefilled_from_the_evidence(world: Any) -> None:
    letter = sign_both(world)
    first, second, *_rest = _items(letter)
    actions.add_evidence(
        world.c.branch_secretary, letter, title="第一议题学习记录", items=[first], note="12次"
    )
    actions.add_evidence(
        world.c.branch_secretary, letter, title="党员大会照片", items=[first, second], note="4次"
    )
    views = queries.items_with_evidence(letter)
    assert [v.suggested_score for v in views] == [Decimal("20"), Decimal("30"), None, None]
    assert views[0].suggested_remark == "第一议题学习记录；党员大会照片"
    assert views[1].suggested_remark == "党员大会照片"


def test_self_assessment_then_review_give_exact_totals_and_grade(world: Any) -> None:
    c = world.c
    letter = sign_both(world)
    a, b, d, e = _items(letter)
    actions.save_self_assessment(
        c.branch_secretary,
        letter,
        {a.pk: ("20", "全年12次"), b.pk: ("28.5", ""), d.pk: ("25", ""), e.pk: ("24.25", "")},
        remark="全面完成",
        submit=True,
    )
    letter.refresh_from_db()
    assert letter.status == Status.SELF_ASSESSED
    assert letter.self_total == Decimal("97.8")  # 24.25 rounds half up to 24.3
    # Changing a score without a reason is refused, and nothing is saved.
    with pytest.raises(ValidationError) as caught:
        actions.save_review(c.bureau_secretary, letter, {d.pk: ("20", "")}, finish=True)
    assert caught.value.code == "reason_required"
    assert LetterItem.objects.get(pk=d.pk).review_score is None
    actions.save_review(
        c.bureau_secretary,
        letter,
        {d.pk: ("15", "志愿服务时长不足"), e.pk: ("10.5", "重点工作未完成")},
        finish=True,
    )
    letter.refresh_from_db()
    assert letter.status == Status.REVIEWED
    # 20 + 28.5 (kept) + 15 + 10.5 = 74.0 → 合格
    assert letter.final_total == Decimal("74.0")
    assert letter.grade == "pass"
    actions.publish(c.bureau_secretary, letter)
    letter.refresh_from_db()
    assert letter.status == Status.PUBLISHED and letter.published_at is not None
    assert [e.action for e in letter.events.all()][-3:] == ["self_assess", "review", "publish"]


@pytest.mark.parametrize("score", ["-1", "20.1", "abc", "NaN", "1e9"])
def test_it_refuses_scores_outside_the_items_points(world: Any, score: str) -> None:
    letter = sign_both(world)
    first = _items(letter)[0]
    before = AuditLog.objects.count()
    with pytest.raises(ValidationError) as caught:
        actions.save_self_assessment(world.c.branch_secretary, letter, {first.pk: (score, "")})
    assert caught.value.code == "invalid_score"
    assert AuditLog.objects.count() == before


def test_only_the_receiver_self_assesses_and_only_complete_ones_are_submitted(world: Any) -> None:
    letter = sign_both(world)
    first = _items(letter)[0]
    for who in ("bureau_secretary", "sibling_secretary"):
        with pytest.raises(PermissionDenied):
            actions.save_self_assessment(getattr(world.c, who), letter, {first.pk: ("1", "")})
    with pytest.raises(ValidationError) as caught:
        actions.save_self_assessment(
            world.c.branch_secretary, letter, {first.pk: ("1", "")}, submit=True
        )
    assert caught.value.code == "incomplete"
    with pytest.raises(PermissionDenied):
        actions.save_review(world.c.branch_secretary, letter, {}, finish=True)


def test_a_returned_self_assessment_can_be_redone(world: Any) -> None:
    c = world.c
    letter = sign_both(world)
    scores = {i.pk: (i.points, "") for i in _items(letter)}
    actions.save_self_assessment(c.branch_secretary, letter, scores, submit=True)
    with pytest.raises(ValidationError):
        actions.return_self_assessment(c.bureau_secretary, letter, note=" ")
    actions.return_self_assessment(c.bureau_secretary, letter, note="请补充佐证")
    letter.refresh_from_db()
    assert letter.status == Status.SIGNED
    actions.save_self_assessment(c.branch_secretary, letter, scores, submit=True)
    assert Letter.objects.get(pk=letter.pk).status == Status.SELF_ASSESSED


def test_the_assessment_page_saves_and_submits(client: Any, world: Any) -> None:
    letter = sign_both(world)
    items = _items(letter)
    actions.add_evidence(
        world.c.branch_secretary, letter, title="学习记录", items=[items[0]], note="x"
    )
    client.force_login(world.c.branch_secretary)
    page = client.get(f"/letters/{letter.pk}/assessment/")
    body = page.content.decode()
    assert f'name="score-{items[0].pk}" value="20.0"' in body
    assert f'name="score-{items[1].pk}" value=""' in body
    assert "学习记录</textarea>" in body
    data = {f"score-{i.pk}": str(i.points) for i in items} | {f"remark-{i.pk}": "" for i in items}
    assert (
        client.post(
            f"/letters/{letter.pk}/assessment/", {**data, "what": "self_submit"}
        ).status_code
        == 302
    )
    letter.refresh_from_db()
    assert (letter.status, letter.self_total) == ("self_assessed", Decimal("100.0"))


def test_the_comparison_exports_to_excel_and_pdf(client: Any, world: Any, tmp_path: Any) -> None:
    import subprocess  # noqa: S404

    letter = sign_both(world)
    scores = {i.pk: (i.points, "") for i in _items(letter)}
    actions.save_self_assessment(world.c.branch_secretary, letter, scores, submit=True)
    actions.save_review(world.c.bureau_secretary, letter, {}, finish=True)
    client.force_login(world.c.bureau_secretary)
    url = f"/letters/templates/{world.template.pk}/compare/"
    response = client.get(url, {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert rows[0][:3] == ["第一党支部", "Reviewed", 4]
    assert rows[0][5:9] == [100, 100, 100, "Excellent"]
    assert rows[1][0] == "第二党支部" and rows[1][7] is None
    pdf = client.get(url, {"format": "pdf"})
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf.content)
    args = ["/usr/bin/pdftotext", "-layout", str(path), "-"]
    text = subprocess.run(args, capture_output=True, check=True).stdout.decode()  # noqa: S603
    assert "第一党支部" in text and "第二党支部" in text and "100.0" in text
    # The sibling branch's secretary reaches neither.
    client.force_login(world.c.sibling_secretary)
    assert client.get(url).status_code == 404

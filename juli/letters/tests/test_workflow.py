"""Templates, issuing, organisation-specific items, evidence, the signing session and the
API writes."""

from __future__ import annotations

import io
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from juli.conftest import PASSWORD
from juli.core.models import AuditLog
from juli.letters import actions, queries
from juli.letters.models import Evidence, Letter, LetterTemplate, Signature, Status

from .conftest import SIGNATURE, make_template, sign_both


def test_a_template_is_copied_to_next_year_with_its_items(cast: Any) -> None:
    template = make_template(cast, year=2025)
    with pytest.raises(PermissionDenied):
        actions.copy_template(cast.branch_secretary, template, year=2026)
    copy = actions.copy_template(cast.bureau_secretary, template, year=2026)
    assert copy.title == "2026年度基层党建工作目标责任书"
    assert copy.copied_from_id == template.pk
    assert [(i.section, i.content, i.points) for i in copy.items.all()] == [
        (i.section, i.content, i.points) for i in template.items.all()
    ]
    with pytest.raises(ValidationError) as caught:
        actions.copy_template(cast.bureau_secretary, template, year=2026)
    assert caught.value.code == "duplicate"


def test_only_the_issuing_organisations_office_edits_its_templates(cast: Any) -> None:
    with pytest.raises(PermissionDenied):
        actions.create_template(
            cast.branch_secretary, cast.putuo, year=2026, level="branch", title="x"
        )
    with pytest.raises(PermissionDenied):
        actions.create_template(
            cast.district_admin, cast.putuo, year=2026, level="branch", title="x"
        )
    assert LetterTemplate.objects.count() == 0


def test_letters_are_prepared_in_bulk_bound_to_the_secretaries_posts(cast: Any) -> None:
    template = make_template(cast)
    assert [o.name for o in actions.receivers_for(template)] == ["第一党支部", "第二党支部"]
    letters = actions.prepare_letters(
        cast.bureau_secretary, template, actions.receivers_for(template)
    )
    assert len(letters) == 2
    first = Letter.objects.get(receiver_org=cast.branch1)
    assert first.issuer_post.person_id == cast.bureau_secretary_person.pk
    assert first.receiver_post.person_id == cast.branch_secretary_person.pk
    assert first.items.count() == 4 and first.status == Status.DRAFT
    # Preparing again keeps what exists.
    again = actions.prepare_letters(cast.bureau_secretary, template, [cast.branch1])
    assert again[0].pk == first.pk and Letter.objects.count() == 2
    # A specific item, then issue all drafts.
    actions.add_item(
        cast.bureau_secretary,
        first,
        section="特色工作",
        content="打造“绿色先锋”品牌",
        points=Decimal("10"),
    )
    assert actions.issue_letters(cast.bureau_secretary, Letter.objects.all()) == 2
    first.refresh_from_db()
    assert first.status == Status.ISSUED
    assert [i.specific for i in first.items.order_by("order")] == [False] * 4 + [True]
    assert first.total_points == Decimal("110")
    with pytest.raises(ValidationError) as caught:
        actions.issue_letter(cast.bureau_secretary, first)
    assert caught.value.code == "illegal_state"


def test_only_lower_organisations_receive_letters(cast: Any) -> None:
    template = make_template(cast)
    with pytest.raises(ValidationError) as caught:
        actions.prepare_letters(cast.bureau_secretary, template, [cast.lighting])
    assert caught.value.code == "not_below"


def _photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 30)).save(out, "JPEG")
    return SimpleUploadedFile("活动.jpg", out.getvalue(), "image/jpeg")


def test_evidence_files_are_checked_and_records_attach_once(world: Any) -> None:
    from juli.cases.models import Case

    c = world.c
    letter = sign_both(world)
    a, b, *_ = letter.items.order_by("order")
    photo = actions.add_evidence(c.branch_secretary, letter, title="", items=[a], upload=_photo())
    assert (photo.kind, photo.file_type, photo.title) == ("file", "image/jpeg", "活动.jpg")
    pdf = actions.add_evidence(
        c.branch_secretary,
        letter,
        title="台账",
        items=[a, b],
        upload=SimpleUploadedFile("台账.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    assert pdf.file_size == 15 and len(pdf.file_sha256) == 64
    before = AuditLog.objects.count()
    for name, data, code in [
        ("脚本.exe", b"MZ...", "unsupported_format"),
        ("假的.pdf", b"<html>", "mismatch"),
        ("假的.docx", b"%PDF-1.4", "mismatch"),
        ("空.pdf", b"", "empty"),
    ]:
        with pytest.raises(ValidationError) as caught:
            actions.add_evidence(
                c.branch_secretary,
                letter,
                title="x",
                items=[a],
                upload=SimpleUploadedFile(name, data),
            )
        assert caught.value.code == code, name
    with pytest.raises(ValidationError):
        actions.add_evidence(
            c.branch_secretary,
            letter,
            title="x",
            items=[a],
            upload=SimpleUploadedFile("坏.jpg", b"not a jpeg"),
        )
    with pytest.raises(ValidationError) as caught:
        actions.add_evidence(
            c.branch_secretary,
            letter,
            title="x",
            items=[world.sibling_letter.items.first()],
            note="x",
        )
    assert caught.value.code == "invalid"
    assert AuditLog.objects.count() == before
    # A closed case of the district, linked by the district... the branch cannot see it: 404.
    from django.http import Http404

    case = Case(pk=10**6)
    with pytest.raises(ValidationError):  # not a registered kind instance without a row
        actions.add_evidence(c.branch_secretary, letter, title="x", items=[a], record_obj=letter)
    with pytest.raises(Http404):
        actions.add_evidence(c.branch_secretary, letter, title="x", items=[a], record_obj=case)
    views = queries.items_with_evidence(letter)
    assert [len(v.evidence) for v in views] == [2, 1, 0, 0]


def test_a_record_is_linked_once_and_serves_several_items(world: Any) -> None:
    from juli.cases.models import Case

    c = world.c
    letter = sign_both(world)
    a, b, *_ = letter.items.order_by("order")
    case = _closed_case(c)
    ev = actions.add_evidence(None, letter, title="", items=[a, b], record_obj=case)
    assert ev.kind == "record" and ev.title.startswith(case.number)
    with pytest.raises(ValidationError) as caught:
        actions.add_evidence(None, letter, title="", items=[a], record_obj=case)
    assert caught.value.code == "already_linked"
    assert Case.objects.count() == 1
    rows = queries.evidence_rows(letter)
    assert rows[0]["record"] == f"{case.number} {case.title}"


def _closed_case(c: Any) -> Any:
    from juli.cases.models import Case, CaseCategory

    category = CaseCategory.objects.create(
        code="HW", name="环境卫生", time_limit=24, time_unit="hours"
    )
    return Case.objects.create(
        source=Case.Source.values[0],
        area_path=c.dapuqiao.path,
        category=category,
        area=c.dapuqiao,
        title="垃圾堆放",
        status=Case.Status.CLOSED,
        closed_at=timezone.now(),
        number="AJ-1",
    )


def test_the_signing_session_signs_letter_after_letter_on_one_device(
    client: Any, world: Any
) -> None:
    c = world.c
    client.force_login(c.bureau_secretary)
    url = f"/letters/templates/{world.template.pk}/session/"
    page = client.get(url).content.decode()
    assert "周局长" in page and "第一党支部" in page

    def post(letter: Letter, side: str, **extra: Any) -> Any:
        return client.post(
            url,
            {
                "letter": letter.pk,
                "side": side,
                "method": "drawn",
                "image": SIGNATURE,
                "client_uuid": str(uuid.uuid4()),
                **extra,
            },
        )

    assert post(world.letter, "issuer").status_code == 302
    # The branch secretary takes the device: without their password nothing happens.
    response = post(world.letter, "receiver")
    assert response.status_code == 200 and Signature.objects.count() == 1
    response = post(world.letter, "receiver", password="wrong")
    assert response.status_code == 200 and Signature.objects.count() == 1
    assert "单田芳" in client.get(url).content.decode()
    assert post(world.letter, "receiver", password=PASSWORD).status_code == 302
    world.letter.refresh_from_db()
    assert world.letter.status == Status.SIGNED
    sig = Signature.objects.get(letter=world.letter, side="receiver")
    assert sig.user_id == c.branch_secretary.pk  # signed as themselves
    # Next letter: the bureau secretary again, then the sibling branch's secretary.
    assert post(world.sibling_letter, "issuer").status_code == 302
    assert post(world.sibling_letter, "receiver", password=PASSWORD).status_code == 302
    assert Letter.objects.get(pk=world.sibling_letter.pk).status == Status.SIGNED
    assert "Every letter of this session is signed." in client.get(url).content.decode()


def test_the_api_signs_idempotently_and_assesses(client: Any, world: Any) -> None:
    c = world.c
    client.force_login(c.bureau_secretary)
    url = f"/api/v1/letters/{world.letter.pk}/sign/"
    key = str(uuid.uuid4())
    body = {"side": "issuer", "method": "drawn", "image": SIGNATURE, "client_uuid": key}
    first = client.post(url, body, content_type="application/json")
    assert first.status_code == 201
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    other = client.post(
        url, {**body, "client_uuid": str(uuid.uuid4())}, content_type="application/json"
    )
    assert (other.status_code, other.json()["code"]) == (409, "already_signed")
    blank = client.post(
        f"/api/v1/letters/{world.sibling_letter.pk}/sign/",
        {**body, "client_uuid": str(uuid.uuid4()), "image": "data:image/png;base64,AAAA"},
        content_type="application/json",
    )
    assert (blank.status_code, blank.json()["code"]) == (400, "not_png")
    client.force_login(c.branch_secretary)
    assert (
        client.post(
            url,
            {**body, "side": "receiver", "client_uuid": str(uuid.uuid4())},
            content_type="application/json",
        ).status_code
        == 201
    )
    items = list(world.letter.items.order_by("order"))
    scores = [{"item": i.pk, "score": str(i.points), "remark": ""} for i in items]
    response = client.post(
        f"/api/v1/letters/{world.letter.pk}/self-assessment/",
        {"scores": scores, "submit": True},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["self_total"] == "100.0"
    response = client.post(
        f"/api/v1/letters/{world.letter.pk}/review/",
        {"scores": [], "submit": True},
        content_type="application/json",
    )
    assert response.status_code == 403
    client.force_login(c.bureau_secretary)
    response = client.post(
        f"/api/v1/letters/{world.letter.pk}/review/",
        {"scores": [{"item": items[0].pk, "score": "10", "remark": ""}], "submit": True},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (400, "reason_required")
    response = client.post(
        f"/api/v1/letters/{world.letter.pk}/review/",
        {"scores": [{"item": items[0].pk, "score": "10", "remark": "记录不全"}], "submit": True},
        content_type="application/json",
    )
    assert response.json()["final_total"] == "90.0" and response.json()["grade"] == "excellent"


def test_the_api_adds_and_removes_evidence(client: Any, world: Any) -> None:
    letter = sign_both(world)
    item = letter.items.order_by("order")[0]
    client.force_login(world.c.branch_secretary)
    response = client.post(
        "/api/v1/evidence/",
        {"letter": letter.pk, "title": "照片", "items": [item.pk], "file": _photo()},
    )
    assert response.status_code == 201, response.content
    ev = Evidence.objects.get()
    client.force_login(world.c.sibling_secretary)
    assert client.delete(f"/api/v1/evidence/{ev.pk}/").status_code == 404
    response = client.post(
        "/api/v1/evidence/",
        {"letter": letter.pk, "title": "x", "items": [item.pk], "note": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404
    client.force_login(world.c.branch_secretary)
    assert client.delete(f"/api/v1/evidence/{ev.pk}/").status_code == 204
    assert Evidence.objects.count() == 0


def test_the_home_summary_lists_letters_and_what_waits_for_my_signature(world: Any) -> None:
    from django.template.loader import render_to_string

    c = world.c
    summary = queries.home_summary(c.branch_secretary, year=2026)
    assert [r["letter"].pk for r in summary["letters"]] == [world.letter.pk]
    assert [letter.pk for letter in summary["to_sign"]] == [world.letter.pk]
    actions.sign_letter(
        c.branch_secretary, world.letter, "receiver", method="drawn", image=SIGNATURE
    )
    assert queries.home_summary(c.branch_secretary, year=2026)["to_sign"] == []
    bureau = queries.home_summary(c.bureau_secretary, year=2026)
    assert len(bureau["letters"]) == 2 and len(bureau["to_sign"]) == 2
    assert queries.home_summary(c.outsider, year=2026)["letters"] == []
    html = render_to_string("letters/_home_card.html", {"letters_home": bureau})
    assert "第一党支部" in html and f"/letters/{world.letter.pk}/sign/" in html

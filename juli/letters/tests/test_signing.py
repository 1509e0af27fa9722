"""Signing: only the two bound posts sign; a change after signing voids both; replays are
idempotent; bad signature images are refused and change nothing."""

from __future__ import annotations

import base64
import io
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from PIL import Image

from juli.conftest import PASSWORD
from juli.core.models import AuditLog
from juli.letters import actions, integrity
from juli.letters.models import Letter, LetterEvent, Signature, Status
from juli.orgs import actions as org_actions
from juli.orgs.models import Post

from .conftest import SIGNATURE, data_url, sign_both, signature_png


def _counts() -> tuple[int, int, int]:
    return Signature.objects.count(), LetterEvent.objects.count(), AuditLog.objects.count()


def test_it_lets_the_two_bound_posts_sign_and_freezes_the_hash_at_the_first(world: Any) -> None:
    c = world.c
    first = actions.sign_letter(
        c.bureau_secretary, world.letter, "issuer", method="drawn", image=SIGNATURE
    )
    letter = Letter.objects.get(pk=world.letter.pk)
    assert letter.status == Status.PARTLY_SIGNED
    assert letter.content_hash == integrity.content_hash(letter) == first.content_hash
    assert len(letter.content_hash) == 64
    assert first.person_id == c.bureau_secretary_person.pk
    assert first.image.read().startswith(b"\x89PNG")
    second = actions.sign_letter(
        c.branch_secretary, letter, "receiver", method="drawn", image=SIGNATURE
    )
    letter.refresh_from_db()
    assert letter.status == Status.SIGNED
    assert second.content_hash == letter.content_hash
    assert letter.signed_at == second.signed_at
    assert [e.action for e in letter.events.all()] == ["create", "issue", "sign", "countersign"]
    assert AuditLog.objects.filter(verb="letter.sign").count() == 2


@pytest.mark.parametrize(
    ("who", "side", "error"),
    [
        ("branch_secretary", "issuer", PermissionDenied),  # sees the letter, not the issuer post
        ("bureau_secretary", "receiver", PermissionDenied),
        ("sibling_secretary", "receiver", Http404),  # another branch: the letter does not exist
        ("sibling_secretary", "issuer", Http404),
        ("outsider", "receiver", Http404),
        ("district_admin", "issuer", Http404),
        ("platform_admin", "issuer", PermissionDenied),  # a signature is personal
    ],
)
def test_it_refuses_anyone_but_the_holder_of_the_bound_post(
    world: Any, who: str, side: str, error: type[Exception]
) -> None:
    before = _counts()
    with pytest.raises(error):
        actions.sign_letter(
            getattr(world.c, who), world.letter, side, method="drawn", image=SIGNATURE
        )
    assert _counts() == before
    assert Letter.objects.get(pk=world.letter.pk).status == Status.ISSUED


def test_it_lets_the_successor_in_office_sign_and_not_the_predecessor(world: Any) -> None:
    c = world.c
    import datetime

    from django.utils import timezone

    post = world.letter.receiver_post
    # The secretary left yesterday (a post ended in the past).
    Post.objects.filter(pk=post.pk).update(
        ended_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    with pytest.raises(Http404):  # no post left: the letter is out of their scope
        actions.sign_letter(
            c.branch_secretary, world.letter, "receiver", method="drawn", image=SIGNATURE
        )
    successor = org_actions.create_person(
        None, name="新书记", phone="13900000077", party_org=c.branch1
    )
    org_actions.appoint(None, successor, "party_secretary", org=c.branch1)
    account = org_actions.create_account(
        None, successor, "new_secretary", PASSWORD, validate_password=False
    )
    sig = actions.sign_letter(account, world.letter, "receiver", method="drawn", image=SIGNATURE)
    assert sig.person_id == successor.pk


def test_it_voids_both_signatures_when_the_content_changes_after_signing(world: Any) -> None:
    letter = sign_both(world)
    old_hash = letter.content_hash
    item = letter.items.order_by("order").first()
    assert item is not None
    actions.update_item(world.c.bureau_secretary, item, points=Decimal("15"))
    letter.refresh_from_db()
    assert letter.status == Status.ISSUED
    assert letter.content_hash == ""
    assert Signature.objects.filter(letter=letter, voided_at__isnull=True).count() == 0
    assert Signature.objects.filter(letter=letter, voided_at__isnull=False).count() == 2
    void = letter.events.get(action="void")
    assert (void.from_status, void.to_status, void.content_hash) == ("signed", "issued", old_hash)
    assert (
        AuditLog.objects.filter(verb="letter.void_signatures", object_id=str(letter.pk)).count()
        == 1
    )
    # Both sign again: a new hash.
    letter = sign_both(world)
    assert letter.status == Status.SIGNED
    assert letter.content_hash not in ("", old_hash)


def test_it_voids_after_one_signature_too_and_not_on_a_change_that_changes_nothing(
    world: Any,
) -> None:
    c = world.c
    actions.sign_letter(c.bureau_secretary, world.letter, "issuer", method="drawn", image=SIGNATURE)
    letter = Letter.objects.get(pk=world.letter.pk)
    actions.update_letter(c.bureau_secretary, letter, title=letter.title, preamble=letter.preamble)
    assert Letter.objects.get(pk=letter.pk).status == Status.PARTLY_SIGNED
    actions.add_item(
        c.bureau_secretary, letter, section="特色工作", content="结对共建", points=Decimal("5")
    )
    letter.refresh_from_db()
    assert letter.status == Status.ISSUED
    assert letter.signatures.filter(voided_at__isnull=True).count() == 0


def test_it_refuses_content_changes_once_the_assessment_started(world: Any) -> None:
    letter = sign_both(world)
    scores = {i.pk: (i.points, "") for i in letter.items.all()}
    actions.save_self_assessment(world.c.branch_secretary, letter, scores, submit=True)
    item = letter.items.first()
    assert item is not None
    with pytest.raises(ValidationError) as caught:
        actions.update_item(world.c.bureau_secretary, item, content="改")
    assert caught.value.code == "illegal_state"


def test_a_replayed_signature_submission_returns_the_same_signature(world: Any) -> None:
    c = world.c
    key = uuid.uuid4()
    first = actions.sign_letter(
        c.bureau_secretary, world.letter, "issuer", method="drawn", image=SIGNATURE, client_uuid=key
    )
    before = _counts()
    again = actions.sign_letter(
        c.bureau_secretary, world.letter, "issuer", method="drawn", image=SIGNATURE, client_uuid=key
    )
    assert again.pk == first.pk
    assert _counts() == before
    # Without the same key, a second signature of the same side is refused.
    with pytest.raises(ValidationError) as caught:
        actions.sign_letter(
            c.bureau_secretary, world.letter, "issuer", method="drawn", image=SIGNATURE
        )
    assert caught.value.code == "already_signed"
    # The same key for another letter is a conflict.
    with pytest.raises(ValidationError) as caught:
        actions.sign_letter(
            c.bureau_secretary,
            world.sibling_letter,
            "issuer",
            method="drawn",
            image=SIGNATURE,
            client_uuid=key,
        )
    assert caught.value.code == "idempotency_conflict"


def test_a_replayed_page_post_signs_once(client: Any, world: Any) -> None:
    client.force_login(world.c.bureau_secretary)
    body = {
        "side": "issuer",
        "method": "drawn",
        "image": SIGNATURE,
        "client_uuid": str(uuid.uuid4()),
    }
    url = f"/letters/{world.letter.pk}/sign/"
    assert client.post(url, body).status_code == 302
    assert client.post(url, body).status_code == 302
    assert Signature.objects.filter(letter=world.letter).count() == 1


def _jpeg_url() -> str:
    out = io.BytesIO()
    Image.new("RGB", (300, 100), "black").save(out, "JPEG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _blank() -> str:
    out = io.BytesIO()
    Image.new("RGBA", (400, 150), (255, 255, 255, 0)).save(out, "PNG")
    return data_url(out.getvalue())


def _white() -> str:
    out = io.BytesIO()
    Image.new("RGB", (400, 150), "white").save(out, "PNG")
    return data_url(out.getvalue())


@pytest.mark.parametrize(
    ("image", "code"),
    [
        ("", "empty"),
        ("data:image/jpeg;base64,AAAA", "not_png"),
        ("data:image/png;base64,@@@notbase64", "not_png"),
        (_jpeg_url(), "not_png"),
        ("data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode(), "not_png"),
        (data_url(signature_png()[:60]), "truncated"),
        (data_url(signature_png(width=40, height=20, strokes=1)), "bad_size"),
        (data_url(signature_png(width=3000, height=150)), "bad_size"),
        (_blank(), "blank"),
        (_white(), "blank"),
        ("data:image/png;base64," + "A" * 500_000, "too_large"),
    ],
)
def test_it_refuses_bad_signature_images_and_changes_nothing(
    world: Any, image: str, code: str
) -> None:
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        actions.sign_letter(
            world.c.bureau_secretary, world.letter, "issuer", method="drawn", image=image
        )
    assert caught.value.code == code
    assert _counts() == before


def test_it_re_encodes_the_image_without_metadata(world: Any) -> None:
    from PIL import PngImagePlugin

    image = Image.open(io.BytesIO(signature_png()))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    sig = actions.sign_letter(
        world.c.bureau_secretary,
        world.letter,
        "issuer",
        method="drawn",
        image=data_url(out.getvalue()),
    )
    stored = sig.image.read()
    assert b"script" not in stored
    assert Image.open(io.BytesIO(stored)).size == (400, 150)


def test_it_signs_with_the_password_and_refuses_a_wrong_one(world: Any) -> None:
    c = world.c
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        actions.sign_letter(
            c.bureau_secretary, world.letter, "issuer", method="password", password="wrong"
        )
    assert caught.value.code == "wrong_password"
    with pytest.raises(ValidationError) as caught:
        actions.sign_letter(c.bureau_secretary, world.letter, "issuer", method="password")
    assert caught.value.code == "password_required"
    assert _counts() == before
    sig = actions.sign_letter(
        c.bureau_secretary, world.letter, "issuer", method="password", password=PASSWORD
    )
    assert (sig.method, bool(sig.image), sig.second_factor) == ("password", False, False)


def test_it_asks_for_the_second_factor_when_the_signer_has_one(world: Any) -> None:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    c = world.c
    device = TOTPDevice.objects.create(user=c.bureau_secretary, name="phone", confirmed=True)
    with pytest.raises(ValidationError) as caught:
        actions.sign_letter(
            c.bureau_secretary, world.letter, "issuer", method="password", password=PASSWORD
        )
    assert caught.value.code == "otp_required"
    with pytest.raises(ValidationError) as caught:
        actions.sign_letter(
            c.bureau_secretary,
            world.letter,
            "issuer",
            method="password",
            password=PASSWORD,
            otp="000000",
        )
    assert caught.value.code in {"wrong_otp"}
    token = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    sig = actions.sign_letter(
        c.bureau_secretary, world.letter, "issuer", method="password", password=PASSWORD, otp=token
    )
    assert sig.second_factor is True


def test_it_refuses_to_sign_a_draft(cast: Any) -> None:
    from .conftest import make_letters

    w = make_letters(cast, issue=False)
    with pytest.raises(ValidationError) as caught:
        actions.sign_letter(
            cast.bureau_secretary, w.letter, "issuer", method="drawn", image=SIGNATURE
        )
    assert caught.value.code == "illegal_state"


@pytest.mark.parametrize("load_truncated", [False, True])
def test_truncated_signatures_are_refused_whatever_pillow_is_told(
    monkeypatch: Any, load_truncated: bool
) -> None:
    """WeasyPrint sets LOAD_TRUNCATED_IMAGES process-wide; the pad's check must not depend on it."""
    from PIL import ImageFile

    from juli.core.signature_image import IEND, clean_signature

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", load_truncated)
    png = signature_png()
    for broken in (png[:60], png[:200] + IEND, png[:-30] + IEND):
        with pytest.raises(ValidationError) as caught:
            clean_signature(data_url(broken))
        assert caught.value.code == "truncated"
    assert clean_signature(data_url(png)).width == 400

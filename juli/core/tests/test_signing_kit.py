"""The signing kit: codes round-trip, the hash is frozen by content, the signer's password
and second factor are checked, a drawn signature is validated, and the public check page
dispatches a code to the kind that registered it."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured, ValidationError
from PIL import Image, ImageDraw

from juli.conftest import PASSWORD
from juli.core import signing, verification
from juli.core.signature_image import clean_signature
from juli.core.signing import DocumentKind

#: The versions of the test documents that were "signed": group id → frozen hash.
FROZEN: dict[int, str] = {}


def _content(group: Group) -> dict[str, Any]:
    return {"group": group.pk, "name": group.name}


TEST_KIND = DocumentKind(
    key="testkind",
    label="test document",
    model=Group,
    content=_content,
    lookup=lambda pk: Group.objects.filter(pk=pk).first(),
    frozen_hash=lambda group: FROZEN.get(group.pk, ""),
    is_signed=lambda group: group.pk in FROZEN,
    code_prefix="TK",
    texts={"tampered": "The test document was altered."},
)


@pytest.fixture
def kind(db: Any) -> Iterator[DocumentKind]:
    signing.register(TEST_KIND)
    yield TEST_KIND
    signing.unregister(TEST_KIND.key)
    FROZEN.clear()


def _signed_group(name: str = "调解协议") -> tuple[Group, str]:
    group = Group.objects.create(name=name)
    FROZEN[group.pk] = signing.content_hash(group)
    return group, verification.verification_code(group)


def _png(width: int = 400, height: int = 150) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(30, 40), (200, 110), (370, 30)], fill=(0, 0, 0, 255), width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _data_url(raw: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(raw).decode()


# --- Codes -------------------------------------------------------------------------------------


def test_it_round_trips_a_code(kind: DocumentKind) -> None:
    digest = "ab" * 32
    code = verification.code_for(kind, 42, digest)
    assert re.fullmatch(r"TK-42-[A-Z2-7]{5}-[A-Z2-7]{5}", code)
    assert code == verification.code_for("testkind", 42, digest)
    typed = f" {code[:-6].lower()}{code[-5:].lower()} "  # lower case, no middle hyphen
    parsed = verification.parse_code(typed)
    assert parsed == verification.ParsedCode(kind, 42, code)
    assert verification.parse_code(f"验证码：{code}。") == parsed
    # Another version, another document or another kind: another code.
    assert verification.code_for(kind, 42, "cd" * 32) != code
    assert verification.code_for(kind, 43, digest)[3:] != code[3:]
    letter_code = verification.code_for("letter", 42, digest)
    assert re.fullmatch(r"42-[A-Z2-7]{5}-[A-Z2-7]{5}", letter_code)
    assert letter_code != code[3:]
    # Letters' codes have no prefix; an unknown prefix is not part of the code.
    assert verification.parse_code(letter_code) == verification.ParsedCode(
        signing.get_kind("letter"), 42, letter_code
    )
    assert verification.normalise_code("ZZ-" + letter_code) == letter_code
    assert verification.parse_code("no code here") is None
    assert verification.parse_code("") is None


# --- The hash ----------------------------------------------------------------------------------


def test_it_freezes_the_hash_by_content(kind: DocumentKind) -> None:
    content = {"b": ["1.0", 2], "a": "党建引领"}
    assert signing.canonical_json(content) == '{"a":"党建引领","b":["1.0",2]}'
    assert (
        signing.hash_content(content)
        == hashlib.sha256('{"a":"党建引领","b":["1.0",2]}'.encode()).hexdigest()
    )
    assert signing.hash_content({"a": "党建引领", "b": ["1.0", 2]}) == signing.hash_content(content)
    with pytest.raises(TypeError):
        signing.canonical_json({"points": Decimal("1.0")})

    group, code = _signed_group()
    assert verification.verify(code).state == "valid"
    assert verification.verify(code).document == group
    # Someone renames the record behind Juli's back: the code is right, the content is not.
    Group.objects.filter(pk=group.pk).update(name="改过的协议")
    verdict = verification.verify(code)
    assert (verdict.state, verdict.document, verdict.kind) == ("tampered", group, kind)
    # Signed again: the old code belongs to an earlier version the kind does not list.
    group.refresh_from_db()
    FROZEN[group.pk] = signing.content_hash(group)
    assert verification.verify(code).state == "unknown"
    assert verification.verify(verification.verification_code(group)).state == "valid"
    # Unsigned: no code.
    del FROZEN[group.pk]
    assert verification.verification_code(group) == ""


def test_it_refuses_another_kind_under_a_taken_key_model_or_prefix(kind: DocumentKind) -> None:
    assert signing.register(TEST_KIND) is TEST_KIND  # the same kind again is harmless
    assert signing.get_kind("testkind") is TEST_KIND
    assert signing.kind_of(Group) is TEST_KIND
    with pytest.raises(ImproperlyConfigured, match="already registered"):
        signing.register(DocumentKind(**{**TEST_KIND.__dict__, "code_prefix": "TX"}))
    with pytest.raises(ImproperlyConfigured, match="already the signable kind 'testkind'"):
        signing.register(DocumentKind(**{**TEST_KIND.__dict__, "key": "other", "code_prefix": "X"}))
    with pytest.raises(ImproperlyConfigured, match="Code prefix 'TK' is already used"):
        from juli.core.models import AuditLog

        signing.register(DocumentKind(**{**TEST_KIND.__dict__, "key": "other", "model": AuditLog}))
    with pytest.raises(LookupError):
        signing.get_kind("nothing")
    # Letters registered themselves from `juli/letters/signables.py`.
    from juli.letters.models import Letter

    assert signing.get_kind("letter").model is Letter


# --- The signer --------------------------------------------------------------------------------


class SigningRefused(ValidationError):
    pass


def test_it_refuses_a_wrong_password_or_otp(cast: Any) -> None:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = cast.bureau_secretary
    for password, code, message in [
        ("", "password_required", "Enter your password to sign."),
        ("wrong", "wrong_password", "The password is not right."),
    ]:
        with pytest.raises(SigningRefused) as caught:
            signing.confirm_signer(user, password, "", error=SigningRefused)
        assert (caught.value.code, caught.value.messages) == (code, [message])
    assert signing.confirm_signer(user, PASSWORD) is False  # no second factor to check

    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    with pytest.raises(ValidationError) as refused:
        signing.confirm_signer(user, PASSWORD, " ")
    assert (refused.value.code, refused.value.messages) == (
        "otp_required",
        ["Enter the code from your authenticator app."],
    )
    with pytest.raises(ValidationError) as refused:
        signing.confirm_signer(user, PASSWORD, "000000")
    assert (refused.value.code, refused.value.messages) == (
        "wrong_otp",
        ["That code is not right."],
    )
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # a wrong code counts against the device
    device.throttle_reset()
    token = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    assert signing.confirm_signer(user, PASSWORD, token) is True


# --- The drawn signature -----------------------------------------------------------------------


def test_it_validates_a_drawn_signature_image() -> None:
    cleaned = clean_signature(_data_url(_png()))
    assert (cleaned.width, cleaned.height) == (400, 150)
    assert cleaned.png.startswith(b"\x89PNG\r\n\x1a\n")
    assert cleaned.sha256 == hashlib.sha256(cleaned.png).hexdigest()
    refusals = [
        (
            "data:image/png;base64," + "A" * 500_000,
            "too_large",
            "The signature image is too large.",
        ),
        (
            _data_url(b"\xff\xd8\xff\xe0 a JPEG renamed"),
            "not_png",
            "The signature must be a PNG image from the signature pad.",
        ),
        (
            "data:text/html;base64,PHNjcmlwdD4=",
            "not_png",
            "The signature must be a PNG image from the signature pad.",
        ),
        (_data_url(_png(4000, 150)), "bad_size", "The signature image has an impossible size."),
        ("", "empty", "Draw your signature first."),
    ]
    for data_url, code, message in refusals:
        with pytest.raises(ValidationError) as caught:
            clean_signature(data_url)
        assert (caught.value.code, caught.value.messages) == (code, [message])


# --- The check page ----------------------------------------------------------------------------


def test_it_dispatches_the_check_page_to_a_registered_kind(client: Any, kind: DocumentKind) -> None:
    group, code = _signed_group()
    page = client.get("/verify/", {"code": code})
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-state="valid" data-kind="testkind"' in body
    assert "<h1>Verify a signed document</h1>" in body
    # Letters' own page answers letters' codes only.
    page = client.get("/letters/verify/", {"code": code})
    assert 'data-state="unknown" data-kind="letter"' in page.content.decode()
    assert "<h1>Verify a responsibility letter</h1>" in page.content.decode()
    # The verdict speaks with the kind's words.
    Group.objects.filter(pk=group.pk).update(name="改过的协议")
    body = client.post("/verify/", {"code": code}).content.decode()
    assert 'data-state="tampered" data-kind="testkind"' in body
    assert "<p>The test document was altered.</p>" in body
    body = client.get("/verify/", {"code": "TK-999999-AAAAA-AAAAA"}).content.decode()
    assert 'data-state="unknown"' in body
    assert "Juli knows no signed document with this code. Check the code as printed." in body


def test_it_checks_a_letter_code_on_the_general_page(client: Any, cast: Any) -> None:
    from juli.letters.tests.conftest import make_letters, sign_both

    letter = sign_both(make_letters(cast))
    code = verification.verification_code(letter)
    body = client.get("/verify/", {"code": code}).content.decode()
    assert 'data-state="valid" data-kind="letter"' in body
    assert f'<code class="hash">{letter.content_hash}</code>' in body
    assert "单田芳" in body and "周局长" in body

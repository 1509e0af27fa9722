"""The photo pipeline: what is refused (and leaves nothing behind), what is read, what is kept."""

from __future__ import annotations

import datetime
import io
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from juli.core import actions
from juli.core.models import Upload
from juli.core.uploads import HEIF_SUPPORTED, clean_image, sniff

from .conftest import image_bytes, png_header_only, stored_files, upload_file

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def noisy_jpeg(size: tuple[int, int] = (200, 200)) -> bytes:
    image = Image.effect_noise(size, 64).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


BAD_IMAGES = {
    "zero bytes": (b"", "empty", "The photo is empty (zero bytes)."),
    "truncated jpeg": (
        noisy_jpeg()[:2000],
        "truncated",
        "The photo is damaged or incomplete; take or send it again.",
    ),
    "pixel bomb": (
        png_header_only(20000, 20000),
        "too_many_pixels",
        "The photo has more than 40 million pixels.",
    ),
    "html disguised as jpeg": (
        b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        "not_an_image",
        "This file is not a photo.",
    ),
    "50 MB": (
        b"\xff\xd8\xff\xe0" + b"\x00" * (50 * 1024 * 1024),
        "too_large",
        "The photo is larger than 15 MB.",
    ),
    "gif": (
        image_bytes(fmt="GIF"),
        "unsupported_format",
        "Photos must be JPEG, PNG or HEIC; this file is GIF.",
    ),
    "bmp": (
        image_bytes(fmt="BMP"),
        "unsupported_format",
        "Photos must be JPEG, PNG or HEIC; this file is BMP.",
    ),
    "svg": (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>',
        "unsupported_format",
        "Photos must be JPEG, PNG or HEIC; this file is SVG.",
    ),
    "png header then garbage": (
        b"\x89PNG\r\n\x1a\n" + b"garbage" * 20,
        "truncated",
        "The photo is damaged or incomplete; take or send it again.",
    ),
}


@pytest.mark.parametrize("case", BAD_IMAGES.keys())
def test_it_refuses_bad_images_with_a_clear_message(case: str) -> None:
    data, code, message = BAD_IMAGES[case]
    with pytest.raises(ValidationError) as refused:
        clean_image(upload_file(data))
    assert refused.value.code == code
    assert refused.value.messages == [message]


@pytest.mark.parametrize("case", BAD_IMAGES.keys())
def test_it_stages_nothing_for_a_bad_image(cast, media, case: str) -> None:  # type: ignore[no-untyped-def]
    data, code, _message = BAD_IMAGES[case]
    with pytest.raises(ValidationError) as refused:
        actions.stage_upload(cast.inspector, client_uuid=uuid.uuid4(), file=upload_file(data))
    assert refused.value.code == code
    assert Upload.objects.count() == 0
    assert stored_files(media) == []


def test_it_refuses_an_image_between_the_cap_and_twice_the_cap(settings) -> None:  # type: ignore[no-untyped-def]
    # Pillow only warns below twice MAX_IMAGE_PIXELS: the warning is a refusal too.
    settings.JULI_MAX_IMAGE_PIXELS = 10_000
    with pytest.raises(ValidationError) as refused:
        clean_image(upload_file(image_bytes(size=(150, 100))))
    assert refused.value.code == "too_many_pixels"
    assert refused.value.messages == ["The photo has more than 0.01 million pixels."]


def test_it_decides_by_content_not_by_name_or_type() -> None:
    png = image_bytes(fmt="PNG", size=(30, 20))
    clean = clean_image(upload_file(png, name="evil.html", content_type="text/html"))
    assert (clean.width, clean.height) == (30, 20)
    assert clean.content.read(3) == b"\xff\xd8\xff"
    assert str(clean.content.name).endswith(".jpg")
    assert clean.content.name != "evil.html"


def test_it_sniffs_the_kinds() -> None:
    assert sniff(image_bytes()[:64]) == "jpeg"
    assert sniff(image_bytes(fmt="PNG")[:64]) == "png"
    assert sniff(image_bytes(fmt="GIF")[:64]) == "gif"
    assert sniff(image_bytes(fmt="WEBP")[:64]) == "webp"
    assert sniff(image_bytes(fmt="TIFF")[:64]) == "tiff"
    assert sniff(b"hello world") is None


def exif_with_time_and_gps(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = "2026:11:20 09:30:15"
    sub[0x9011] = "+08:00"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (31.0, 12.0, 36.0)
    gps[3] = "E"
    gps[4] = (121.0, 28.0, 12.0)
    exif[0x010F] = "PhoneMaker"  # Make: must not survive either
    if orientation is not None:
        exif[0x0112] = orientation
    return exif


def test_it_reads_capture_time_and_gps_then_strips_exif() -> None:
    data = image_bytes(size=(64, 48), exif=exif_with_time_and_gps())
    clean = clean_image(upload_file(data))
    assert clean.taken_at == datetime.datetime(2026, 11, 20, 9, 30, 15, tzinfo=SHANGHAI)
    assert clean.lat == Decimal("31.210000")
    assert clean.lng == Decimal("121.470000")
    stored = Image.open(io.BytesIO(clean.content.read()))
    assert stored.format == "JPEG"
    assert dict(stored.getexif()) == {}
    assert "exif" not in stored.info
    assert b"PhoneMaker" not in clean.content.open().read()


def test_it_reads_southern_and_western_positions_and_uses_local_time_without_offset() -> None:
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2026:01:02 03:04:05"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "S", (33.0, 52.0, 12.0), "W", (70.0, 30.0, 0.0)
    clean = clean_image(upload_file(image_bytes(exif=exif)))
    assert clean.taken_at == datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=SHANGHAI)
    assert clean.lat == Decimal("-33.870000")
    assert clean.lng == Decimal("-70.500000")


def test_it_leaves_time_and_place_empty_without_exif() -> None:
    clean = clean_image(upload_file(image_bytes()))
    assert (clean.taken_at, clean.lat, clean.lng) == (None, None, None)


def test_it_applies_the_exif_orientation() -> None:
    # 40×20: left half red, right half blue; orientation 6 = the camera was turned 90°.
    image = Image.new("RGB", (40, 20), (255, 0, 0))
    image.paste((0, 0, 255), (20, 0, 40, 20))
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, quality=95)
    clean = clean_image(upload_file(buffer.getvalue()))
    assert (clean.width, clean.height) == (20, 40)
    upright = Image.open(io.BytesIO(clean.content.read())).convert("RGB")
    top, bottom = upright.getpixel((10, 5)), upright.getpixel((10, 35))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert (top[0] > 200, top[2] < 60) == (True, True)  # red on top
    assert (bottom[0] < 60, bottom[2] > 200) == (True, True)  # blue below
    assert 0x0112 not in upright.getexif()


def test_it_scales_down_to_the_maximum_edge(settings) -> None:  # type: ignore[no-untyped-def]
    settings.JULI_MAX_IMAGE_EDGE = 100
    clean = clean_image(upload_file(image_bytes(size=(400, 300))))
    assert (clean.width, clean.height) == (100, 75)


def test_it_flattens_transparency_on_white() -> None:
    image = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    clean = clean_image(upload_file(buffer.getvalue(), name="x.png"))
    pixel = Image.open(io.BytesIO(clean.content.read())).getpixel((5, 5))
    assert pixel == (255, 255, 255)


def test_it_hashes_the_reencoded_bytes() -> None:
    import hashlib

    clean = clean_image(upload_file(image_bytes()))
    assert clean.sha256 == hashlib.sha256(clean.content.read()).hexdigest()


@pytest.mark.skipif(not HEIF_SUPPORTED, reason="pillow-heif is not installed")
def test_it_accepts_heic_made_by_pillow_heif() -> None:
    data = image_bytes(size=(64, 48), fmt="HEIF", exif=exif_with_time_and_gps())
    assert data[4:12] == b"ftypheic"
    clean = clean_image(upload_file(data, name="IMG_0001.HEIC", content_type="image/heic"))
    assert (clean.width, clean.height) == (64, 48)
    assert clean.taken_at == datetime.datetime(2026, 11, 20, 9, 30, 15, tzinfo=SHANGHAI)
    assert clean.lat == Decimal("31.210000")
    stored = Image.open(io.BytesIO(clean.content.read()))
    assert stored.format == "JPEG"
    assert dict(stored.getexif()) == {}


@pytest.mark.skipif(not HEIF_SUPPORTED, reason="pillow-heif is not installed")
def test_it_refuses_a_truncated_heic() -> None:
    data = image_bytes(size=(256, 256), fmt="HEIF")
    with pytest.raises(ValidationError) as refused:
        clean_image(upload_file(data[: len(data) // 2]))
    assert refused.value.code == "truncated"

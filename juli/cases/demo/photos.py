"""Tiny generated photos: a 64×48 JPEG per picture, so that a build of months stays fast.

A before-photo is a muddy scene with a dark heap in it; an after-photo is the same kind of
scene, lighter and clean. Colours are drawn from the demo's generator, so every picture of a
build differs and two builds draw the same ones.
"""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from juli.cases.actions import PhotoUpload

WIDTH, HEIGHT = 64, 48


def _jpeg(rng: random.Random, *, before: bool) -> bytes:
    if before:
        ground = (rng.randint(90, 150), rng.randint(80, 120), rng.randint(60, 100))
        mark = (rng.randint(20, 70), rng.randint(20, 60), rng.randint(10, 50))
    else:
        ground = (rng.randint(150, 210), rng.randint(170, 230), rng.randint(150, 210))
        mark = (rng.randint(60, 120), rng.randint(140, 200), rng.randint(60, 120))
    sky = (rng.randint(150, 200), rng.randint(180, 220), rng.randint(210, 250))
    image = Image.new("RGB", (WIDTH, HEIGHT), sky)
    draw = ImageDraw.Draw(image)
    horizon = rng.randint(14, 24)
    draw.rectangle((0, horizon, WIDTH, HEIGHT), fill=ground)
    x, y = rng.randint(6, 36), rng.randint(horizon + 2, 34)
    if before:
        draw.ellipse((x, y, x + rng.randint(12, 24), y + rng.randint(8, 12)), fill=mark)
    else:
        draw.rectangle((x, y - 10, x + 4, y + 6), fill=mark)  # a tidy post or tree
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


def demo_photo(
    rng: random.Random,
    *,
    before: bool,
    taken_at: datetime.datetime,
    lat: Decimal | None,
    lng: Decimal | None,
) -> PhotoUpload:
    """One generated photo with the metadata the photo pipeline would have read from it."""
    kind = "before" if before else "after"
    meta = {"width": WIDTH, "height": HEIGHT, "taken_at": taken_at}
    if lat is not None and lng is not None:
        meta.update(lat=lat, lng=lng)
    return PhotoUpload(ContentFile(_jpeg(rng, before=before), name=f"{kind}.jpg"), meta)

"""`make run` (DEBUG) serves from media/ what nginx serves in production and nothing more.

deploy/nginx/juli.conf serves the photo folders (`PHOTO_FOLDERS`: re-encoded JPEGs under
random names) and answers 404 for the rest of media/; letter evidence, signatures and
exports go through Juli's views, which check access. The development server does the same,
so that trying things out on a laptop never publishes a letter's evidence.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches, reverse

from juli.core.actions import PHOTO_FOLDERS
from juli.letters import actions as letter_actions
from juli.letters.models import Signature
from juli.letters.tests.conftest import make_letters, sign_both

JPEG = b"\xff\xd8\xff\xe0 a photo \xff\xd9"


def _reload_urls() -> None:
    import config.urls

    importlib.reload(config.urls)
    clear_url_caches()


@pytest.fixture
def debug_urls(settings: Any) -> Iterator[None]:
    """The URLconf as `make run` builds it (DEBUG on), put back afterwards."""
    was = settings.DEBUG
    settings.DEBUG = True
    _reload_urls()
    yield
    settings.DEBUG = was
    _reload_urls()


@pytest.fixture
def media(cast: Any, settings: Any) -> SimpleNamespace:
    w = make_letters(cast)
    w.letter = sign_both(w)
    w.evidence = letter_actions.add_evidence(
        cast.branch_secretary,
        w.letter,
        title="会议记录",
        items=[w.letter.items.first()],
        upload=SimpleUploadedFile("记录.pdf", b"%PDF-1.4 evidence", "application/pdf"),
    )
    w.signature = Signature.objects.filter(letter=w.letter).exclude(image="").first()
    root = Path(settings.MEDIA_ROOT)
    w.photos = {}
    for folder in PHOTO_FOLDERS:
        name = f"{folder}/2026/12/3f2c1a9b8d7e4f60a1b2c3d4e5f60718.jpg"
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(JPEG)
        w.photos[folder] = name
    (root / "exports").mkdir(parents=True, exist_ok=True)
    (root / "exports" / "cases-1.xlsx").write_bytes(b"PK export")
    (root / "secret.txt").write_bytes(b"top")
    return w


@pytest.mark.parametrize("folder", PHOTO_FOLDERS)
def test_in_debug_it_serves_the_photo_folders_as_nginx_does(
    client: Any, media: SimpleNamespace, debug_urls: None, folder: str
) -> None:
    response = client.get(f"/media/{media.photos[folder]}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == JPEG
    assert response["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize("who", ["anonymous", "outsider", "branch_secretary", "platform_admin"])
def test_in_debug_it_serves_nothing_else_from_media_to_anyone(
    client: Any, media: SimpleNamespace, debug_urls: None, who: str
) -> None:
    if who != "anonymous":
        client.force_login(getattr(media.c, who))
    assert media.evidence.file.name.startswith("letters/evidence/")
    assert media.signature.image.name.startswith("letters/signatures/")
    for name in (
        media.evidence.file.name,
        media.signature.image.name,
        "exports/cases-1.xlsx",
        "secret.txt",
    ):
        assert client.get(f"/media/{name}").status_code == 404, name


def test_in_debug_a_photo_folder_path_cannot_climb_out_of_its_folder(
    client: Any, media: SimpleNamespace, debug_urls: None
) -> None:
    response = client.get(f"/media/cases/../{media.evidence.file.name}")
    assert response.status_code == 404
    response = client.get("/media/uploads/../secret.txt")
    assert response.status_code == 404


def test_the_evidence_is_served_by_its_view_which_checks_access(
    client: Any, media: SimpleNamespace, debug_urls: None
) -> None:
    url = reverse("letter-evidence-file", args=[media.evidence.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(media.c.outsider)
    assert client.get(url).status_code == 404
    client.force_login(media.c.branch_secretary)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 evidence"

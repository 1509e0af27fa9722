"""Uploaded files go to local disk by default and to an S3-compatible store by configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import django
django.setup()
from django.core.files.storage import default_storage, storages
s = storages["default"]
print(type(s).__module__ + "." + type(s).__name__)
print(getattr(s, "bucket_name", ""), getattr(s, "endpoint_url", ""), getattr(s, "location", ""))
print(getattr(s, "querystring_auth", ""), getattr(s, "file_overwrite", ""))
"""


def _probe(**env: str) -> list[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("JULI_S3_")}
    environ.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    out = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()


def test_it_stores_uploads_on_local_disk_by_default():
    assert _probe()[0] == "django.core.files.storage.filesystem.FileSystemStorage"


def test_it_stores_uploads_in_an_s3_compatible_bucket_when_configured():
    lines = _probe(
        JULI_S3_BUCKET="juli-media",
        JULI_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        JULI_S3_ACCESS_KEY="key",
        JULI_S3_SECRET_KEY="secret",  # noqa: S106 - a dummy for the probe
    )
    assert lines == [
        "storages.backends.s3.S3Storage",
        "juli-media http://127.0.0.1:9000 media",
        "True False",
    ]

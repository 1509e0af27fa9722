"""Backup and restore drill: back up a populated database and media folder, restore onto a
fresh database, compare every table's row count and every file's checksum."""

from __future__ import annotations

import io
import json
import os
import tarfile
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from juli.conftest import build_cast
from juli.core.backup import (
    BackupError,
    check_target,
    read_manifest,
    restore_archive,
    table_names,
    target_from_url,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def populated(settings, tmp_path):  # type: ignore[no-untyped-def]
    build_cast()
    media = Path(settings.MEDIA_ROOT)
    (media / "photos" / "2026").mkdir(parents=True)
    (media / "photos" / "2026" / "a.jpg").write_bytes(b"\xff\xd8jpeg-bytes" * 100)
    (media / "exports").mkdir()
    (media / "exports" / "名单.xlsx").write_bytes(os.urandom(4096))
    return media


@pytest.fixture
def fresh_target(tmp_path):  # type: ignore[no-untyped-def]
    """A database no one has used yet, of the vendor the suite runs on."""
    media = tmp_path / "restored-media"
    if connection.vendor == "sqlite":
        yield target_from_url(f"sqlite:///{tmp_path / 'restored.sqlite3'}", media)
        return
    import psycopg

    params = connection.settings_dict
    name = f"juli_restore_drill_{uuid.uuid4().hex[:8]}"
    admin: dict[str, Any] = {
        "dbname": "postgres",
        "host": params["HOST"] or None,
        "port": params["PORT"] or None,
    }
    admin = {k: v for k, v in admin.items() if v}
    if params.get("USER"):
        admin["user"] = params["USER"]
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    host = params["HOST"] or "127.0.0.1"
    port = params["PORT"] or 5432
    user = params.get("USER") or "postgres"
    yield target_from_url(f"postgres://{user}@{host}:{port}/{name}", media)
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        out = {}
        for table in table_names():
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            out[table] = cursor.fetchone()[0]
        return out


def test_drill_restores_rows_and_files_exactly(populated, fresh_target, tmp_path):  # type: ignore[no-untyped-def]
    archive = tmp_path / "juli.tar.gz"
    out = io.StringIO()
    call_command("backup", "--out", str(archive), stdout=out)
    assert "Backed up" in out.getvalue()

    manifest = read_manifest(archive)
    assert manifest["vendor"] == connection.vendor
    assert manifest["tables"] == _counts()
    assert manifest["tables"]["orgs_user"] >= 11
    assert set(manifest["files"]) == {"photos/2026/a.jpg", "exports/名单.xlsx"}

    report = restore_archive(archive, fresh_target)
    assert report.ok, (report.mismatched_tables, report.bad_files)
    assert report.tables == len(manifest["tables"])
    assert report.rows == sum(manifest["tables"].values())
    assert report.files == 2
    restored = fresh_target.media_root / "exports" / "名单.xlsx"
    assert restored.read_bytes() == (populated / "exports" / "名单.xlsx").read_bytes()


def test_restore_refuses_a_database_that_holds_data(populated, fresh_target, tmp_path):  # type: ignore[no-untyped-def]
    archive = tmp_path / "juli.tar.gz"
    call_command("backup", "--out", str(archive), stdout=io.StringIO())
    restore_archive(archive, fresh_target)
    with pytest.raises(BackupError, match="not empty"):
        restore_archive(archive, fresh_target)
    # --replace drops what is there and restores again, exactly.
    assert restore_archive(archive, fresh_target, replace=True).ok


def test_check_finds_a_changed_file_and_a_lost_row(populated, fresh_target, tmp_path):  # type: ignore[no-untyped-def]
    archive = tmp_path / "juli.tar.gz"
    call_command("backup", "--out", str(archive), stdout=io.StringIO())
    restore_archive(archive, fresh_target)
    manifest = read_manifest(archive)
    (fresh_target.media_root / "photos" / "2026" / "a.jpg").write_bytes(b"changed")
    manifest["tables"]["orgs_person"] += 1
    report = check_target(manifest, fresh_target)
    assert report.bad_files == ["photos/2026/a.jpg"]
    assert set(report.mismatched_tables) == {"orgs_person"}
    assert not report.ok


def test_backup_refuses_to_overwrite(populated, tmp_path):  # type: ignore[no-untyped-def]
    archive = tmp_path / "juli.tar.gz"
    archive.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", "--out", str(archive), stdout=io.StringIO())
    assert archive.read_bytes() == b"keep me"


def test_restore_refuses_hostile_or_foreign_archives(fresh_target, tmp_path):  # type: ignore[no-untyped-def]
    evil = tmp_path / "evil.tar.gz"
    manifest = {"format": 1, "vendor": fresh_target.vendor, "tables": {}, "files": {}}
    with tarfile.open(evil, "w:gz") as archive:
        for name, data in (("manifest.json", json.dumps(manifest).encode()), ("../x", b"x")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    with pytest.raises(BackupError, match="Refusing"):
        restore_archive(evil, fresh_target)
    assert not (tmp_path / "x").exists()

    other = tmp_path / "other.tar.gz"
    manifest["vendor"] = "oracle"
    with tarfile.open(other, "w:gz") as archive:
        data = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    with pytest.raises(BackupError, match="oracle"):
        restore_archive(other, fresh_target)
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing.tar.gz"))

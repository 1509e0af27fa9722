"""Backup and restore of a whole Juli: the database and the uploaded files, in one archive.

An archive is a gzip'd tar holding

- `manifest.json`: format version, time, database vendor, the row count of every table
  (taken from the same snapshot as the dump) and the SHA-256 and size of every media file;
- `database.dump` (PostgreSQL, `pg_dump --format=custom`, taken in a REPEATABLE READ
  snapshot that the row counts share) or `database.sqlite3` (SQLite's online backup API);
- `media/…`: the files under MEDIA_ROOT.

`restore_archive` loads it into an EMPTY database (or, with `replace=True`, one whose
schema it drops first) and a media folder, then checks the result against the manifest:
every table's row count and every file's checksum. A mismatch is reported, never ignored.

PostgreSQL needs `pg_dump` / `pg_restore` of the server's major version on the PATH.
Files kept in S3-compatible storage (JULI_S3_*) are not in the archive: back the bucket up
with the object store's own versioning or replication.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection

FORMAT = 1
DUMP_NAME = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says why."""


@dataclass
class Target:
    """Where a restore goes: a database (vendor + parameters) and a media folder."""

    vendor: str
    params: dict[str, Any]
    media_root: Path


@dataclass
class CheckReport:
    """What a restore found when it compared the result with the manifest."""

    tables: int = 0
    rows: int = 0
    files: int = 0
    mismatched_tables: dict[str, tuple[int, int]] = field(default_factory=dict)
    bad_files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatched_tables and not self.bad_files


def table_names() -> list[str]:
    """Every table of the installed models (auto-created many-to-many tables included) that
    exists in the database, plus Django's migration record."""
    names: set[str] = {"django_migrations"}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            names.add(model._meta.db_table)
    return sorted(names & set(connection.introspection.table_names()))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _media_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


def _pg_env(params: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if params.get(key):
            env[var] = str(params[key])
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-800:]}")


# --- Backup -----------------------------------------------------------------------------------


def _count_with(cursor: Any, tables: list[str], quote: Any) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {quote(table)}")  # noqa: S608 - model table names
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _dump_postgresql(out: Path, tables: list[str]) -> dict[str, int]:
    """pg_dump in the snapshot the row counts are taken in, so both describe one moment."""
    params = connection.settings_dict
    with connection.cursor() as probe:
        probe.execute("SHOW server_version_num")
        server_major = int(probe.fetchone()[0]) // 10000
    import psycopg

    dsn = {
        "dbname": params["NAME"],
        "host": params.get("HOST") or None,
        "port": params.get("PORT") or None,
        "user": params.get("USER") or None,
        "password": params.get("PASSWORD") or None,
    }
    with psycopg.connect(**{k: v for k, v in dsn.items() if v}) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        with conn.cursor() as cursor:
            counts = _count_with(cursor, tables, connection.ops.quote_name)
        command = [
            _pg_tool("pg_dump", server_major),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--snapshot={snapshot}",
            f"--file={out}",
            str(params["NAME"]),
        ]
        _run(command, _pg_env(params))
        conn.rollback()
    return counts


def _pg_tool(name: str, major: int) -> str:
    """The client tool of the server's major version when several are installed."""
    versioned = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    found = str(versioned) if versioned.exists() else shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (PostgreSQL client {major}).")
    return found


def _dump_sqlite(out: Path, tables: list[str]) -> dict[str, int]:
    source = sqlite3.connect(str(connection.settings_dict["NAME"]))
    try:
        target = sqlite3.connect(str(out))
        with target:
            source.backup(target)
        counts = _count_with(target.cursor(), tables, connection.ops.quote_name)
        target.close()
    finally:
        source.close()
    return counts


def make_archive(out: Path, *, media_root: Path | None = None) -> dict[str, Any]:
    """Write the archive to `out` and return its manifest."""
    vendor = connection.vendor
    if vendor not in DUMP_NAME:
        raise BackupError(f"Backups of {vendor} databases are not supported.")
    media = Path(media_root or settings.MEDIA_ROOT)
    tables = table_names()
    with tempfile.TemporaryDirectory(prefix="juli-backup-") as work:
        dump = Path(work) / DUMP_NAME[vendor]
        counts = (_dump_postgresql if vendor == "postgresql" else _dump_sqlite)(dump, tables)
        files = {
            path.relative_to(media).as_posix(): {
                "sha256": _sha256(path),
                "size": path.stat().st_size,
            }
            for path in _media_files(media)
        }
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "vendor": vendor,
            "tables": counts,
            "files": files,
        }
        manifest_path = Path(work) / "manifest.json"
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(manifest_path, arcname="manifest.json")
            archive.add(dump, arcname=dump.name)
            for name in files:
                archive.add(media / name, arcname=f"media/{name}")
        partial.replace(out)  # a crash never leaves a half-written archive under the name
    return manifest


# --- Restore ----------------------------------------------------------------------------------


def read_manifest(archive_path: Path) -> dict[str, Any]:
    with tarfile.open(archive_path, "r:gz") as archive:
        member = archive.extractfile("manifest.json")
        if member is None:
            raise BackupError("The archive has no manifest.json.")
        manifest: dict[str, Any] = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown archive format {manifest.get('format')!r}.")
    return manifest


def default_target() -> Target:
    params = dict(connection.settings_dict)
    return Target(connection.vendor, params, Path(settings.MEDIA_ROOT))


def target_from_url(url: str, media_root: Path) -> Target:
    import dj_database_url

    params = dj_database_url.parse(url)
    vendor = "postgresql" if "postgresql" in params["ENGINE"] else "sqlite"
    return Target(vendor, dict(params), media_root)


@contextmanager
def _pg(params: dict[str, Any]) -> Iterator[Any]:
    import psycopg

    dsn = {
        "dbname": params["NAME"],
        "host": params.get("HOST") or None,
        "port": params.get("PORT") or None,
        "user": params.get("USER") or None,
        "password": params.get("PASSWORD") or None,
    }
    with psycopg.connect(**{k: v for k, v in dsn.items() if v}, autocommit=True) as conn:
        yield conn


def _existing_tables(target: Target) -> list[str]:
    if target.vendor == "postgresql":
        with _pg(target.params) as conn:
            rows = conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        return [r[0] for r in rows]
    path = Path(target.params["NAME"])
    if not path.exists():
        return []
    with sqlite3.connect(str(path)) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    return [r[0] for r in rows if not r[0].startswith("sqlite_")]


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"Refusing the archive member {member.name!r}.")
        members.append(member)
    return members


def restore_archive(archive_path: Path, target: Target, *, replace: bool = False) -> CheckReport:
    """Load the archive into `target` and compare the result with its manifest."""
    manifest = read_manifest(archive_path)
    if manifest["vendor"] != target.vendor:
        raise BackupError(
            f"The archive holds a {manifest['vendor']} database; the target is {target.vendor}."
        )
    if _existing_tables(target) and not replace:
        raise BackupError(
            "The target database is not empty. Restore into an empty database, or pass "
            "--replace to drop what it holds first."
        )
    with tempfile.TemporaryDirectory(prefix="juli-restore-") as work:
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(work, members=_safe_members(archive), filter="data")
        dump = Path(work) / DUMP_NAME[target.vendor]
        if target.vendor == "postgresql":
            _restore_postgresql(dump, target, replace=replace)
        else:
            _restore_sqlite(dump, target)
        _restore_media(Path(work) / "media", target.media_root, manifest["files"])
    return check_target(manifest, target)


def _restore_postgresql(dump: Path, target: Target, *, replace: bool) -> None:
    with _pg(target.params) as conn:
        major = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000  # type: ignore[index]
        if replace:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
    command = [
        _pg_tool("pg_restore", major),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={target.params['NAME']}",
        str(dump),
    ]
    _run(command, _pg_env(target.params))


def _restore_sqlite(dump: Path, target: Target) -> None:
    path = Path(target.params["NAME"])
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    partial = path.with_name(path.name + ".restoring")
    shutil.copyfile(dump, partial)
    partial.replace(path)


def _restore_media(source: Path, root: Path, files: dict[str, Any]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for name in files:
        destination = root / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, destination)


def check_target(manifest: dict[str, Any], target: Target) -> CheckReport:
    """Row counts and file checksums of `target` against the manifest."""
    report = CheckReport()
    tables: dict[str, int] = manifest["tables"]
    if target.vendor == "postgresql":
        with _pg(target.params) as conn, conn.cursor() as cursor:
            found = _count_with(cursor, list(tables), lambda n: '"' + n.replace('"', '""') + '"')
    else:
        with sqlite3.connect(str(target.params["NAME"])) as conn:
            found = _count_with(conn.cursor(), list(tables), lambda n: '"' + n + '"')
    for table, expected in tables.items():
        report.tables += 1
        report.rows += found[table]
        if found[table] != expected:
            report.mismatched_tables[table] = (expected, found[table])
    for name, meta in manifest["files"].items():
        report.files += 1
        path = target.media_root / name
        if not path.is_file() or _sha256(path) != meta["sha256"]:
            report.bad_files.append(name)
    return report

"""`zhibao backup [PATH]`: a consistent copy of the live database, taken while the platform runs.

SQLite: the online backup API (`sqlite3.Connection.backup`) in a single step, i.e. one read
snapshot; in WAL mode the web and worker processes keep writing meanwhile. The copy is switched
to a self-contained rollback-journal file (no -wal/-shm beside it).
PostgreSQL: `pg_dump -Fc` (a consistent snapshot too; restore it with `zhibao restore`).

The file is written beside its destination and renamed when complete, readable by its owner
only (it holds personal data), with a `<file>.sha256` next to it (`sha256sum -c` reads it).
Uploads (`ZHIBAO_VAR_DIR/media`) and the field-encryption keys are backed up separately:
see docs/deploy.md, section 6.
"""

import hashlib
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
# libpq environment variables for the connection OPTIONS django-environ may carry.
PG_OPTION_ENV = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
                 "sslkey": "PGSSLKEY", "service": "PGSERVICE", "passfile": "PGPASSFILE"}


@dataclass
class BackupInfo:
    path: Path
    size: int
    sha256: str
    seconds: float


def backup_dir() -> Path:
    return Path(getattr(settings, "ZHIBAO_BACKUP_DIR", "") or settings.VAR_DIR / "backups")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def pg_client(db: dict, program: str) -> tuple[list[str], dict]:
    """The argv prefix and environment to run a PostgreSQL client program against `db`."""
    binary = shutil.which(program, path=getattr(settings, "ZHIBAO_PG_BIN_DIR", None) or None)
    if binary is None:
        raise CommandError(f"{program} was not found on PATH (install the PostgreSQL client tools).")
    argv = [binary, "--no-password"]
    if db.get("HOST"):
        argv += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        argv += ["--port", str(db["PORT"])]
    if db.get("USER"):
        argv += ["--username", str(db["USER"])]
    env = os.environ.copy()
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    for option, variable in PG_OPTION_ENV.items():
        if db.get("OPTIONS", {}).get(option):
            env[variable] = str(db["OPTIONS"][option])
    return argv, env


def sqlite_copy(source: Path, target: Path, *, journal_mode: str) -> None:
    """Copy a SQLite database with the online backup API, in one step (one read snapshot)."""
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst)  # pages=-1: everything in one step, so the copy is one consistent snapshot
            dst.execute(f"PRAGMA journal_mode={journal_mode}")
        finally:
            dst.close()
    finally:
        src.close()


def backup_database(destination: Path | str | None = None, *, alias: str = "default") -> BackupInfo:
    """Back the database up to `destination` (a file, a directory — existing or ending in a slash —
    or None for the default place)."""
    conn = connections[alias]
    db = conn.settings_dict
    vendor = conn.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise CommandError(f"backups of {vendor} databases are not supported")
    suffix = ".sqlite3" if vendor == "sqlite" else ".dump"
    name = f"zhibao-{timezone.localtime():%Y%m%d-%H%M%S}{suffix}"
    if destination is None:
        destination = backup_dir() / name
    elif Path(destination).is_dir() or str(destination).endswith(os.sep):
        destination = Path(destination) / name
    destination = Path(destination).resolve()
    if vendor == "sqlite" and destination == Path(db["NAME"]).resolve():
        raise CommandError("The backup path is the live database itself.")
    if destination.exists():
        raise CommandError(f"{destination} already exists; choose another path.")
    start = time.perf_counter()
    old_umask = os.umask(0o077)  # the copy holds personal data: owner-only from its first byte
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if vendor == "sqlite":
            sqlite_copy(Path(db["NAME"]), partial, journal_mode="DELETE")
        else:
            argv, env = pg_client(db, "pg_dump")
            done = subprocess.run([*argv, "--format=custom", "--file", str(partial), "--dbname", str(db["NAME"])],
                                  env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                partial.unlink(missing_ok=True)
                raise CommandError(f"pg_dump failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
        os.chmod(partial, 0o600)
        os.replace(partial, destination)
        digest = sha256_file(destination)
        checksum_path(destination).write_text(f"{digest}  {destination.name}\n", encoding="ascii")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        os.umask(old_umask)
    return BackupInfo(destination, destination.stat().st_size, digest, time.perf_counter() - start)


class Command(BaseCommand):
    help = ("Back up the live database while the platform runs (SQLite online backup, PostgreSQL pg_dump -Fc); "
            "prints the file's path, size and SHA-256.")

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="File or directory (default: ZHIBAO_VAR_DIR/backups/).")
        parser.add_argument("--database", default="default", help="Database alias (default: default).")

    def handle(self, *args, path=None, database="default", **options):
        info = backup_database(path or None, alias=database)
        self.stdout.write(f"Backup: {info.path}")
        self.stdout.write(f"Size: {info.size} bytes ({human_size(info.size)})")
        self.stdout.write(f"SHA-256: {info.sha256}")
        self.stdout.write(f"Took: {info.seconds:.2f} s")

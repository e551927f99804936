"""`zhibao restore PATH [--into TARGET] [--force] [--discard]`: restore a `zhibao backup` and check it.

By default the backup goes into a scratch database, never the live one:
SQLite → ``ZHIBAO_VAR_DIR/restore/<backup name>.sqlite3``; PostgreSQL → ``<live name>_restore``
on the same server (created, or dropped and re-created). ``--into`` names another target: a
SQLite path or ``sqlite:///…`` URL, a database name on the live server, or a ``postgres://…``
URL. The live database, or an existing target other than the default scratch one, is
overwritten only with ``--force`` (and the live one is backed up first).

Then the restored database is checked: the SHA-256 against the ``.sha256`` file written by
`zhibao backup`, ``PRAGMA integrity_check`` and ``foreign_key_check`` (SQLite), pg_restore's
exit status (PostgreSQL), row counts, and ``migrate --check`` against it (this release's
migrations are all applied). A failed check exits non-zero. The timings printed are the
restore part of the recovery time (RTO, docs/deploy.md section 6).
"""

import copy
import os
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import environ
from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import load_backend

from .backup import (
    PGDUMP_MAGIC,
    SQLITE_MAGIC,
    backup_database,
    checksum_path,
    pg_client,
    sha256_file,
    sqlite_copy,
)

CHECK_ALIAS = "zhibao_restore_check"


def backup_kind(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise CommandError(f"{path} is neither a SQLite database nor a pg_dump custom-format archive.")


@contextmanager
def database_alias(conf: dict):
    """A temporary connection alias for the restored database (`migrate --check` needs an alias)."""
    # Connected before it is registered: Django's test runner refuses new connections for aliases
    # a test did not declare, but accepts a registered one that is already open.
    wrapper = load_backend(conf["ENGINE"]).DatabaseWrapper(conf, CHECK_ALIAS)
    wrapper.connect()
    connections.settings[CHECK_ALIAS] = conf
    connections[CHECK_ALIAS] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        del connections[CHECK_ALIAS]
        del connections.settings[CHECK_ALIAS]


def _pg_maintenance(conf: dict):
    import psycopg

    return psycopg.connect(dbname="postgres", host=conf.get("HOST") or None, port=conf.get("PORT") or None,
                           user=conf.get("USER") or None, password=conf.get("PASSWORD") or None,
                           autocommit=True, connect_timeout=10)


def _pg_same_database(a: dict, b: dict) -> bool:
    """Conservative: every spelling of this machine counts as the same host."""
    local = {"", "localhost", "127.0.0.1", "::1", "[::1]"}

    def key(c):
        host = str(c.get("HOST") or "")
        return ("local" if host in local or host.startswith("/") else host, str(c.get("PORT") or 5432), str(c["NAME"]))

    return key(a) == key(b)


class Command(BaseCommand):
    help = "Restore a backup into a scratch database (the live one only with --force) and check it."

    def add_arguments(self, parser):
        parser.add_argument("path", help="A file written by `zhibao backup`.")
        parser.add_argument("--into", default="",
                            help="Target: a SQLite path or sqlite:/// URL, a database name, or a postgres:// URL "
                                 "(default: a scratch database).")
        parser.add_argument("--force", action="store_true",
                            help="Overwrite the live database or an existing target.")
        parser.add_argument("--discard", action="store_true",
                            help="Delete the scratch database after the checks (a restore test).")

    def handle(self, *args, path, into="", force=False, discard=False, **options):
        source = Path(path).resolve()
        if not source.is_file():
            raise CommandError(f"{source} does not exist.")
        kind = backup_kind(source)
        self._verify_checksum(source)
        live = connections["default"].settings_dict
        conf, is_live, is_default = self._target(kind, source, into, live)
        if is_live:
            if not force:
                raise CommandError("The target is the live database: refusing without --force. "
                                   "Restore into a scratch database first (the default) and check it.")
            if discard:
                raise CommandError("--discard would delete the live database.")
            self.stdout.write(self.style.WARNING(
                "Restoring over the LIVE database. Stop the web and worker processes first."))
            safety = backup_database()
            self.stdout.write(f"The live database was backed up first to {safety.path}")

        start = time.perf_counter()
        if kind == "sqlite":
            self._restore_sqlite(source, Path(conf["NAME"]), force=force or is_default or is_live)
        else:
            self._restore_postgresql(source, conf, is_live=is_live, replace=force or is_default)
        restored = time.perf_counter() - start
        self.stdout.write(f"Restored {source.name} into {conf['NAME']} in {restored:.2f} s")

        start = time.perf_counter()
        try:
            with database_alias(conf) as conn:
                if kind == "sqlite":
                    self._check_sqlite(conn)
                self._count_rows(conn)
                self._migrate_check(conn)
        except BaseException:
            self.stderr.write(f"The restored database was kept for inspection: {conf['NAME']}")
            raise
        checked = time.perf_counter() - start
        self.stdout.write(self.style.SUCCESS(f"Checks passed in {checked:.2f} s (restore + checks "
                                             f"{restored + checked:.2f} s)."))
        if discard:
            self._discard(kind, conf)

    # --- target ---------------------------------------------------------------------------

    def _target(self, kind: str, source: Path, into: str, live: dict) -> tuple[dict, bool, bool]:
        """The target's connection settings, whether it is the live database, whether it is the default scratch one."""
        conf = copy.deepcopy(live)
        if kind == "sqlite":
            default = settings.VAR_DIR / "restore" / (source.stem + ".sqlite3")
            if into.startswith("sqlite:"):
                into = environ.Env.db_url_config(into)["NAME"]
            target = Path(into).resolve() if into else default.resolve()
            if not live["ENGINE"].endswith("sqlite3"):
                conf.update(ENGINE="django.db.backends.sqlite3", OPTIONS={}, HOST="", PORT="", USER="", PASSWORD="")
            conf["NAME"] = str(target)
            is_live = live["ENGINE"].endswith("sqlite3") and Path(live["NAME"]).resolve() == target
            return conf, is_live, target == default.resolve()
        live_is_pg = "postgresql" in live["ENGINE"]
        if "://" in into:
            url = environ.Env.db_url_config(into)
            if "postgresql" not in url["ENGINE"]:
                raise CommandError("A PostgreSQL dump restores into PostgreSQL only.")
            if not live_is_pg:
                conf.update(OPTIONS={})
            conf.update({k: url[k] for k in ("ENGINE", "NAME", "HOST", "PORT", "USER", "PASSWORD")})
            if url.get("OPTIONS"):
                conf["OPTIONS"] = url["OPTIONS"]
        elif not live_is_pg:
            raise CommandError("A PostgreSQL dump needs a PostgreSQL target: --into postgres://user@host:port/name")
        else:
            conf["NAME"] = into or f"{live['NAME']}_restore"
        is_live = live_is_pg and _pg_same_database(conf, live)
        is_default = live_is_pg and not into
        return conf, is_live, is_default

    def _verify_checksum(self, source: Path) -> None:
        sidecar = checksum_path(source)
        if not sidecar.exists():
            self.stdout.write(self.style.WARNING(f"No {sidecar.name}: the file's checksum is not verified."))
            return
        expected = sidecar.read_text(encoding="ascii").split()[0].lower()
        actual = sha256_file(source)
        if actual != expected:
            raise CommandError(f"SHA-256 mismatch: {source} is {actual}, {sidecar.name} says {expected}. "
                               "The backup is damaged.")
        self.stdout.write(f"SHA-256 verified: {actual}")

    # --- restore --------------------------------------------------------------------------

    def _restore_sqlite(self, source: Path, target: Path, *, force: bool) -> None:
        if target.exists() and not force:
            raise CommandError(f"{target} exists: use --force to overwrite it, or another --into.")
        # The backup API writes the target under its own lock, page by page: this also works for
        # an existing file (the default scratch one, or the live database with --force).
        old_umask = os.umask(0o077)  # personal data: owner-only
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            sqlite_copy(source, target, journal_mode="WAL")
        finally:
            os.umask(old_umask)

    def _restore_postgresql(self, source: Path, conf: dict, *, is_live: bool, replace: bool) -> None:
        from psycopg import sql

        name = str(conf["NAME"])
        argv, env = pg_client(conf, "pg_restore")
        options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        if is_live:
            options += ["--clean", "--if-exists"]
        else:
            with _pg_maintenance(conf) as maint:
                exists = maint.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
                if exists and not replace:
                    raise CommandError(f"Database {name} exists: use --force to replace it, or another --into.")
                if exists:
                    maint.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
                try:
                    maint.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(
                        sql.Identifier(name)))
                except Exception as exc:
                    raise CommandError(f"Could not create the scratch database {name} ({exc}). Grant CREATEDB to "
                                       "the role, or create it and pass --into with --force.") from exc
        done = subprocess.run([*argv, *options, "--dbname", name, str(source)], env=env, capture_output=True,
                              text=True, check=False)
        if done.returncode != 0:
            raise CommandError(f"pg_restore failed ({done.returncode}): {done.stderr.strip()[-2000:]}")

    def _discard(self, kind: str, conf: dict) -> None:
        if kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(conf["NAME"] + suffix).unlink(missing_ok=True)
        else:
            from psycopg import sql

            with _pg_maintenance(conf) as maint:
                maint.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(conf["NAME"])))
        self.stdout.write(f"Scratch database {conf['NAME']} discarded.")

    # --- checks ---------------------------------------------------------------------------

    def _check_sqlite(self, conn) -> None:
        with conn.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            integrity = [row[0] for row in cursor.fetchall()]
            if integrity != ["ok"]:
                raise CommandError("PRAGMA integrity_check failed: " + "; ".join(integrity[:20]))
            cursor.execute("PRAGMA foreign_key_check")
            broken = cursor.fetchall()
            if broken:
                raise CommandError(f"PRAGMA foreign_key_check found {len(broken)} broken references, "
                                   f"e.g. {broken[:5]}")
        self.stdout.write("integrity_check: ok; foreign_key_check: ok")

    def _count_rows(self, conn) -> None:
        with conn.cursor() as cursor:
            tables = conn.introspection.table_names(cursor)
            counts = {}
            for table in tables:
                cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")  # noqa: S608  # nosec B608 -- introspected table names
                counts[table] = cursor.fetchone()[0]
        if "django_migrations" not in counts:
            raise CommandError("The restored database has no django_migrations table: not a Zhibao database.")
        largest = sorted(counts.items(), key=lambda item: -item[1])[:8]
        self.stdout.write(f"Tables: {len(counts)}, rows: {sum(counts.values())} (largest: "
                          + ", ".join(f"{table} {rows}" for table, rows in largest) + ")")

    def _migrate_check(self, conn) -> None:
        try:
            call_command("migrate", check_unapplied=True, database=conn.alias, verbosity=0, interactive=False)
        except SystemExit as exc:
            if exc.code:
                executor = MigrationExecutor(conn)
                plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
                names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:10])
                raise CommandError(f"migrate --check failed: {len(plan)} unapplied migration(s) ({names}). "
                                   "Run `zhibao migrate` against the restored database before using it.") from None
        self.stdout.write("migrate --check: ok (every migration of this release is applied)")

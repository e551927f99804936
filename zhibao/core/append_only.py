"""Database triggers that make the audit tables append-only (GB/T 22239 安全审计).

UPDATE is always refused; DELETE is refused for rows younger than the retention period,
so old rows can be pruned (zhibao prune-audit) but recent history cannot be erased — not
even by someone with direct database access through the application's account.
"""

TABLES = ("core_securityevent", "core_caseevent")
RETENTION_DAYS = 180


def sqlite_create_sql(tables=TABLES) -> list[str]:
    statements = []
    for t in tables:
        statements += [
            f"CREATE TRIGGER IF NOT EXISTS {t}_no_update BEFORE UPDATE ON {t} "
            f"BEGIN SELECT RAISE(ABORT, '{t} is append-only'); END",
            # Django stores UTC as 'YYYY-MM-DD HH:MM:SS.ffffff', which compares as text.
            f"CREATE TRIGGER IF NOT EXISTS {t}_no_early_delete BEFORE DELETE ON {t} "
            f"WHEN OLD.created_at > strftime('%Y-%m-%d %H:%M:%f', 'now', '-{RETENTION_DAYS} days') "
            f"BEGIN SELECT RAISE(ABORT, '{t}: rows younger than {RETENTION_DAYS} days cannot be deleted'); END",
        ]
    return statements


def sqlite_drop_sql(tables=TABLES) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {t}_{suffix}" for t in tables for suffix in ("no_update", "no_early_delete")]


POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION zhibao_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
    END IF;
    IF OLD.created_at > now() - make_interval(days => TG_ARGV[0]::int) THEN
        RAISE EXCEPTION '%: rows younger than % days cannot be deleted', TG_TABLE_NAME, TG_ARGV[0];
    END IF;
    RETURN OLD;
END
$$
"""


def postgres_create_sql(tables=TABLES) -> list[str]:
    statements = [POSTGRES_FUNCTION]
    for t in tables:
        statements += [
            f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}",
            f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
            f"FOR EACH ROW EXECUTE FUNCTION zhibao_append_only('{RETENTION_DAYS}')",
        ]
    return statements


def postgres_drop_sql(tables=TABLES) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}" for t in tables]


def install(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": sqlite_create_sql, "postgresql": postgres_create_sql}.get(vendor, lambda: [])()
    for sql in statements:
        schema_editor.execute(sql, params=None)


def uninstall(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": sqlite_drop_sql, "postgresql": postgres_drop_sql}.get(vendor, lambda: [])()
    for sql in statements:
        schema_editor.execute(sql, params=None)

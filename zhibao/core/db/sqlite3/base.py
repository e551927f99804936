"""SQLite backend whose `flush` (a DBA's wipe of every table) passes the audit triggers.

On PostgreSQL, flush uses TRUNCATE, which row triggers do not see; on SQLite it issues
DELETE, which they would refuse. Wiping the whole database is not erasing history row by
row, so flush drops the triggers, deletes, and puts them back, in one transaction.
"""

from django.db.backends.sqlite3 import base, operations

from zhibao.core.append_only import TABLES, sqlite_create_sql, sqlite_drop_sql


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        guarded = [t for t in TABLES if t in tables]
        if not statements or not guarded:
            return statements
        return sqlite_drop_sql(guarded) + statements + sqlite_create_sql(guarded)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

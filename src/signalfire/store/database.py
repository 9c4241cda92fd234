"""The embedded warehouse: a DuckDB file with versioned migrations.

``Store`` wraps one DuckDB connection.  Opening a store runs any pending migrations in one transaction.
DuckDB lets one process open a file for writing; a second process gets :class:`StoreBusy` with a clear
message instead of a corrupt file.  Read-only opens (``read_only=True``) are for viewers.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from signalfire.errors import StoreError
from signalfire.store.schema import MIGRATIONS, SCHEMA_VERSION, additive_ddl

ENV_VAR = "SIGNALFIRE_STORE"
DEFAULT_STORE = Path("~/.local/share/signalfire/signalfire.duckdb")


class StoreOutdated(StoreError):
    """The store's schema is older than this version's: opening it for writing upgrades it."""


class StoreBusy(StoreError):
    """Another process holds the store open for writing."""


def default_store_path() -> Path:
    """``$SIGNALFIRE_STORE`` if set, else ``~/.local/share/signalfire/signalfire.duckdb``."""
    env = os.environ.get(ENV_VAR)
    return Path(env).expanduser() if env else DEFAULT_STORE.expanduser()


def resolve_path(path: str | os.PathLike | None) -> Path:
    return Path(path).expanduser() if path else default_store_path()


class Store:
    """One open warehouse file."""

    def __init__(self, path: str | os.PathLike | None = None, read_only: bool = False):
        self.path = resolve_path(path)
        self.read_only = read_only
        if read_only and not self.path.exists():
            raise StoreError(f"no store at {self.path}: ingest data first (signalfire ingest …)")
        if not read_only:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the store's folder {self.path.parent}: {exc.strerror}") from None
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" in text.lower():
                raise StoreBusy(
                    f"the store {self.path} is in use by another Signalfire process (an ingest or a server); "
                    + ("DuckDB lets no other process read it meanwhile: wait for it to finish, or while `signalfire "
                       "serve` runs, use its dashboard or API (/api/v1)" if read_only else
                       "wait for it to finish, or send the ingest to the running server")) from None
            raise StoreError(f"cannot open the store {self.path}: {text}") from None
        except duckdb.Error as exc:
            raise StoreError(f"cannot open the store {self.path}: {exc}") from None
        if not read_only:
            self.migrate()
        elif (version := self.schema_version()) == 0:
            self.con.close()
            raise StoreError(f"{self.path} is not a Signalfire store (a DuckDB file without Signalfire's tables): "
                             "give the store's path with --store")
        elif version < SCHEMA_VERSION:
            self.con.close()
            raise StoreOutdated(f"the store {self.path} has an older schema; open it once for writing to upgrade it")

    # -- schema -------------------------------------------------------------------------------------------------
    def schema_version(self) -> int:
        exists = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'").fetchone()[0]
        if not exists:
            return 0
        row = self.con.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    def migrate(self) -> int:
        """Apply pending migrations, and create any stream table the store lacks (:func:`.schema.additive_ddl`);
        returns the schema version."""
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError(f"the store {self.path} was written by a newer Signalfire (schema {current}); "
                             "upgrade Signalfire to open it")
        if current == SCHEMA_VERSION:
            self._add_missing_tables()
            return current
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied_at TIMESTAMP)")
            for number in range(current, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    self.con.execute(statement)
                self.con.execute("INSERT INTO schema_version VALUES (?, now())", [number + 1])
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise
        return SCHEMA_VERSION

    def _add_missing_tables(self) -> None:
        have = {r[0] for r in self.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        missing = [stmt for stmt in additive_ddl() if stmt.split()[5] not in have]
        if missing:
            self.con.execute("BEGIN TRANSACTION")
            try:
                for statement in missing:
                    self.con.execute(statement)
                self.con.execute("COMMIT")
            except Exception:
                self.con.execute("ROLLBACK")
                raise

    # -- queries ------------------------------------------------------------------------------------------------
    def sql(self, query: str, params: list | None = None):
        """Run a query; returns a DuckDB relation result (``.df()``, ``.to_arrow_table()``, ``.fetchall()``)."""
        return self.con.execute(query, params or [])

    def df(self, query: str, params: list | None = None):
        return self.con.execute(query, params or []).df()

    def close(self) -> None:
        self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

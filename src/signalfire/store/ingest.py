"""Ingest: one file through one adapter into the store, in one transaction.

The run:

1. hashes the file (SHA-256, on a thread) and opens a transaction (the SQL path first scans the whole file into a
   temporary table: :func:`signalfire.store.fast_ingest.scan`);
2. streams the adapter's batches into a staging table, and their quarantined records into ``quarantine`` (the SQL
   path appends the scanned rows straight to the target table instead: :func:`signalfire.store.fast_ingest.stage`);
3. quarantines records whose key repeats within the file (the first one is kept);
4. compares staged rows with the stored ones by key and ``row_hash``: *new* rows are inserted, *updated* ones
   replace the stored version (for events the old version goes to ``event_revisions``), *unchanged* ones are
   left alone;
5. records the run in ``ingest_runs`` and commits.

Any error or Ctrl-C before the commit rolls everything back.  Re-ingesting a file already ingested that
changes nothing is rolled back too: the store stays byte-for-byte what it was, and the result says so.
``read == new + updated + unchanged + quarantined`` for every run.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from signalfire.sources.base import Adapter, SourceError
from signalfire.store import fast_ingest
from signalfire.store.database import Store, StoreError
from signalfire.store.schema import ADAPTER_TABLES, KEYS, STREAM_KEEP

Progress = Callable[[int], None]


@dataclass
class IngestResult:
    adapter: str
    file: str
    sha256: str
    run_id: int | None
    read: int
    new: int
    updated: int
    unchanged: int
    quarantined: int
    status: str          # loaded | unchanged | failed
    message: str
    source_version: str | None
    seconds: float

    def as_dict(self) -> dict:
        return asdict(self)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def _normalise(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """The batch's frame with exactly the table's columns (missing ones NULL) plus record_ref."""
    out = pd.DataFrame(index=frame.index)
    for name in columns:
        out[name] = frame[name] if name in frame.columns else None
    out["record_ref"] = frame["record_ref"].astype(str)
    return out


class _Sha256Thread(threading.Thread):
    """Hashes the file beside the read (hashlib releases the GIL on large blocks)."""

    def __init__(self, path: Path):
        super().__init__(daemon=True)
        self.path, self.digest, self.error = path, None, None

    def run(self):
        try:
            self.digest = file_sha256(self.path)
        except BaseException as exc:  # noqa: BLE001 - re-raised by result()
            self.error = exc

    def result(self) -> str:
        self.join()
        if self.error is not None:
            raise self.error
        return self.digest


def _arrow_frame(frame: pd.DataFrame, columns: dict[str, str], seqs: np.ndarray) -> pa.Table | None:
    """The batch as an Arrow table (seq, the table's columns, record_ref), or None when a column will not
    convert (mixed Python types); DuckDB then scans the pandas frame instead."""
    n = len(frame)
    arrays = [pa.array(np.asarray(seqs, dtype=np.int64))]
    try:
        for name in columns:
            arrays.append(pa.Array.from_pandas(frame[name]) if name in frame.columns else pa.nulls(n))
        arrays.append(pa.Array.from_pandas(frame["record_ref"].astype(str)))
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return None
    return pa.Table.from_arrays(arrays, names=["seq", *columns, "record_ref"])


def _hash_expr(columns: dict[str, str]) -> str:
    parts = ", ".join(f"coalesce(CAST({c} AS VARCHAR), '\u2400')" for c in columns)
    return f"md5(concat_ws('\u241f', {parts}))"


def ingest_file(store: Store, adapter: Adapter, path: str | Path, progress: Progress | None = None,
                source_version: str | None = None, mode: str = "auto") -> IngestResult:
    """``mode``: ``auto`` uses the adapter's SQL path when it has one and the file suits it (see
    :mod:`signalfire.store.fast_ingest`), else the row path; ``rows`` always the row path (the reference);
    ``sql`` the SQL path or an error.  ``$SIGNALFIRE_INGEST_PATH`` (auto|rows|sql) overrides ``auto``."""
    if mode == "auto":
        mode = os.environ.get("SIGNALFIRE_INGEST_PATH", "auto")
    path = Path(path)
    started = time.perf_counter()
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    hasher = _Sha256Thread(path)
    hasher.start()
    con = store.con
    if mode != "rows" and fast_ingest.plan_module(adapter):
        with fast_ingest.memory_limit(con):     # the SQL path's memory stays flat as files grow
            return _ingest(store, adapter, path, progress, source_version, mode, started, hasher)
    return _ingest(store, adapter, path, progress, source_version, mode, started, hasher)


def _ingest(store: Store, adapter: Adapter, path: Path, progress: Progress | None, source_version: str | None,
            mode: str, started: float, hasher: _Sha256Thread) -> IngestResult:
    columns = ADAPTER_TABLES[adapter.table]
    con = store.con
    scanned = None
    if mode != "rows" and fast_ingest.plan_module(adapter):
        try:     # before the transaction: see fast_ingest.scan
            scanned = fast_ingest.scan(con, adapter, path, columns, source_version)
        except fast_ingest.UseRowPath as exc:
            if mode == "sql":
                raise StoreError(f"{path.name}: the SQL path cannot read this file: {exc}") from None
    elif mode == "sql":
        raise StoreError(f"{adapter.name}: no SQL path for this adapter")
    try:
        return _transaction(store, adapter, path, progress, source_version, mode, started, hasher, scanned)
    finally:
        if scanned is not None:
            fast_ingest.drop(con)


def _transaction(store: Store, adapter: Adapter, path: Path, progress: Progress | None, source_version: str | None,
                 mode: str, started: float, hasher: _Sha256Thread, scanned) -> IngestResult:
    columns = ADAPTER_TABLES[adapter.table]
    key = KEYS[adapter.table]
    con = store.con
    con.execute("BEGIN TRANSACTION")
    try:
        run_id = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM ingest_runs").fetchone()[0]
        con.execute(
            "INSERT INTO ingest_runs (run_id, adapter, adapter_version, source, target_table, file_name, "
            "file_path, file_sha256, file_bytes, started_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now(), "
            "'running')",
            [run_id, adapter.name, adapter.version, adapter.source, adapter.table, path.name,
             str(path.resolve()), None, path.stat().st_size])
        staged = None
        if scanned is not None:
            try:
                staged = fast_ingest.stage(con, scanned, adapter.table, run_id, columns, _hash_expr(columns),
                                           lambda rows, seqs: stage_rows(con, rows, columns, seqs, source_version))
            except fast_ingest.UseRowPath as exc:
                if mode == "sql":
                    raise StoreError(f"{path.name}: the SQL path cannot read this file: {exc}") from None
                con.execute("DELETE FROM quarantine WHERE run_id = ?", [run_id])
                con.execute(f"DELETE FROM {adapter.table} WHERE run_id = ?", [run_id])   # rows the scan appended
        if staged is not None:
            read, quarantined, detected_version = staged
            if progress:
                progress(read)
        else:
            read, quarantined, detected_version = _stage_row_path(con, adapter, path, run_id, columns,
                                                                  source_version, progress)
        try:
            sha = hasher.result()  # hashed in a thread while the adapter read the file
        except OSError as exc:
            raise SourceError(f"{path}: cannot read the file ({exc})") from None
        con.execute("UPDATE ingest_runs SET file_sha256 = ? WHERE run_id = ?", [sha, run_id])
        order = KEEP.get(adapter.table, "seq")
        if staged is not None:   # the SQL path appended the rows to the table: duplicates and merge in place
            quarantined += fast_ingest.quarantine_duplicates(con, adapter.table, key, run_id, path.name, order)
            counts = fast_ingest.merge(con, adapter.table, key, run_id)
        else:
            quarantined += _quarantine_duplicates(con, key, run_id, path.name, order)
            counts = _merge(con, adapter.table, columns, key, run_id)
        already = con.execute(
            "SELECT min(run_id) FROM ingest_runs WHERE file_sha256 = ? AND adapter = ? AND status = 'loaded' "
            "AND run_id <> ?", [sha, adapter.name, run_id]).fetchone()[0]
        result = IngestResult(adapter.name, str(path), sha, run_id, read, counts["new"], counts["updated"],
                              counts["unchanged"], quarantined, "loaded", "", detected_version,
                              time.perf_counter() - started)
        if read != result.new + result.updated + result.unchanged + result.quarantined:
            raise StoreError(f"{path.name}: accounting error: read {read} != new {result.new} + updated "
                             f"{result.updated} + unchanged {result.unchanged} + quarantined {quarantined}")
        if already is not None and counts["new"] == 0 and counts["updated"] == 0:
            con.execute("ROLLBACK")
            result.run_id = None
            result.status = "unchanged"
            result.message = f"already ingested in run {already}; nothing changed"
            result.seconds = time.perf_counter() - started
            return result
        con.execute(
            "UPDATE ingest_runs SET finished_at = now(), status = 'loaded', rows_read = ?, rows_new = ?, "
            "rows_updated = ?, rows_unchanged = ?, rows_quarantined = ?, source_version = ? WHERE run_id = ?",
            [read, result.new, result.updated, result.unchanged, quarantined, detected_version, run_id])
        con.execute("DROP TABLE stage")
        con.execute("COMMIT")
        result.message = (f"{result.new} new, {result.updated} updated, {result.unchanged} unchanged, "
                          f"{quarantined} quarantined")
        result.seconds = time.perf_counter() - started
        return result
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass
        raise


def stage_rows(con, rows: pd.DataFrame, columns: dict[str, str], seqs: np.ndarray,
               source_version: str | None) -> None:
    """Stage canonical rows from an adapter (``seqs``: their place in the file) with their row hashes."""
    if source_version and "source_version" in columns:
        rows = rows.assign(source_version=source_version)
    frame = _arrow_frame(rows, columns, seqs)
    if frame is None:
        frame = _normalise(rows, columns)
        frame.insert(0, "seq", seqs)
    casts = ", ".join(f"CAST(batch.{c} AS {t}) AS {c}" if t != "VARCHAR" else f"batch.{c} AS {c}"
                      for c, t in columns.items())
    con.register("batch", frame)
    con.execute(f"""INSERT INTO stage (seq, {', '.join(columns)}, record_ref, row_hash)
        SELECT *, {_hash_expr(columns)} FROM
        (SELECT seq, {casts}, CAST(record_ref AS VARCHAR) AS record_ref FROM batch)""")
    con.unregister("batch")


def _stage_row_path(con, adapter: Adapter, path: Path, run_id: int, columns: dict[str, str],
                    source_version: str | None, progress: Progress | None) -> tuple[int, int, str | None]:
    """The row path: the adapter's batches into ``stage`` and ``quarantine``; (read, quarantined, version)."""
    typed = ", ".join(f"{c} {t}" for c, t in columns.items())
    con.execute(f"CREATE OR REPLACE TEMP TABLE stage (seq BIGINT, {typed}, record_ref VARCHAR, row_hash VARCHAR)")
    read = quarantined = 0
    seq = 0
    detected_version = source_version
    for batch in adapter.read(path):
        read += batch.read
        if batch.source_version and not detected_version:
            detected_version = batch.source_version
        if len(batch.quarantine):
            q = batch.quarantine.assign(run_id=run_id, file_name=path.name)
            con.register("qbatch", q)
            con.execute("INSERT INTO quarantine (record_ref, column_name, raw, reason, run_id, file_name) "
                        "SELECT record_ref, column_name, raw, reason, run_id, file_name FROM qbatch")
            con.unregister("qbatch")
            quarantined += len(batch.quarantine)
        if len(batch.rows):
            stage_rows(con, batch.rows, columns, np.arange(seq, seq + len(batch.rows), dtype=np.int64),
                        source_version)
            seq += len(batch.rows)
        if progress:
            progress(batch.read)
    return read, quarantined, detected_version


# Which of the records sharing a key within one file is kept (the first in the file unless listed here):
# * events: the latest ``source_version`` (a release or a timestamp), so concatenated ACLED exports keep the recode;
# * country_month: the largest value.  VIEWS lists a state's old and new id side by side in its transition month
#   (Yugoslavia 188/247 in November 1991, Sudan 59/245 in July 2011, …), each event counted under one id: in every
#   such month of the published file one id carries the deaths and the other 0, so the larger is the country's.
KEEP = {"events": "source_version DESC NULLS LAST, seq", "country_month": "value DESC NULLS LAST, seq", **STREAM_KEEP}


def _quarantine_duplicates(con, key: tuple[str, ...], run_id: int, file_name: str, order: str = "seq") -> int:
    """Records whose key repeats within the file: the first by ``order`` (see KEEP) is kept, the others
    quarantined with a reason naming the kept record."""
    keys = ", ".join(key)
    repeated = con.execute(
        f"SELECT count(*) FROM (SELECT {keys} FROM stage GROUP BY {keys} HAVING count(*) > 1)").fetchone()[0]
    if not repeated:
        return 0
    con.execute(f"""CREATE OR REPLACE TEMP TABLE dupes AS
        SELECT seq, record_ref, first_ref, {keys} FROM (
            SELECT seq, record_ref, {keys},
                   first_value(record_ref) OVER (PARTITION BY {keys} ORDER BY {order}) AS first_ref,
                   row_number() OVER (PARTITION BY {keys} ORDER BY {order}) AS rn
            FROM stage) WHERE rn > 1""")
    n = fast_ingest.quarantine_dupes(con, key, run_id, file_name)
    if n:
        con.execute("DELETE FROM stage WHERE seq IN (SELECT seq FROM dupes)")
    con.execute("DROP TABLE dupes")
    return n


def _merge(con, table: str, columns: dict[str, str], key: tuple[str, ...], run_id: int) -> dict[str, int]:
    """Compare the staged rows (row_hash computed when staged) with the stored ones by key and insert the
    new and updated ones, in file order."""
    cols = ", ".join(columns)
    join = " AND ".join(f"s.{k} IS NOT DISTINCT FROM t.{k}" for k in key)
    # only keys already stored can be updated or unchanged; everything else is new
    con.execute(f"""CREATE OR REPLACE TEMP TABLE diff AS
        SELECT s.seq, CASE WHEN t.row_hash = s.row_hash THEN 'unchanged' ELSE 'updated' END AS change
        FROM stage s JOIN {table} t ON {join}""")
    staged = con.execute("SELECT count(*) FROM stage").fetchone()[0]
    counts = dict(con.execute("SELECT change, count(*) FROM diff GROUP BY change").fetchall())
    counts["new"] = staged - counts.get("updated", 0) - counts.get("unchanged", 0)
    if counts.get("updated"):
        # the stored versions of the updated rows; keys compare with IS NOT DISTINCT FROM, as in the diff above, so a
        # key with a NULL part (a STIX object without a modified time, …) is replaced, not stored twice
        target = f"""EXISTS (SELECT 1 FROM stage s JOIN diff d USING (seq) WHERE d.change = 'updated'
                     AND {' AND '.join(f's.{k} IS NOT DISTINCT FROM t.{k}' for k in key)})"""
        if table == "events":
            con.execute(f"""INSERT INTO event_revisions
                SELECT t.*, {run_id}, now() FROM events t WHERE {target}""")
        con.execute(f"DELETE FROM {table} t WHERE {target}")
    if counts.get("unchanged"):
        con.execute(f"""INSERT INTO {table} ({cols}, run_id, record_ref, row_hash)
            SELECT {cols}, {run_id}, record_ref, row_hash FROM stage
            WHERE seq NOT IN (SELECT seq FROM diff WHERE change = 'unchanged') ORDER BY seq""")
    elif staged:
        # a plain scan of stage keeps insertion (= file) order: no sort needed
        con.execute(f"""INSERT INTO {table} ({cols}, run_id, record_ref, row_hash)
            SELECT {cols}, {run_id}, record_ref, row_hash FROM stage""")
    con.execute("DROP TABLE diff")
    return {k: int(counts.get(k, 0)) for k in ("new", "updated", "unchanged")}

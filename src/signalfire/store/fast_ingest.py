"""The engine's path of an ingest: an adapter's SQL plan (:mod:`signalfire.sources.fastsql`) run by DuckDB over the
whole file for :func:`signalfire.store.ingest.ingest_file`, its accepted records appended straight to the target
table.

One parallel scan reads the file with ``read_csv`` (every column as text, the row path's reader options), maps and
checks the records, before the ingest's transaction, into a temporary table whose row ids number them (``seq``, and
``record_ref`` = ``line N`` as the row path counts lines); in the transaction the accepted ones are appended from
there, hashed on the way. Records the plan does not accept go through the adapter's own row code afterwards (few),
records DuckDB's reader rejects are quarantined with the row path's reasons. No Python work per record, no
whole-file frame: memory is DuckDB's (spilling to disk past its limit).

The row path stays the reference and is used for every file the plan does not cover: adapters without a plan,
zipped or gzipped files are read as the row path reads them (extracted / decompressed by DuckDB), files that
are not UTF-8 are transcoded first, and these use the row path: files with a carriage return that is not part of
a line end (DuckDB's reader would split or refuse the record), plan-specific cases (see each plan's module).
"""

from __future__ import annotations

import importlib
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from signalfire.sources.base import SourceError
from signalfire.sources.delimited import (
    MAX_LINE_BYTES,
    _rejects,
    _sql_value,
    bare_carriage_return,
    duplicate_names_error,
    plain_file,
)
from signalfire.sources.fastsql import col, raw_col

PLANS = {"ucdp-ged": "signalfire.sources.ucdp.ucdp_ged_sql", "gdelt": "signalfire.sources.gdelt_sql",
         "acled": "signalfire.sources.acled_sql"}
SUSPECT_CHUNK = 100_000
MEMORY_LIMIT = os.environ.get("SIGNALFIRE_INGEST_MEMORY", "1GB")   # DuckDB's limit during the scan; spills past it


class UseRowPath(Exception):
    """The file needs the row path; the message says why."""


def plan_module(adapter) -> str | None:
    """The module of the adapter's SQL plan, if it has one (the adapter as its module defines it)."""
    module = PLANS.get(adapter.name)
    reader = getattr(adapter.read, "__module__", "")
    return module if module and module.removesuffix("_sql") == reader else None


def plan_for(adapter, path: Path):
    module = plan_module(adapter)
    return importlib.import_module(module).plan(path) if module else None


def _read_csv(plain: Path, plan, rejects: str = "sf_rej") -> str:
    columns = ", ".join(f"{_sql_value(n)}: 'VARCHAR'" for n in plan.names)
    options = dict(delim=plan.delim, header=plan.header, quote=plan.quote, escape=plan.quote,  # noqa: C408
                   store_rejects=True, rejects_table=rejects, rejects_scan=rejects + "_scan",
                   max_line_size=MAX_LINE_BYTES, auto_detect=False, null_padding=False, strict_mode=True,
                   parallel=True)
    opts = ", ".join(f"{k}={_sql_value(v)}" for k, v in options.items())
    return f"read_csv({_sql_value(str(plain))}, columns={{{columns}}}, {opts})"


def _scan_sql(plain: Path, plan) -> str:
    """The file's records as the plan reads them, ``seq`` 0 for all: numbering them here (a window over the whole
    scan) would run the scan on one thread; records are numbered by their place in :func:`scan`'s table."""
    fields = ", ".join(f"{col(n)} AS {raw_col(f)}" for n, f in zip(plan.names, plan.frame_names))
    return f"SELECT 0 AS seq, {fields} FROM {_read_csv(plain, plan)}"


LINE = "CAST(substr(record_ref, 6) AS BIGINT)"       # the N of record_ref 'line N': the record's place in the file


@dataclass
class Scan:
    """A file read by :func:`scan` into the temp table ``sf_all``, waiting for :func:`stage`."""
    plan: object
    path: Path
    version: str | None
    rejects: pd.DataFrame
    first: int           # sf_all's first row id (its rows are numbered consecutively in file order)
    offset: int          # 1 when the file has a header line


def scan(con, adapter, path: Path, columns: dict[str, str], source_version: str | None) -> Scan:
    """Read, map and check the whole file into the temp table ``sf_all``, before the ingest's transaction.

    One parallel scan maps and checks every record into ``sf_all``, whose row ids number the records in file order
    (DuckDB keeps insertion order).  It runs before the transaction because a table created inside it is the
    transaction's local storage, which the append into the adapter's table then reads on one thread (measured at
    1M GDELT rows: 6.1-6.8 s against 4.2-4.5 s from a committed temp table).  A temp table is the connection's
    own and gone with it, so nothing reaches the store before :func:`stage`.  (Numbering in the scan with
    ``row_number() OVER ()`` ran the whole pipeline on one thread; appending every record to the table and deleting
    the odd ones after would cost more: DuckDB rewrites a transaction's appended rows at commit when some of them
    were deleted.)  Raises UseRowPath when the file needs the row path."""
    path = Path(path)
    plan = plan_for(adapter, path)
    if plan is None:
        raise UseRowPath("no SQL plan for this file's layout")
    if len({n.casefold() for n in plan.names}) != len(plan.names):
        raise duplicate_names_error(path, plan.names)
    plan.prepare(con)
    version = source_version or plan.source_version
    casts = ", ".join(f"CAST({_sql_value(source_version)} AS VARCHAR) AS {c}" if c == "source_version"
                      and source_version else f"CAST({c} AS {t}) AS {c}" for c, t in columns.items())
    raw = "[" + ", ".join(f"coalesce({raw_col(n)}, '')" for n in plan.frame_names) + "]"
    good = "_ok AND NOT coalesce(_flag, false)"
    with plain_file(path) as plain:
        if bare_carriage_return(plain):
            raise UseRowPath("a carriage return inside a field")
        try:
            con.execute(f"""CREATE OR REPLACE TEMP TABLE sf_all AS
                SELECT {casts}, {good} AS _good, _ok, _reason, _reason_column, _flag,
                       CASE WHEN NOT ({good}) THEN {raw} END AS _raw
                FROM ({plan.select(_scan_sql(plain, plan))})""")
            rejects = _rejects(con, path, plan.names, table="sf_rej")
        except Exception as exc:  # noqa: BLE001 - duckdb's errors: the row path reads or words them
            drop(con)
            raise UseRowPath(f"the engine could not read the file ({str(exc).splitlines()[0]})") from None
    first, last, total = con.execute("SELECT min(rowid), max(rowid), count(*) FROM sf_all").fetchone()
    if total and last - first + 1 != total:
        drop(con)
        raise UseRowPath("the engine's row numbers have gaps")
    return Scan(plan, path, version, rejects, first or 0, 1 if plan.header else 0)


def drop(con) -> None:
    """Drop the temp tables of :func:`scan` (after :func:`stage`, or when the ingest stops before it)."""
    for name in ("sf_all", "sf_rej", "sf_rej_scan"):
        con.execute(f"DROP TABLE IF EXISTS {name}")


def stage(con, scanned: Scan, table: str, run_id: int, columns: dict[str, str], hash_expr: str,
          stage_rows) -> tuple[int, int, str | None]:
    """Append the scanned rows straight to ``table`` (run_id = ``run_id``; duplicates and the comparison with
    stored rows are :func:`quarantine_duplicates` and :func:`merge`, in place), quarantine the rest; returns
    (read, quarantined, version).

    The records the plan accepts (``_ok``, not flagged) are appended as rows in file order, hashed on the way
    (``hash_expr``: here rather than in the scan, which would keep 48 bytes more per record in ``sf_all``), the others
    (quarantined, suspect or flagged for a plan check) put in ``stage`` (created here), where the row code's rows
    for the suspects wait until they are appended too.  No second read of the file.  Raises UseRowPath (the
    caller deletes the run's rows) when the file needs the row path after all.  ``stage_rows(frame, seqs)``
    stages canonical rows from the row code, as the row path does."""
    plan, path, rejects, first, offset = scanned.plan, scanned.path, scanned.rejects, scanned.first, scanned.offset
    typed = ", ".join(f"{c} {t}" for c, t in columns.items())
    con.execute(f"CREATE OR REPLACE TEMP TABLE stage (seq BIGINT, {typed}, record_ref VARCHAR, row_hash VARCHAR, "
                "_st VARCHAR, _reason VARCHAR, _reason_column VARCHAR, _raw VARCHAR[], _flag BOOLEAN)")
    line = f"'line ' || (rowid - {first} + {1 + offset})"
    appended = con.execute(f"""INSERT INTO {table} ({', '.join(columns)}, run_id, record_ref, row_hash)
        SELECT {', '.join(columns)}, {int(run_id)}, {line}, {hash_expr} FROM sf_all WHERE _good""").fetchone()[0]
    con.execute(f"""INSERT INTO stage (seq, record_ref, _st, _reason, _reason_column, _raw, _flag)
        SELECT rowid - {first}, {line}, CASE WHEN _ok THEN 'ok' WHEN _reason IS NOT NULL THEN 'q' ELSE 's' END,
               _reason, _reason_column, _raw, _flag
        FROM sf_all WHERE NOT _good""")
    drop(con)
    if plan.rescue is not None and len(plan.rescue(rejects)[0]):
        raise UseRowPath("lines of another layout")
    if len(rejects):
        _renumber(con, table, run_id, rejects, offset)
    for check in plan.checks:
        if (why := check(con)) is not None:
            raise UseRowPath(why)
    if len(rejects):
        _quarantine(con, rejects.drop(columns=["line"]), run_id, path.name)
    con.execute(f"""INSERT INTO quarantine (record_ref, column_name, raw, reason, run_id, file_name)
        SELECT record_ref, _reason_column, left(array_to_string(_raw, {_sql_value(plan.delim)}), 10000),
               {_sql_value(path.name)} || ', ' || record_ref || ', column ' || _reason_column || ': ' || _reason,
               {int(run_id)}, {_sql_value(path.name)}
        FROM stage WHERE _st = 'q' ORDER BY seq""")
    _suspects(con, plan, run_id, path.name, stage_rows)
    counts = dict(con.execute("SELECT _st, count(*) FROM stage GROUP BY _st").fetchall())
    if counts.get("ok"):     # the row code's rows for suspect records
        con.execute(f"""INSERT INTO {table} ({', '.join(columns)}, run_id, record_ref, row_hash)
            SELECT {', '.join(columns)}, {int(run_id)}, record_ref, row_hash FROM stage WHERE _st = 'ok' ORDER BY seq""")
    quarantined = counts.get("q", 0) + counts.get("s", 0) + len(rejects)
    read = appended + sum(counts.values()) + len(rejects)
    con.execute("DELETE FROM stage")
    return read, quarantined, scanned.version


def quarantine_dupes(con, key: tuple[str, ...], run_id: int, file_name: str) -> int:
    """Quarantine the records in the temp table ``dupes`` (record_ref, first_ref and the key columns) with the
    store's duplicate reason, which names the record kept; returns how many.  Both ingest paths use it."""
    n = con.execute("SELECT count(*) FROM dupes").fetchone()[0]
    if n:
        label = " || ', ' || ".join(f"'{k}=' || coalesce(CAST({k} AS VARCHAR), 'NULL')" for k in key)
        con.execute(f"""INSERT INTO quarantine (record_ref, column_name, raw, reason, run_id, file_name)
            SELECT record_ref, ?, {label},
                   ? || ', ' || record_ref || ': duplicate key ' || {label} || ' (kept the record at ' || first_ref || ')',
                   ?, ? FROM dupes""", [key[-1], file_name, run_id, file_name])
    return n


def quarantine_duplicates(con, table: str, key: tuple[str, ...], run_id: int, file_name: str, order: str) -> int:
    """The store's duplicate rule (:func:`signalfire.store.ingest._quarantine_duplicates`: the first record by
    ``order`` is kept, the others quarantined naming it) on the run's rows in ``table``; ``seq`` in ``order`` is
    the record's line."""
    keys = ", ".join(key)
    run = f"{table} WHERE run_id = {int(run_id)}"
    repeated = con.execute(
        f"SELECT count(*) FROM (SELECT {keys} FROM {run} GROUP BY {keys} HAVING count(*) > 1)").fetchone()[0]
    if not repeated:
        return 0
    order = re.sub(r"\bseq\b", LINE, order)
    on = " AND ".join(f"e.{k} IS NOT DISTINCT FROM r.{k}" for k in key)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE dupes AS
        SELECT rid, record_ref, first_ref, {keys} FROM (
            SELECT e.rowid AS rid, e.record_ref, {', '.join(f'e.{k}' for k in key)},
                   first_value(e.record_ref) OVER (PARTITION BY {', '.join(f'e.{k}' for k in key)} ORDER BY {order}) AS first_ref,
                   row_number() OVER (PARTITION BY {', '.join(f'e.{k}' for k in key)} ORDER BY {order}) AS rn
            FROM (SELECT rowid, * FROM {run}) e
            JOIN (SELECT {keys} FROM {run} GROUP BY {keys} HAVING count(*) > 1) r ON {on}) WHERE rn > 1""")
    n = quarantine_dupes(con, key, run_id, file_name)
    con.execute(f"DELETE FROM {table} WHERE rowid IN (SELECT rid FROM dupes)")
    con.execute("DROP TABLE dupes")
    return n


def merge(con, table: str, key: tuple[str, ...], run_id: int) -> dict[str, int]:
    """The run's rows, already in ``table``, against the stored ones by key and row_hash (as
    :func:`signalfire.store.ingest._merge`): an unchanged row's new copy is deleted (the stored one stays), an
    updated row's stored version goes to ``event_revisions`` (events) and is deleted; the rest are new."""
    run = f"{table} WHERE run_id = {int(run_id)}"
    staged = con.execute(f"SELECT count(*) FROM {run}").fetchone()[0]
    others = con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE run_id IS DISTINCT FROM {int(run_id)} "
                         "LIMIT 1)").fetchone()[0]
    if not others:
        return {"new": int(staged), "updated": 0, "unchanged": 0}
    join = " AND ".join(f"n.{k} IS NOT DISTINCT FROM o.{k}" for k in key)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE diff AS
        SELECT n.rowid AS new_id, o.rowid AS old_id, coalesce(n.row_hash = o.row_hash, false) AS same
        FROM (SELECT rowid, * FROM {run}) n
        JOIN (SELECT rowid, * FROM {table} WHERE run_id IS DISTINCT FROM {int(run_id)}) o ON {join}""")
    counts = dict(con.execute("SELECT same, count(*) FROM diff GROUP BY same").fetchall())
    updated, unchanged = counts.get(False, 0), counts.get(True, 0)
    if updated:
        if table == "events":
            con.execute(f"""INSERT INTO event_revisions SELECT t.*, {int(run_id)}, now() FROM events t
                WHERE rowid IN (SELECT old_id FROM diff WHERE NOT same)""")
        con.execute(f"DELETE FROM {table} WHERE rowid IN (SELECT old_id FROM diff WHERE NOT same)")
    if unchanged:
        con.execute(f"DELETE FROM {table} WHERE rowid IN (SELECT new_id FROM diff WHERE same)")
    con.execute("DROP TABLE diff")
    return {"new": int(staged - updated - unchanged), "updated": int(updated), "unchanged": int(unchanged)}


@contextmanager
def memory_limit(con):
    """DuckDB's memory limit at MEMORY_LIMIT for the ingest (it spills to disk past it), then as it was."""
    previous = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    con.execute(f"SET memory_limit = {_sql_value(MEMORY_LIMIT)}")
    try:
        yield
    finally:
        con.execute(f"SET memory_limit = {_sql_value(previous)}")


def _renumber(con, table: str, run_id: int, rejects: pd.DataFrame, offset: int) -> None:
    """record_ref as the row path counts it when DuckDB rejected lines: the i-th accepted record sits on the i-th
    line not rejected (the run's rows and the staged records are numbered by their seq until then)."""
    lines = np.array(sorted({int(x) for x in rejects["line"]}), dtype=np.int64)
    gaps = lines - np.arange(len(lines)) - (1 + offset)
    con.register("sf_gaps", pd.DataFrame({"g": gaps, "n": np.arange(1, len(gaps) + 1)}))
    for target, seq, where in ((table, f"{LINE} - {1 + offset}", f"WHERE run_id = {int(run_id)}"),
                               ("stage", "seq", "")):
        con.execute(f"""UPDATE {target} SET record_ref = 'line ' || (x.seq + {1 + offset} + x.n)
            FROM (SELECT s.rid, s.seq, g.n FROM (SELECT rowid AS rid, {seq} AS seq FROM {target} {where}) s
                  ASOF JOIN sf_gaps g ON s.seq >= g.g) x
            WHERE {target}.rowid = x.rid""")
    con.unregister("sf_gaps")


def _quarantine(con, frame: pd.DataFrame, run_id: int, file_name: str) -> None:
    if not len(frame):
        return
    q = frame.assign(run_id=run_id, file_name=file_name)
    con.register("sf_qbatch", q)
    con.execute("INSERT INTO quarantine (record_ref, column_name, raw, reason, run_id, file_name) "
                "SELECT record_ref, column_name, raw, reason, run_id, file_name FROM sf_qbatch")
    con.unregister("sf_qbatch")


def _suspects(con, plan, run_id: int, file_name: str, stage_rows) -> None:
    """The records the plan left to the row code: their rows are staged under their own seq, their reasons
    quarantined; then they count as staged ('ok') or quarantined ('s')."""
    n = con.execute("SELECT count(*) FROM stage WHERE _st = 's'").fetchone()[0]
    if not n:
        return
    reader = con.execute("SELECT seq, record_ref, _raw FROM stage WHERE _st = 's' ORDER BY seq").to_arrow_reader(
        SUSPECT_CHUNK)
    good_seqs = []
    pending = []
    for batch in reader:
        frame = batch.to_pandas()
        fields = pd.DataFrame(frame["_raw"].tolist(), columns=plan.frame_names)
        fields.insert(0, "record_ref", frame["record_ref"].astype(str).to_numpy())
        good, quarantine = plan.rows(fields)
        pending.append((good, frame["seq"].to_numpy()[good.index.to_numpy()], quarantine))
    for good, seqs, quarantine in pending:
        _quarantine(con, quarantine, run_id, file_name)
        if len(good):
            stage_rows(good, seqs)
            good_seqs.append(seqs)
    if good_seqs:
        con.register("sf_good", pd.DataFrame({"seq": np.concatenate(good_seqs)}))
        # the row code's rows were staged with _st NULL; their suspect records are dropped
        con.execute("DELETE FROM stage WHERE _st = 's' AND seq IN (SELECT seq FROM sf_good)")
        con.unregister("sf_good")
        con.execute("UPDATE stage SET _st = 'ok' WHERE _st IS NULL")


__all__ = ["Scan", "SourceError", "UseRowPath", "drop", "merge", "plan_for", "quarantine_duplicates", "scan",
           "stage"]

"""`signalfire scale ingest`: one file through an adapter's SQL plan, on DuckDB or on Spark, to partitioned Parquet.

Both engines write the same layout under the output folder, which either engine (and ``signalfire scale
aggregate --events-parquet OUT/events``) reads:

* ``events/source=…/month=YYYY-MM/*.parquet``: the event columns, ``record_ref`` (``line N`` of the file) and
  ``row_hash`` (the store's);
* ``quarantine/source=…/*.parquet``: ``record_ref, column_name, raw, reason, file_name``.

The DuckDB engine is the store's own ingest (:func:`signalfire.store.ingest.ingest_file`, its SQL path where the
file suits it, else the row path) into a temporary store, exported; the Spark engine runs the same plan
transpiled (:mod:`signalfire.scale.spark_ingest`).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from signalfire.scale.exchange import PARTITIONS, ExchangeError, prepare_folder
from signalfire.store.schema import EVENT_COLUMNS

QUARANTINE_COLUMNS = ("record_ref", "column_name", "raw", "reason", "file_name")


def _sql_text(value) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _adapter(name: str):
    from signalfire.sources import get
    adapter = get(name)
    if adapter.table != "events":
        raise ExchangeError(f"{name}: scale ingest reads event sources (this adapter fills {adapter.table})")
    return adapter


def _result(engine: str, adapter, path: Path, read: int, events: int, quarantine_rows: int, version, started):
    return {"engine": engine, "adapter": adapter.name, "file": str(path), "read": int(read), "events": int(events),
            "quarantined": int(read) - int(events), "quarantine_rows": int(quarantine_rows),
            "source_version": version, "seconds": round(time.perf_counter() - started, 2)}


def ingest_duckdb(adapter_name: str, path: str | Path, out: str | Path, overwrite: bool = False,
                  mode: str = "auto") -> dict:
    """The store's ingest of the file into a temporary store, its events and quarantine written under ``out``."""
    from signalfire.store.database import Store
    from signalfire.store.ingest import ingest_file
    started = time.perf_counter()
    adapter, path = _adapter(adapter_name), Path(path)
    out = prepare_folder(out, overwrite)
    for part in ("events", "quarantine"):
        shutil.rmtree(out / part, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="signalfire-scale-") as tmp:
        store = Store(Path(tmp) / "ingest.duckdb")
        try:
            result = ingest_file(store, adapter, path, mode=mode)
            con = store.con
            columns = ", ".join([*EVENT_COLUMNS, "record_ref", "row_hash"])
            events = con.execute("SELECT count(*) FROM events").fetchone()[0]
            if events:
                con.execute(f"COPY (SELECT {columns}, strftime(date_start, '%Y-%m') AS month FROM events) TO "
                            f"{_sql_text(out / 'events')} (FORMAT PARQUET, PARTITION_BY ({', '.join(PARTITIONS)}))")
            q = con.execute("SELECT count(*) FROM quarantine").fetchone()[0]
            if q:
                con.execute(f"COPY (SELECT {', '.join(QUARANTINE_COLUMNS)}, {_sql_text(adapter.source)} AS source "
                            f"FROM quarantine) TO {_sql_text(out / 'quarantine')} (FORMAT PARQUET, "
                            "PARTITION_BY (source))")
        finally:
            store.close()
    return _result("duckdb", adapter, path, result.read, events, q, result.source_version, started)


def ingest_spark(session, adapter_name: str, path: str | Path, out: str | Path, overwrite: bool = False) -> dict:
    """The adapter's SQL plan run by Spark over the file, its events and quarantine written under ``out``."""
    from pyspark.sql import functions as F

    from signalfire.scale.spark_ingest import stage_file
    started = time.perf_counter()
    adapter, path = _adapter(adapter_name), Path(path)
    out = prepare_folder(out, overwrite)
    staged = stage_file(session, adapter, path)
    try:
        events = staged["events"].withColumn("month", F.date_format("date_start", "yyyy-MM"))
        events.write.mode("overwrite").partitionBy(*PARTITIONS).parquet(str((out / "events").resolve()))
        quarantine = staged["quarantine"].select(
            *QUARANTINE_COLUMNS[:-1], F.lit(path.name).alias("file_name"), F.lit(adapter.source).alias("source"))
        quarantine.write.mode("overwrite").partitionBy("source").parquet(str((out / "quarantine").resolve()))
        counts = count_parquet(out)
    finally:
        for frame in staged["cached"]:
            frame.unpersist()
    return _result("spark", adapter, path, staged["read"], counts["events"], counts["quarantine"],
                   staged["version"], started)


def count_parquet(out: str | Path) -> dict[str, int]:
    import duckdb
    counts = {}
    for part in ("events", "quarantine"):
        folder = Path(out) / part
        files = list(folder.rglob("*.parquet")) if folder.is_dir() else []
        counts[part] = duckdb.sql(f"SELECT count(*) FROM read_parquet({_sql_text(folder / '**' / '*.parquet')})"
                                  ).fetchone()[0] if files else 0
    return counts


def read_output(out: str | Path, part: str):
    """``events`` or ``quarantine`` written by either engine, as a pandas DataFrame (partition columns as text)."""
    import duckdb
    folder = Path(out) / part
    if not folder.is_dir() or not any(folder.rglob("*.parquet")):
        return None
    return duckdb.sql(f"SELECT * FROM read_parquet({_sql_text(folder / '**' / '*.parquet')}, hive_partitioning=true, "
                      "hive_types_autocast=false)").df()

"""An adapter's SQL plan (:class:`signalfire.sources.fastsql.SqlPlan`) run on Apache Spark.

The same steps as the DuckDB path (:mod:`signalfire.store.fast_ingest` and the store's staging), on Spark:

1. the file (unzipped or transcoded to UTF-8 on the driver as the DuckDB path does) is read by Spark's CSV reader,
   every column as text, with the plan's delimiter, header and quote (quoted files as multi-line records);
   records with the wrong number of fields are Spark's malformed records and are quarantined with DuckDB's reasons;
2. records are numbered in file order without a sort (partition id and position within the partition, plus the
   counts of the partitions before) so ``record_ref`` is ``line N`` exactly as DuckDB numbers it;
3. the plan's lookup tables are built by the plan itself in an in-memory DuckDB and handed to Spark; its SELECT is
   transpiled to Spark SQL (:mod:`signalfire.scale.dialect`) and run over the records;
4. the plan's after-scan checks run against the staged records (their SQL transpiled too); *suspect* records go
   through the adapter's row code on the driver, as on DuckDB (few in real files), and their rows are staged with
   the store's own staging code in an in-memory DuckDB (same casts, same row hash);
5. duplicates of the key within the file are quarantined (the first by the store's order is kept), the row hash
   is the store's (md5 over DuckDB's text of each column), and events and quarantine are written as Parquet
   partitioned by source and month (:mod:`signalfire.scale.ingest` has the layout).

A file the plan does not cover (no plan, a carriage return inside a field, lines of another GDELT layout, a GED
file with empty ``dyad_name``) is an error naming why: the DuckDB engine reads it through the row path.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from signalfire.scale.dialect import row_hash, spark_type, to_spark
from signalfire.sources.base import quarantine_frame
from signalfire.sources.delimited import MAX_LINE_BYTES, bare_carriage_return, duplicate_names_error, plain_file
from signalfire.store.schema import ADAPTER_TABLES, KEYS

CORRUPT = "_corrupt_record"
SUSPECT_CHUNK = 100_000
RAW_LIMIT = 10_000


class NeedsRowPath(ValueError):
    """The file needs the row path, which only the DuckDB engine runs; the message says why."""


class _Result:
    def __init__(self, rows):
        self.rows = [tuple(r) for r in rows]

    def fetchone(self):
        return self.rows[0] if self.rows else None

    def fetchall(self):
        return self.rows


class SparkSql:
    """The part of a DuckDB connection a plan's checks use (``execute(sql).fetchone()``), on Spark: the SQL is
    transpiled and run against the session's temporary views."""

    def __init__(self, session):
        self.session = session

    def execute(self, sql: str):
        return _Result(self.session.sql(to_spark(sql)).collect())


def _lookups(session, plan) -> None:
    """The plan's lookup tables (built by ``plan.prepare`` in an in-memory DuckDB) as Spark temporary views."""
    con = duckdb.connect()
    try:
        plan.prepare(con)
        names = [n for (n,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE temporary ORDER BY 1").fetchall()]
        for name in names:
            table = con.table(name)
            schema = ", ".join(f"`{c}` {spark_type(str(t))}" for c, t in zip(table.columns, table.types))
            session.createDataFrame(table.fetchall() or [], schema).createOrReplaceTempView(name)
    finally:
        con.close()


def _read(session, plain: Path, plan, name: str, offset: int):
    """(the records numbered in file order: seq, c0…cN, the malformed text or NULL; the persisted read it
    comes from; the malformed records with the DuckDB path's reasons; the number of records).  One pass over the file counts each partition's
    records and collects the malformed ones."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType
    schema = StructType([StructField(f"c{i}", StringType()) for i in range(len(plan.names))]
                        + [StructField(CORRUPT, StringType())])
    reader = (session.read.schema(schema)
              .option("sep", plan.delim).option("header", plan.header).option("encoding", "UTF-8")
              .option("quote", plan.quote).option("escape", plan.quote or "\\")
              .option("multiLine", bool(plan.quote))   # a quoted field may hold a line break
              .option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", CORRUPT)
              .option("ignoreLeadingWhiteSpace", False).option("ignoreTrailingWhiteSpace", False)
              .option("maxCharsPerColumn", MAX_LINE_BYTES).option("enforceSchema", True))
    raw = reader.csv(str(plain)).select(F.spark_partition_id().alias("_pid"),
                                        F.monotonically_increasing_id().alias("_mid"), "*")
    raw = raw.persist(StorageLevel.MEMORY_AND_DISK)
    bad = F.when(F.col(CORRUPT).isNotNull(), F.struct("_mid", CORRUPT))
    parts = sorted(raw.groupBy("_pid").agg(F.count(F.lit(1)), F.collect_list(bad)).collect())
    starts, malformed, total = [], [], 0
    for pid, n, rows in parts:
        starts.append((int(pid), total))
        malformed += [(total + int(mid) - (int(pid) << 33), text) for mid, text in rows]
        total += int(n)
    offsets = session.createDataFrame(starts or [(0, 0)], "_pid INT, _off BIGINT")
    # monotonically_increasing_id = partition id << 33 | position in the partition
    seq = F.col("_off") + F.col("_mid") - F.col("_pid").cast("bigint") * (1 << 33)
    numbered = raw.join(F.broadcast(offsets), "_pid").select(seq.alias("seq"), *schema.fieldNames())
    return numbered, raw, _rejects(sorted(malformed), plan, name, offset), total


def _rejects(malformed: list[tuple[int, str]], plan, name: str, offset: int) -> pd.DataFrame:
    """Malformed records (seq, text) with the DuckDB path's reasons (one per line, ``line`` = its line)."""
    out = []
    for seq, text in malformed:
        line = int(seq) + 1 + offset
        text = text.rstrip("\r\n")
        if plan.quote:
            fields = len(next(csv.reader([text], delimiter=plan.delim, quotechar=plan.quote), []))
        else:
            fields = len(text.split(plan.delim))
        what = "too many" if fields > len(plan.names) else "too few"
        out.append({"line": line, "record_ref": f"line {line}", "column_name": None, "raw": text,
                    "reason": f"{name}, line {line}: {what} fields (expected {len(plan.names)})"})
    frame = quarantine_frame(out)
    frame["line"] = [r["line"] for r in out]
    return frame


def _stage(session, numbered, plan, columns: dict[str, str], source_version: str | None, offset: int):
    """The plan's SELECT over the well-formed records, cast to the table's types, with record_ref, row_hash and
    the status: ok, q (a reason worded in SQL) or s (a suspect for the row code)."""
    from pyspark.sql import functions as F
    raw_names = ["raw:" + n for n in plan.frame_names]
    (numbered.filter(F.col(CORRUPT).isNull())
     .select("seq", *[F.col(f"c{i}").alias(n) for i, n in enumerate(raw_names)])
     .createOrReplaceTempView("sf_scan"))
    session.sql(to_spark(plan.select("SELECT * FROM sf_scan"))).createOrReplaceTempView("sf_mapped")
    casts = ", ".join(f"CAST({_spark_literal(source_version)} AS STRING) AS {c}" if c == "source_version"
                      and source_version else f"CAST({c} AS {spark_type(t)}) AS {c}" for c, t in columns.items())
    raws = ", ".join(f"coalesce(`{n}`, '')" for n in raw_names)
    stage = session.sql(f"""
        SELECT seq, {', '.join(columns)}, concat('line ', CAST(seq + {1 + offset} AS STRING)) AS record_ref,
               CASE WHEN _ok THEN {row_hash(columns)} END AS row_hash,
               CASE WHEN _ok THEN 'ok' WHEN _reason IS NOT NULL THEN 'q' ELSE 's' END AS _st,
               _reason, _reason_column, _flag, _raw
        FROM (SELECT seq, {casts}, _ok, _reason, _reason_column, _flag,
                     CASE WHEN _ok THEN NULL ELSE array({raws}) END AS _raw FROM sf_mapped)""")
    return stage


def _spark_literal(value: str) -> str:
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _suspects(session, stage, plan, columns: dict[str, str], source_version: str | None):
    """The suspects through the adapter's row code on the driver: (their rows as a Spark DataFrame or None, their
    quarantine as pandas).  Rows are staged by the store's own staging code (casts and row hash) in DuckDB."""
    from pyspark.sql import functions as F

    from signalfire.store.ingest import stage_rows
    con = duckdb.connect()
    typed = ", ".join(f"{c} {t}" for c, t in columns.items())
    con.execute(f"CREATE TEMP TABLE stage (seq BIGINT, {typed}, record_ref VARCHAR, row_hash VARCHAR)")
    quarantined = []
    batch: list = []

    def flush():
        frame = pd.DataFrame(batch, columns=["seq", "record_ref", "_raw"])
        fields = pd.DataFrame([list(r) for r in frame["_raw"]], columns=plan.frame_names)
        fields.insert(0, "record_ref", frame["record_ref"].astype(str).to_numpy())
        good, quarantine = plan.rows(fields)
        quarantined.append(quarantine)
        if len(good):
            stage_rows(con, good, columns, frame["seq"].to_numpy()[good.index.to_numpy()], source_version)
        batch.clear()

    # one partition at a time, each in file order (no global sort: the rows are staged under their own seq)
    suspects = stage.filter(F.col("_st") == "s").select("seq", "record_ref", "_raw").sortWithinPartitions("seq")
    for row in suspects.toLocalIterator():
        batch.append((row[0], row[1], row[2]))
        if len(batch) >= SUSPECT_CHUNK:
            flush()
    if batch:
        flush()
    staged = con.execute("SELECT * FROM stage ORDER BY seq").fetchall()
    con.close()
    schema = ", ".join(["seq BIGINT", *(f"{c} {spark_type(t)}" for c, t in columns.items()),
                        "record_ref STRING", "row_hash STRING"])
    rows = session.createDataFrame(staged, schema) if staged else None
    quarantine = pd.concat(quarantined, ignore_index=True) if quarantined else quarantine_frame()
    return rows, quarantine


def _dedup(rows, key: tuple[str, ...], order: str, name: str):
    """(kept rows, quarantine of the repeats as the store's _quarantine_duplicates words them, the persisted
    ranking both come from)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F
    by = []
    for part in order.split(","):
        column, *how = part.split()
        c = F.col(column)
        desc, nulls_first = "DESC" in how, "FIRST" in how      # DuckDB's default: NULLS LAST
        by.append((c.desc_nulls_first() if nulls_first else c.desc_nulls_last()) if desc
                  else (c.asc_nulls_first() if nulls_first else c.asc_nulls_last()))
    window = Window.partitionBy(*key).orderBy(*by)
    from pyspark import StorageLevel
    ranked = rows.withColumn("_rn", F.row_number().over(window)) \
                 .withColumn("_first", F.first("record_ref").over(window)) \
                 .persist(StorageLevel.MEMORY_AND_DISK)   # read twice: the kept rows and the repeats
    label = F.concat_ws(", ", *[F.concat(F.lit(f"{k}="), F.coalesce(F.col(k).cast("string"), F.lit("NULL")))
                                for k in key])
    dupes = ranked.filter(F.col("_rn") > 1).select(
        "record_ref", F.lit(key[-1]).alias("column_name"), label.alias("raw"),
        F.concat(F.lit(f"{name}, "), F.col("record_ref"), F.lit(": duplicate key "), label,
                 F.lit(" (kept the record at "), F.col("_first"), F.lit(")")).alias("reason"))
    return ranked.filter(F.col("_rn") == 1).drop("_rn", "_first"), dupes, ranked


def stage_file(session, adapter, path: Path, source_version: str | None = None) -> dict:
    """Run the adapter's plan over the file on Spark.  Returns {"events": DataFrame (the table's columns,
    record_ref, row_hash), "quarantine": DataFrame (record_ref, column_name, raw, reason), "read": n,
    "version": the source version, "cached": the persisted frames, to unpersist once both are written}; raises
    NeedsRowPath when the file needs the row path."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from signalfire.store import fast_ingest
    from signalfire.store.ingest import KEEP
    path = Path(path)
    plan = fast_ingest.plan_for(adapter, path)
    if plan is None:
        raise NeedsRowPath(f"{adapter.name}: no SQL plan for this file's layout" if fast_ingest.plan_module(adapter)
                           else f"{adapter.name}: no SQL plan for this adapter")
    if len({n.casefold() for n in plan.names}) != len(plan.names):
        raise duplicate_names_error(path, plan.names)
    columns = ADAPTER_TABLES[adapter.table]
    offset = 1 if plan.header else 0
    with plain_file(path) as plain:     # Spark reads lazily: every read of the file happens inside this block
        if bare_carriage_return(plain):
            raise NeedsRowPath("a carriage return inside a field")
        _lookups(session, plan)
        numbered, cached, rejects, read = _read(session, plain, plan, path.name, offset)
        stage = None
        try:
            if plan.rescue is not None and len(plan.rescue(rejects)[0]):
                raise NeedsRowPath("lines of another layout")
            stage = _stage(session, numbered, plan, columns, source_version, offset)
            stage = stage.persist(StorageLevel.MEMORY_AND_DISK)
            stage.createOrReplaceTempView("stage")
            for check in plan.checks:
                if (why := check(SparkSql(session))) is not None:
                    raise NeedsRowPath(why)
            # the suspects' pass reads every partition of the stage, which keeps it (memory, else disk)
            rescued, suspect_q = _suspects(session, stage, plan, columns, source_version)
        except BaseException:
            if stage is not None:
                stage.unpersist()
            raise
        finally:
            cached.unpersist()
    worded = stage.filter(F.col("_st") == "q").select(
        "record_ref", F.col("_reason_column").alias("column_name"),
        F.substring(F.array_join("_raw", plan.delim), 1, RAW_LIMIT).alias("raw"),
        F.concat(F.lit(f"{path.name}, "), F.col("record_ref"), F.lit(", column "), F.col("_reason_column"),
                 F.lit(": "), F.col("_reason")).alias("reason"))
    rows = stage.filter(F.col("_st") == "ok").select("seq", *columns, "record_ref", "row_hash")
    if rescued is not None:
        rows = rows.unionByName(rescued)
    kept, dupes, ranked = _dedup(rows, KEYS[adapter.table], KEEP.get(adapter.table, "seq"), path.name)
    driver_q = pd.concat([rejects.drop(columns=["line"]), suspect_q], ignore_index=True)
    quarantine = worded.unionByName(dupes)
    if len(driver_q):
        quarantine = quarantine.unionByName(session.createDataFrame(
            [tuple(None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in r)
             for r in driver_q[["record_ref", "column_name", "raw", "reason"]].itertuples(index=False)],
            "record_ref STRING, column_name STRING, raw STRING, reason STRING"))
    return {"events": kept.drop("seq"), "quarantine": quarantine, "cached": [stage, ranked],
            "read": read, "version": source_version or plan.source_version}

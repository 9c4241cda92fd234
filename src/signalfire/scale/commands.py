"""CLI: `signalfire scale export-events DIR`, `signalfire scale aggregate --events-parquet DIR --out DIR
[--engine duckdb|spark]` (the aggregates of :mod:`signalfire.scale.pipeline` on either engine) and
`signalfire scale ingest FORMAT FILE OUT [--engine duckdb|spark]` (an adapter's SQL plan on either engine,
:mod:`signalfire.scale.ingest`)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer

FolderArg = typer.Argument(..., help="Output folder: writes source=…/month=YYYY-MM/*.parquet.")
EventsOpt = typer.Option(..., "--events-parquet", help="Folder of events partitioned by source=…/month=… "
                         "(see `signalfire scale export-events`).")
OutOpt = typer.Option(..., "--out", help="Output folder: writes panel/ and rings/ as Parquet.")
EngineOpt = typer.Option("duckdb", "--engine", help="duckdb (embedded) or spark.")
MasterOpt = typer.Option(None, "--spark-master", help="Spark master URL (default: $SIGNALFIRE_SPARK_MASTER, else "
                         "local[2]); e.g. spark://host:7077, yarn, k8s://…")


def register(app) -> None:
    from signalfire.cli import StoreOpt, _fail  # the --store option and the error exit every command shares
    scale = typer.Typer(help="The heavy aggregates on DuckDB or Apache Spark, over events exchanged as Parquet "
                        "partitioned by source and month.", no_args_is_help=True)
    app.add_typer(scale, name="scale")

    @scale.command("export-events")
    def export_cmd(
        folder: Path = FolderArg,
        store: Path | None = StoreOpt,
        overwrite: bool = typer.Option(False, "--overwrite", help="Replace the folder's contents."),
    ):
        """Write the store's events as Parquet partitioned hive-style by source and month."""
        from signalfire.cli import _reader, out
        from signalfire.scale.exchange import ExchangeError, export_events
        wh = _reader(store)
        try:
            count = export_events(wh, folder, overwrite=overwrite)
        except ExchangeError as exc:
            _fail(str(exc))
        finally:
            wh.close()
        out.print(f"{count:,} events written to {folder}", highlight=False, markup=False)

    @scale.command("aggregate")
    def aggregate_cmd(
        events_parquet: Path = EventsOpt,
        out_dir: Path = OutOpt,
        engine: str = EngineOpt,
        spark_master: str | None = MasterOpt,
        overwrite: bool = typer.Option(False, "--overwrite", help="Replace the output folder's contents."),
    ):
        """Compute the country-month panel and the neighbourhood rings; prints one JSON line of counts and time."""
        from signalfire.cli import out
        from signalfire.scale import engine as engines
        from signalfire.scale.exchange import ExchangeError
        from signalfire.scale.pipeline import run
        started = time.perf_counter()
        try:
            con = engines.connect(engine, spark_master=spark_master)
            counts = run(con, events_parquet, out_dir, overwrite=overwrite)
        except (engines.EngineUnavailable, ExchangeError) as exc:
            _fail(str(exc))
        out.print(json.dumps({"engine": engine, "rows": counts, "seconds": round(time.perf_counter() - started, 2),
                              "out": str(out_dir)}), highlight=False, markup=False, soft_wrap=True)

    @scale.command("ingest")
    def ingest_cmd(
        adapter: str = typer.Argument(..., help="Event format with an SQL plan: ucdp-ged, gdelt or acled (on DuckDB any "
                                      "event adapter)."),
        file: Path = typer.Argument(..., help="The file as its producer publishes it (plain, gzipped or zipped)."),
        out_dir: Path = typer.Argument(..., help="Output folder: writes events/source=…/month=…/*.parquet and "
                                       "quarantine/source=…/*.parquet."),
        engine: str = EngineOpt,
        spark_master: str | None = MasterOpt,
        overwrite: bool = typer.Option(False, "--overwrite", help="Replace the output folder's contents."),
    ):
        """Map, check, deduplicate and hash one file's events on DuckDB or Spark, written as Parquet partitioned by
        source and month (read by `scale aggregate --events-parquet OUT/events`); prints one JSON line."""
        from signalfire.cli import out
        from signalfire.scale import engine as engines
        from signalfire.scale.exchange import ExchangeError
        from signalfire.scale.ingest import ingest_duckdb, ingest_spark
        from signalfire.sources.base import SourceError
        from signalfire.store.database import StoreError
        if engine not in engines.ENGINES:
            _fail(f"engine: unknown {engine!r}; use one of {', '.join(engines.ENGINES)}")
        try:
            from signalfire.sources import get
            get(adapter)
        except SourceError as exc:
            _fail(str(exc))
        if not file.is_file():
            _fail(f"{file}: no such file")
        try:
            if engine == "duckdb":
                result = ingest_duckdb(adapter, file, out_dir, overwrite=overwrite)
            else:
                from signalfire.scale.spark_ingest import NeedsRowPath
                try:
                    result = ingest_spark(engines.spark_session(spark_master), adapter, file, out_dir,
                                          overwrite=overwrite)
                except NeedsRowPath as exc:
                    _fail(f"{file.name}: the Spark engine runs only the SQL plans, and this file needs the row path "
                          f"({exc}): use --engine duckdb")
                except Exception as exc:
                    if type(exc).__module__.split(".")[0] not in ("pyspark", "py4j"):
                        raise
                    _fail(f"Spark failed on {file.name}: {str(exc).strip().splitlines()[0][:300]}")
        except (engines.EngineUnavailable, ExchangeError, SourceError, StoreError) as exc:
            _fail(str(exc))
        out.print(json.dumps(result), highlight=False, markup=False, soft_wrap=True)

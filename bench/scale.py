"""Scale benchmark: the :mod:`signalfire.scale` aggregates (country-month panel + neighbourhood rings) over
GDELT-format events on DuckDB (embedded) and on Spark local mode, at each size of ``--sizes``.

Input: the real GDELT 1.0 sample (``../shared/data/gdelt/gdelt1_events_20160728_sample.tsv``) ingested through the
``gdelt`` adapter into a temporary store, then repeated in DuckDB to N rows with fresh ids (``<id>-r<i>``) and dates
shifted by up to ten years (so the events spread over ~120 monthly partitions), written as Parquet partitioned by
source and month (generation is not timed).  Each engine then runs in a fresh subprocess:

* ``wall_s``: the pipeline (read the Parquet, compute both aggregates, write them as Parquet); Spark's session start
  (``start_s``) and building the land-border table from the TopoJSON (``borders_s``, the same at every size) are
  timed apart and not included;
* ``peak_rss_mb``: the worker process's peak RSS (``resource.getrusage``), plus for Spark the JVM's peak
  (``VmHWM``), the biggest memory of the run;
* ``rows_per_s`` = N / ``wall_s``, and ``rows_per_s_per_core`` over the cores used.

Prints one JSON line per size, DuckDB being the same-run baseline of Spark (``spark_over_duckdb`` = wall ratio).
``--sizes 1e6,5e6`` (default); ``--spark-master local[2]`` (default).

``--ingest-rows 1e6`` measures the ingest instead (``signalfire scale ingest``): a GDELT 1.0 file of N rows
(``bench/ingest.py``'s builder: the real sample's rows with fresh ids) through the ``gdelt`` SQL plan on DuckDB (the
store's ingest into a temporary store, exported as partitioned Parquet) and on Spark (the same plan transpiled),
each in a fresh process; ``wall_s`` covers reading the file to writing the Parquet, Spark's session start apart.
One JSON line ``{"bench": "scale-ingest", …}``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = Path(os.environ.get("SIGNALFIRE_SHARED_DATA", ROOT.parent / "shared" / "data")) / "gdelt" / \
    "gdelt1_events_20160728_sample.tsv"


def make_events(n: int, folder: Path, work: Path) -> int:
    """N GDELT events (the real sample repeated, fresh ids, shifted dates) as partitioned Parquet under folder."""
    from signalfire.sources import get
    from signalfire.store.ingest import ingest_file
    from signalfire.store.schema import EVENT_COLUMNS
    from signalfire.warehouse import Warehouse
    wh = Warehouse(work / "sample.duckdb")
    ingest_file(wh, get("gdelt"), SAMPLE)
    base = wh.con.execute("SELECT count(*) FROM events").fetchone()[0]
    reps = -(-n // base)
    cols = [c for c in EVENT_COLUMNS if c not in ("source_id", "date_start", "date_end")]
    wh.con.execute(f"""
        COPY (SELECT {', '.join(cols)}, source_id || '-r' || r.i AS source_id,
                     date_start + CAST((r.i * 37) % 3650 AS INTEGER) AS date_start,
                     date_end + CAST((r.i * 37) % 3650 AS INTEGER) AS date_end,
                     strftime(date_start + CAST((r.i * 37) % 3650 AS INTEGER), '%Y-%m') AS month
              FROM events, range({reps}) AS r(i) LIMIT {n})
        TO '{folder}' (FORMAT PARQUET, PARTITION_BY (source, month), OVERWRITE)""")
    wh.close()
    return n


def _vm_hwm_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def worker(engine: str, events: str, out: str, master: str) -> dict:
    """One engine's run, in this (fresh) process."""
    from signalfire.scale import engine as engines
    from signalfire.scale.pipeline import _border_pairs, run
    started = time.perf_counter()
    _border_pairs()   # the land-border table (from the TopoJSON, the same for every size): built before timing
    borders_s = time.perf_counter() - started
    started = time.perf_counter()
    session = engines.spark_session(master) if engine == "spark" else None
    con = engines.connect(engine, session=session)
    start_s = time.perf_counter() - started
    started = time.perf_counter()
    counts = run(con, events, out, overwrite=True)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if session is not None:
        proc = getattr(session.sparkContext._gateway, "proc", None)   # the JVM pyspark launched
        peak = max(peak, _vm_hwm_mb(proc.pid) if proc else 0.0)
        session.stop()
    return {"engine": engine, "borders_s": round(borders_s, 2), "start_s": round(start_s, 2), "wall_s": round(wall, 2),
            "peak_rss_mb": round(peak), "rows": counts}


def ingest_worker(engine: str, path: str, out: str, master: str) -> dict:
    """One engine's ingest of the GDELT file, in this (fresh) process."""
    from signalfire.scale import engine as engines
    from signalfire.scale.ingest import ingest_duckdb, ingest_spark
    started = time.perf_counter()
    session = engines.spark_session(master) if engine == "spark" else None
    start_s = time.perf_counter() - started
    started = time.perf_counter()
    if session is None:
        result = ingest_duckdb("gdelt", path, out, overwrite=True)
    else:
        result = ingest_spark(session, "gdelt", path, out, overwrite=True)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if session is not None:
        proc = getattr(session.sparkContext._gateway, "proc", None)
        peak = max(peak, _vm_hwm_mb(proc.pid) if proc else 0.0)
        session.stop()
    return {"engine": engine, "start_s": round(start_s, 2), "wall_s": round(wall, 2), "peak_rss_mb": round(peak),
            "read": result["read"], "events": result["events"], "quarantined": result["quarantined"]}


def measure_ingest(rows: int, master: str, engines: list[str]) -> dict:
    import importlib.util
    spec = importlib.util.spec_from_file_location("bench_ingest", Path(__file__).with_name("ingest.py"))
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    with tempfile.TemporaryDirectory(prefix="signalfire-bench-scale-ingest-") as tmp:
        tmp = Path(tmp)
        started = time.perf_counter()
        path = builder.make_gdelt(tmp / "events.tsv", rows)
        line = {"bench": "scale-ingest", "format": "gdelt", "rows": rows,
                "generate_s": round(time.perf_counter() - started, 2),
                "file_mb": round(path.stat().st_size / 2**20, 1), "cpu_count": os.cpu_count(),
                "load_avg_1m": round(os.getloadavg()[0], 1)}
        for engine in engines:
            proc = subprocess.run([sys.executable, __file__, "--ingest-worker", engine, str(path),
                                   str(tmp / f"out-{engine}"), master], capture_output=True, text=True, check=False)
            if proc.returncode:
                line[engine] = {"engine": engine, "error": (proc.stderr or proc.stdout).strip().splitlines()[-1][:300]}
                continue
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            result["rows_per_s"] = round(rows / result["wall_s"])
            line[engine] = result
        if "wall_s" in line.get("duckdb", {}) and "wall_s" in line.get("spark", {}):
            line["spark_over_duckdb"] = round(line["spark"]["wall_s"] / line["duckdb"]["wall_s"], 2)
        line["load_avg_1m_after"] = round(os.getloadavg()[0], 1)
    return line


def measure(engine: str, events: Path, out: Path, master: str, n: int) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--worker", engine, str(events), str(out), master],
                          capture_output=True, text=True, check=False)
    if proc.returncode:
        return {"engine": engine, "error": (proc.stderr or proc.stdout).strip().splitlines()[-1][:300]}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    cores = os.cpu_count() or 1
    if engine == "spark" and master.startswith("local["):
        inner = master[len("local["):-1]
        cores = cores if inner == "*" else int(inner)
    result["cores"] = cores
    result["rows_per_s"] = round(n / result["wall_s"])
    result["rows_per_s_per_core"] = round(n / result["wall_s"] / cores)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1e6,5e6", help="Comma-separated event counts, e.g. 1e6,5e6,1e7.")
    parser.add_argument("--spark-master", default="local[2]")
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--ingest-rows", type=float, help="Measure the ingest of a GDELT file of this many rows "
                        "on each engine instead of the aggregates.")
    parser.add_argument("--worker", nargs=4, metavar=("ENGINE", "EVENTS", "OUT", "MASTER"), help=argparse.SUPPRESS)
    parser.add_argument("--ingest-worker", nargs=4, metavar=("ENGINE", "FILE", "OUT", "MASTER"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return
    if args.ingest_worker:
        print(json.dumps(ingest_worker(*args.ingest_worker)))
        return
    if not SAMPLE.exists():
        sys.exit(f"the GDELT sample is not at {SAMPLE} (set SIGNALFIRE_SHARED_DATA)")
    if args.ingest_rows:
        print(json.dumps(measure_ingest(int(args.ingest_rows), args.spark_master, args.engines.split(","))),
              flush=True)
        return
    for size in (int(float(s)) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="signalfire-bench-scale-") as tmp:
            tmp = Path(tmp)
            started = time.perf_counter()
            make_events(size, tmp / "events", tmp)
            line = {"bench": "scale", "events": size, "generate_s": round(time.perf_counter() - started, 2),
                    "parquet_mb": round(sum(f.stat().st_size for f in (tmp / "events").rglob("*.parquet")) / 2**20),
                    "cpu_count": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 1)}
            for engine in args.engines.split(","):
                line[engine] = measure(engine, tmp / "events", tmp / f"out-{engine}", args.spark_master, size)
            if "wall_s" in line.get("duckdb", {}) and "wall_s" in line.get("spark", {}):
                line["spark_over_duckdb"] = round(line["spark"]["wall_s"] / line["duckdb"]["wall_s"], 2)
            line["load_avg_1m_after"] = round(os.getloadavg()[0], 1)
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()

"""Scale benchmark: the :mod:`signalfire.scale` aggregates (country-month panel + neighbourhood rings) over
GDELT-format events on DuckDB (embedded) and on Spark local mode, at each size of ``--sizes``.

Input: the real GDELT 1.0 sample (``../shared/data/gdelt/gdelt1_events_20160728_sample.tsv``) ingested through the
``gdelt`` adapter into a temporary store, then repeated in DuckDB to N rows with fresh ids (``<id>-r<i>``) and dates
shifted by up to ten years (~370 monthly partitions: the sample's rows fall in six months, some of them decades
before 2016), written as Parquet partitioned by source and month, one file per partition (generation is timed as
``generate_s``, apart from the engines).  Each engine then runs in a fresh subprocess:

* ``wall_s``: the pipeline (read the Parquet, compute both aggregates, write them as Parquet); Spark's session start
  (``start_s``) and building the land-border table from the TopoJSON (``borders_s``, the same at every size) are
  timed apart and not included;
* ``peak_rss_mb``: the peak of the summed RSS of the worker's process tree (the Python worker and, for Spark, the
  JVM it launches), sampled every 0.5 s; ``python_peak_mb`` and ``jvm_peak_mb`` are each process's own peak
  (``VmHWM``);
* ``rows_per_s`` = N / ``wall_s``, and ``rows_per_s_per_core`` over the cores used.

Prints one JSON line per size, DuckDB being the same-run baseline of Spark (``spark_over_duckdb`` = wall ratio).
``--sizes 1e6,5e6`` (default); ``--spark-master local[2]`` (default); ``--workdir DIR`` for the temporary Parquet
(default: the system's temporary folder; 100 M events take ~1.5 GB); ``--events-dir DIR`` keeps the events and grows
them from one size (or run) to the next, generating only the missing rows.  ``load_avg_1m`` is taken before generating
and before/after each engine.

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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GENERATE_MEMORY = os.environ.get("SIGNALFIRE_BENCH_GENERATE_MEMORY", "3GB")   # DuckDB's limit while generating
FLUSH_ROWS = 2_000_000   # rows a generating thread buffers before handing them to each partition's file
ROW_GROUP = 20_000   # rows per Parquet row group: each open partition file buffers one row group in memory
SAMPLE = Path(os.environ.get("SIGNALFIRE_SHARED_DATA", ROOT.parent / "shared" / "data")) / "gdelt" / \
    "gdelt1_events_20160728_sample.tsv"


def make_events(n: int, folder: Path, work: Path, start: int = 0) -> int:
    """N GDELT events (the real sample repeated, fresh ids, shifted dates) as partitioned Parquet under folder.

    All in DuckDB SQL, streamed straight to Parquet: row k of ``range(n)`` is sample row ``k % base`` of repetition
    ``i = k // base`` (id ``<id>-r<i>``, dates shifted by ``(i * 37) % 3650`` days), so no row is held in Python and
    the memory is bounded by DuckDB's limit (spilling to ``work``).  ``start > 0`` appends rows ``start … n-1`` to a
    folder that holds rows ``0 … start-1`` (new files ``data_<start>_*.parquet`` in each month partition)."""
    from signalfire.sources import get
    from signalfire.store.ingest import ingest_file
    from signalfire.store.schema import EVENT_COLUMNS
    from signalfire.warehouse import Warehouse
    wh = Warehouse(work / "sample.duckdb")
    ingest_file(wh, get("gdelt"), SAMPLE)
    base = wh.con.execute("SELECT count(*) FROM events").fetchone()[0]
    cols = [c for c in EVENT_COLUMNS if c not in ("source_id", "date_start", "date_end")]
    shift = f"CAST(((r.k // {base}) * 37) % 3650 AS INTEGER)"
    wh.con.execute(f"SET memory_limit = '{GENERATE_MEMORY}'")
    wh.con.execute(f"SET temp_directory = '{work / 'duckdb-tmp'}'")
    wh.con.execute("SET preserve_insertion_order = false")
    # one file per month partition (DuckDB's default keeps 100 files open and starts a new file per partition at
    # every flush: ~3,700 files of 30 KB at 10 M events over the sample's ~370 months); every open file buffers a
    # row group until it is full, hence the small row groups (with DuckDB's 122,880 rows, 10 M events spilled 1.7 GB)
    wh.con.execute("SET partitioned_write_max_open_files = 10000")
    wh.con.execute(f"SET partitioned_write_flush_threshold = {FLUSH_ROWS}")
    wh.con.execute(f"""
        COPY (WITH sample AS (SELECT *, CAST(row_number() OVER (ORDER BY source_id) - 1 AS BIGINT) AS j FROM events)
              SELECT {', '.join('s.' + c for c in cols)}, s.source_id || '-r' || (r.k // {base}) AS source_id,
                     s.date_start + {shift} AS date_start, s.date_end + {shift} AS date_end,
                     strftime(s.date_start + {shift}, '%Y-%m') AS month
              FROM range({start}, {n}) AS r(k) JOIN sample AS s ON s.j = r.k % {base})
        TO '{folder}' (FORMAT PARQUET, PARTITION_BY (source, month), ROW_GROUP_SIZE {ROW_GROUP},
                       FILENAME_PATTERN 'data_{start}_{{i}}', {'OVERWRITE_OR_IGNORE' if start else 'OVERWRITE'})""")
    wh.close()
    return n - start


def count_events(folder: Path) -> int:
    """Rows already in an events folder (from the Parquet footers), 0 for none."""
    import duckdb
    if not any(folder.rglob("*.parquet")):
        return 0
    return duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{folder}/**/*.parquet')").fetchone()[0]


def _vm_hwm_mb(pid: int | str = "self") -> float:
    """A process's own peak RSS (``VmHWM``).  Not ``resource.getrusage``: a child's ``ru_maxrss`` starts from its
    parent's peak at the fork (measured: a child of an 800 MB parent reports 810 MB, its VmHWM 9 MB), so it would
    report the generator's memory instead of the worker's."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _tree_rss_mb(root: int) -> float:
    """The summed current RSS of ``root`` and all its descendants (the worker, the JVM it launched, …)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            pages = int((entry / "statm").read_text().split()[1])
        except (OSError, ValueError, IndexError):
            continue
        pid, ppid = int(entry.name), int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = pages
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def _run_sampled(cmd: list[str], every: float = 0.5) -> tuple[subprocess.CompletedProcess, float]:
    """Run cmd, sampling its process tree's summed RSS every ``every`` seconds; (the result, the peak sum in MB)."""
    peak = 0.0
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        while proc.poll() is None:
            peak = max(peak, _tree_rss_mb(proc.pid))
            time.sleep(every)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(cmd, proc.returncode, out.read(), err.read()), peak


def _peaks(session) -> dict:
    """The worker's own peak RSS, and for Spark the JVM's (pyspark's gateway process: spark-submit exec's java)."""
    peaks = {"python_peak_mb": round(_vm_hwm_mb())}
    if session is not None:
        proc = getattr(session.sparkContext._gateway, "proc", None)   # the JVM pyspark launched
        peaks["jvm_peak_mb"] = round(_vm_hwm_mb(proc.pid)) if proc else None
    return peaks


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
    peaks = _peaks(session)
    if session is not None:
        session.stop()
    return {"engine": engine, "borders_s": round(borders_s, 2), "start_s": round(start_s, 2), "wall_s": round(wall, 2),
            **peaks, "rows": counts}


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
    peaks = _peaks(session)
    if session is not None:
        session.stop()
    return {"engine": engine, "start_s": round(start_s, 2), "wall_s": round(wall, 2), **peaks,
            "read": result["read"], "events": result["events"], "quarantined": result["quarantined"]}


def measure_ingest(rows: int, master: str, engines: list[str], workdir: str | None = None) -> dict:
    import importlib.util
    spec = importlib.util.spec_from_file_location("bench_ingest", Path(__file__).with_name("ingest.py"))
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    with tempfile.TemporaryDirectory(prefix="signalfire-bench-scale-ingest-", dir=workdir) as tmp:
        tmp = Path(tmp)
        started = time.perf_counter()
        path = builder.make_gdelt(tmp / "events.tsv", rows)
        line = {"bench": "scale-ingest", "format": "gdelt", "rows": rows,
                "generate_s": round(time.perf_counter() - started, 2),
                "file_mb": round(path.stat().st_size / 2**20, 1), "cpu_count": os.cpu_count(),
                "load_avg_1m": round(os.getloadavg()[0], 1)}
        for engine in engines:
            proc, tree_peak = _run_sampled([sys.executable, __file__, "--ingest-worker", engine, str(path),
                                            str(tmp / f"out-{engine}"), master])
            if proc.returncode:
                line[engine] = {"engine": engine, "error": (proc.stderr or proc.stdout).strip().splitlines()[-1][:300]}
                continue
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            result["peak_rss_mb"] = round(tree_peak)
            result["rows_per_s"] = round(rows / result["wall_s"])
            line[engine] = result
        if "wall_s" in line.get("duckdb", {}) and "wall_s" in line.get("spark", {}):
            line["spark_over_duckdb"] = round(line["spark"]["wall_s"] / line["duckdb"]["wall_s"], 2)
        line["load_avg_1m_after"] = round(os.getloadavg()[0], 1)
    return line


def measure(engine: str, events: Path, out: Path, master: str, n: int) -> dict:
    load_before = round(os.getloadavg()[0], 1)
    proc, tree_peak = _run_sampled([sys.executable, __file__, "--worker", engine, str(events), str(out), master])
    if proc.returncode:
        return {"engine": engine, "error": (proc.stderr or proc.stdout).strip().splitlines()[-1][:300]}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["peak_rss_mb"] = round(tree_peak)
    result["load_avg_1m"] = [load_before, round(os.getloadavg()[0], 1)]
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
    parser.add_argument("--workdir", help="Folder for the temporary Parquet (default: the temporary folder).")
    parser.add_argument("--events-dir", help="Keep the generated events in this folder and grow them across runs "
                        "and sizes (only the missing rows are generated); sizes must not shrink.")
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
        print(json.dumps(measure_ingest(int(args.ingest_rows), args.spark_master, args.engines.split(","),
                                        args.workdir)),
              flush=True)
        return
    for size in (int(float(s)) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="signalfire-bench-scale-", dir=args.workdir) as tmp:
            tmp = Path(tmp)
            events = Path(args.events_dir) if args.events_dir else tmp / "events"
            have = count_events(events)
            if have > size:
                sys.exit(f"{events} holds {have:,} events, more than {size:,}: delete it or give a bigger size")
            started = time.perf_counter()
            generated = make_events(size, events, tmp, start=have) if have < size else 0
            line = {"bench": "scale", "events": size, "generated": generated,
                    "generate_s": round(time.perf_counter() - started, 2),
                    "parquet_mb": round(sum(f.stat().st_size for f in events.rglob("*.parquet")) / 2**20),
                    "parquet_files": sum(1 for _ in events.rglob("*.parquet")),
                    "cpu_count": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 1)}
            for engine in args.engines.split(","):
                line[engine] = measure(engine, events, tmp / f"out-{engine}", args.spark_master, size)
            if "wall_s" in line.get("duckdb", {}) and "wall_s" in line.get("spark", {}):
                line["spark_over_duckdb"] = round(line["spark"]["wall_s"] / line["duckdb"]["wall_s"], 2)
            line["load_avg_1m_after"] = round(os.getloadavg()[0], 1)
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()

"""Ingest benchmark: `signalfire ingest` against DuckDB's bare read_csv (the floor) and a naive pandas loop.

Builds, in a temp dir, a UCDP GED CSV (49 columns, from ``ged_v23_1_sample1000.csv``) and a GDELT 1.0 daily
export TSV (58 columns, from the 58-column rows of ``gdelt1_events_20160728_sample.tsv``) of ``--rows`` rows each:
real rows repeated with fresh ids.  For each file it times, in the same run:

* ``ingest`` — ``signalfire ingest <source> FILE --store fresh.duckdb --json`` as a subprocess, with the peak RSS
  of that subprocess (``os.wait4``);
* ``floor`` — DuckDB ``CREATE TABLE t AS SELECT * FROM read_csv(FILE)`` (all columns as text), in-process;
* ``naive`` — ``pandas.read_csv`` plus a per-row Python loop converting each record (ids, dates, numbers, country
  lookup) as a user would write it, then one DataFrame insert into DuckDB.  Timed on a prefix of at most
  ``--naive-rows`` rows (default 500,000) and scaled linearly to the full row count (the JSON says so).

Prints ONE JSON line.  ``--quick`` = 200,000 rows.
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

import duckdb

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SIGNALFIRE_SHARED_DATA", ROOT.parent / "shared" / "data"))
GED_SAMPLE = SHARED / "ucdp" / "ged_v23_1_sample1000.csv"
GED_FALLBACK = ROOT / "src" / "signalfire" / "demo" / "ged_v23_1_sample1000.csv.gz"
GDELT_SAMPLE = SHARED / "gdelt" / "gdelt1_events_20160728_sample.tsv"


def _q(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def make_ged(dst: Path, rows: int) -> Path:
    src = GED_SAMPLE if GED_SAMPLE.exists() else GED_FALLBACK
    con = duckdb.connect()
    con.execute(f"CREATE TABLE s AS SELECT * FROM read_csv({_q(src)}, all_varchar=true, header=true)")
    n = con.execute("SELECT count(*) FROM s").fetchone()[0]
    reps = -(-rows // n)
    con.execute(f"""COPY (SELECT * REPLACE (CAST(k AS VARCHAR) AS id) FROM (
            SELECT s.*, row_number() OVER () AS k FROM range({reps}) r, s) WHERE k <= {rows} ORDER BY k)
        TO {_q(dst)} (FORMAT csv, HEADER true, DELIMITER ',')""")
    con.close()
    return dst


def make_gdelt(dst: Path, rows: int) -> Path:
    lines = [ln for ln in GDELT_SAMPLE.read_text(encoding="utf-8").splitlines() if ln.count("\t") == 57]
    tails = [ln.split("\t", 1)[1] for ln in lines]
    with open(dst, "w", encoding="utf-8", newline="\n") as fh:
        block = []
        for i in range(rows):
            block.append(f"{900000000 + i}\t{tails[i % len(tails)]}\n")
            if len(block) >= 100_000:
                fh.write("".join(block))
                block = []
        fh.write("".join(block))
    return dst


def _vm_hwm_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def time_ingest(source: str, path: Path, store: Path, env: dict | None = None) -> dict:
    """Run the CLI ingest; peak RSS is the child's own VmHWM, sampled from /proc every 50 ms (wait4's ru_maxrss
    would include the bench process's peak, which Linux carries across fork+exec)."""
    exe = Path(sys.executable).with_name("signalfire")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "signalfire.cli"]
    cmd += ["ingest", source, str(path), "--store", str(store), "--json"]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        peak_kb = 0
        while True:
            pid, status, _usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak_kb = max(peak_kb, _vm_hwm_kb(proc.pid) or 0)
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"ingest failed ({proc.returncode}): {stderr.strip()[-2000:]}")
    summary = json.loads(stdout)
    return {"seconds": round(seconds, 3), "read": summary["read"], "new": summary["new"],
            "quarantined": summary["quarantined"], "peak_rss_mb": round(peak_kb / 1024, 1),
            "load_avg_1m_after": round(os.getloadavg()[0], 1)}


def time_floor(path: Path, delim: str, header: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "floor.duckdb"))
        started = time.perf_counter()
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv({_q(path)}, delim='{delim}', header={header}, "
                    "all_varchar=true, quote='')" if delim == "\t" else
                    f"CREATE TABLE t AS SELECT * FROM read_csv({_q(path)}, delim='{delim}', header={header}, "
                    "all_varchar=true)")
        con.execute("CHECKPOINT")
        seconds = time.perf_counter() - started
        n = con.execute("SELECT count(*) FROM t").fetchone()[0]
        con.close()
    return {"seconds": round(seconds, 3), "rows": n, "load_avg_1m_after": round(os.getloadavg()[0], 1)}


def _naive_ged(path: Path, limit: int) -> tuple[list, int]:
    import datetime as dt

    import pandas as pd

    from signalfire.geo.countries import resolve
    df = pd.read_csv(path, nrows=limit, low_memory=False)
    cache: dict = {}
    out = []
    for row in df.itertuples(index=False):
        gw = int(row.country_id)
        if gw not in cache:
            c = resolve(gw, "gw")
            cache[gw] = c.iso3 if c else None
        out.append((str(int(row.id)), dt.datetime.strptime(str(row.date_start)[:10], "%Y-%m-%d").date(),
                    cache[gw], float(row.latitude), float(row.longitude), int(row.best), str(row.side_a)))
    return out, len(df)


def _naive_gdelt(path: Path, limit: int) -> tuple[list, int]:
    import datetime as dt

    import pandas as pd

    from signalfire.geo.countries import resolve
    df = pd.read_csv(path, sep="\t", header=None, nrows=limit, dtype=str, keep_default_na=False, quoting=3)
    cache: dict = {}
    out = []
    for row in df.itertuples(index=False):
        code = row[51] or row[37] or row[44]
        if code not in cache:
            c = resolve(code, "fips") if code else None
            cache[code] = c.iso3 if c else None
        lat = float(row[53]) if row[53] else None
        lon = float(row[54]) if row[54] else None
        out.append((row[0], dt.datetime.strptime(row[1], "%Y%m%d").date(), cache[code], lat, lon, row[26],
                    f"{row[6]} {row[26]} {row[16]}", row[57]))
    return out, len(df)


def time_naive(kind: str, path: Path, rows: int, limit: int) -> dict:
    import pandas as pd
    started = time.perf_counter()
    out, n = (_naive_ged if kind == "ged" else _naive_gdelt)(path, limit)
    frame = pd.DataFrame(out)
    con = duckdb.connect()
    con.register("f", frame)
    con.execute("CREATE TABLE t AS SELECT * FROM f")
    con.close()
    seconds = time.perf_counter() - started
    scaled = seconds * rows / n
    return {"seconds": round(scaled, 3), "measured_rows": n, "measured_seconds": round(seconds, 3),
            "scaled_linearly": n < rows}


def run(kind: str, source: str, path: Path, rows: int, tmp: Path, naive_rows: int, delim: str, header: bool,
        paths: list[str]):
    floor = time_floor(path, delim, header)
    timed = {}
    for mode in paths:   # sql = the engine's path (the default), rows = the row path (the reference)
        store = tmp / f"{kind}-{mode}.duckdb"
        timed[mode] = time_ingest(source, path, store, env={**os.environ, "SIGNALFIRE_INGEST_PATH": mode})
        store.unlink()
    ingest = timed[paths[0]]
    naive = time_naive(kind, path, rows, naive_rows)
    others = {f"ingest_{mode}_path": {**t, "rows_per_s": round(rows / t["seconds"]),
                                      "ratio_to_floor": round(t["seconds"] / floor["seconds"], 2)}
              for mode, t in timed.items() if mode != paths[0]}
    return {
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "rows": rows,
        "ingest_path": paths[0],
        "ingest": {**ingest, "rows_per_s": round(rows / ingest["seconds"])},
        **others,
        "floor_duckdb_read_csv": {**floor, "rows_per_s": round(rows / floor["seconds"])},
        "naive_pandas_loop": {**naive, "rows_per_s": round(rows / naive["seconds"])},
        "ratio_ingest_to_floor": round(ingest["seconds"] / floor["seconds"], 2),
        "ratio_naive_to_ingest": round(naive["seconds"] / ingest["seconds"], 2),
    }


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--quick", action="store_true", help="200,000 rows (smoke run)")
    ap.add_argument("--naive-rows", type=int, default=500_000,
                    help="rows of the naive pandas loop actually timed (then scaled linearly)")
    ap.add_argument("--only", choices=["ged", "gdelt"], help="run one format only")
    ap.add_argument("--paths", default="sql",
                    help="ingest paths to time, comma-separated: sql (the engine's path, the default; the ratios are "
                         "of the first listed) and rows (the row path, the reference)")
    args = ap.parse_args(argv)
    rows = 200_000 if args.quick else args.rows
    paths = [p.strip() for p in args.paths.split(",") if p.strip()]
    result = {"bench": "ingest", "rows": rows, "cpus": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 1),
              "naive_note": f"naive pandas per-row loop timed on the first min(rows, {args.naive_rows}) rows and "
                            "scaled linearly to the full row count"}
    with tempfile.TemporaryDirectory(prefix="signalfire-bench-") as tmp:
        tmp = Path(tmp)
        if args.only in (None, "ged"):
            started = time.perf_counter()
            ged = make_ged(tmp / "ged_bench.csv", rows)
            result["ged"] = {"build_seconds": round(time.perf_counter() - started, 1),
                             **run("ged", "ucdp-ged", ged, rows, tmp, args.naive_rows, ",", True, paths)}
            ged.unlink()
            print(json.dumps({"ged": result["ged"]}), file=sys.stderr, flush=True)   # progress: GED's part
        if args.only in (None, "gdelt"):
            started = time.perf_counter()
            gd = make_gdelt(tmp / "gdelt_bench.export.CSV", rows)
            result["gdelt"] = {"build_seconds": round(time.perf_counter() - started, 1),
                               **run("gdelt", "gdelt", gd, rows, tmp, args.naive_rows, "\t", False, paths)}
    result["load_avg_1m_after"] = round(os.getloadavg()[0], 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

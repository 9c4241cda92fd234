"""API and dashboard benchmark: latency of the main endpoints and pages, first map paint, overview bytes.

Builds, in a temp dir, a store of ``--events`` events (default 5,000,000): the bundled demo data (real UCDP GED
rows) loaded through the normal ingest, then repeated with fresh ids by one SQL ``INSERT … SELECT`` in DuckDB
(dates, places and countries as in the real rows), appended in date order as a store grown by periodic releases
would be.  Replicas make the server's per-version rollups unrealistically small (each date/country/category
repeats ~1,000 times): the JSON gives their row counts so readers can judge.  Runs ``signalfire serve`` on it and measures, in the same
run, the same requests against the demo-size store as the baseline:

* per endpoint/page, p50 and p95 over requests with *distinct* filters (``cold``: each filter's first request,
  nothing cached) and over repeats of those requests (``warm``: the per-data-version result cache);
* ``map_visible_ms``: in headless Chromium, navigation start to the first frame in which the overview's map area
  shows the map (from the browser's own screenshots of its frames, in a trace: the first frame whose map area is
  at least a quarter ocean and a fifth land), median of ``--paints`` fresh page loads.  Since 1 December the page
  carries the server's picture of the map (``geometry.map_picture``), so this is that picture's first paint;
  ``first_paint_ms``: the interactive map drawn (MapLibre's first ``idle`` after its layers were added, when it
  takes the picture's place), same loads; ``first_contentful_paint_ms``: the browser's first contentful paint of
  the same loads (the page's text and header).  The trace's screenshots cost the browser some CPU: the three
  figures are a little later than without it;
* ``overview_bytes``: bytes over the wire (encoded, with headers) for one overview load in a fresh browser.

Prints ONE JSON line.  ``--quick`` = 500,000 events.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
MONTHS = [f"{y}-{m:02d}" for y in (2021, 2022) for m in range(1, 13)]
COUNTRIES = ["UKR", "SYR", "AFG", "COD", "NGA", "MLI", "SOM", "ETH", "MMR", "IRQ", "YEM", "MEX"]


def requests_plan() -> dict[str, list[str]]:
    """Per endpoint, a list of URLs with distinct filters (so the first request of each is uncached)."""
    plan = {
        "api_events": [f"/api/v1/events?country={c}&limit=100" for c in COUNTRIES]
                      + [f"/api/v1/events?since={m}&limit=100" for m in MONTHS[:8]],
        "api_events_bbox": [f"/api/v1/events?bbox={w},{s},{w + 10},{s + 8}&limit=100"
                            for w in range(-10, 50, 6) for s in (0, 30)],
        # the same boxes with edges off the 0.1-degree lines, as a map's viewport sends them (the whole-degree
        # boxes above are counted from the aligned cell rollup without a query; these take the general count)
        "api_events_bbox_any": [f"/api/v1/events?bbox={w + 0.537:.3f},{s + 0.263:.3f},{w + 10.249:.3f},{s + 8.091:.3f}&limit=100"
                                for w in range(-10, 50, 6) for s in (0, 30)],
        "api_series": [f"/api/v1/series?country={c}&by=category" for c in COUNTRIES]
                      + [f"/api/v1/series?country={c}&by=source&since=2015" for c in COUNTRIES[:8]],
        "api_countries_summary": [f"/api/v1/countries/summary?since={m}" for m in MONTHS[:20]],
        "api_map_grid": [f"/api/v1/map/grid?country={c}" for c in COUNTRIES]
                        + [f"/api/v1/map/grid?country=UKR&since={m}" for m in MONTHS[:8]],
        "api_movers": [f"/api/v1/movers?until={m}-28" for m in MONTHS[:20]],
        "api_neighbours": [f"/api/v1/countries/{c}/neighbours?distance_km={d}" for c in COUNTRIES[:10]
                           for d in (100, 300)],
        "api_sources": ["/api/v1/sources"],
        "page_overview": [f"/?since={m}-01&until={MONTHS[i + 4]}-28" for i, m in enumerate(MONTHS[:10])],
        "page_country": [f"/country/{c}" for c in COUNTRIES[:10]],
        "page_neighbourhood": [f"/neighbourhood?home={c}" for c in ("POL", "UKR", "DEU", "ROU", "TUR", "SYR",
                                                                  "IRQ", "NGA", "MLI", "ETH")],
        "page_data": ["/data"],
    }
    return plan


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SEED_FILES = [("ucdp-ged", "ucdp/ged_v21_1_global_precise_subset.csv.gz"),   # 176,577 real GED events, 120 countries
              ("gdelt", "gdelt/gdelt1_events_20160728_sample.tsv")]          # 694 real GDELT 1.0 events
SHARED = Path("/work/shared/data")
GDELT_WEIGHT = 25     # copies of each GDELT seed row per round (a sample of 694 rows would otherwise be 0.4 %)
CHUNK = 1_000_000     # rows per INSERT (each chunk is shuffled; together the table is in random order)

# One replica of a seed row: a fresh id, its date moved to a year drawn from 2010-2025 (same day of the year), its
# coordinates jittered by up to ±0.1° (another spot of the same place); everything else as in the real row.
REPLICA_SQL = """
INSERT INTO events
SELECT e.* EXCLUDE (h, w) REPLACE (
         e.source_id || '-r' || t.k::VARCHAR || '.' || e.w::VARCHAR AS source_id,
         (e.date_start + to_years((2010 + (e.h + t.k * 7919) % 16)::INTEGER - year(e.date_start)))::DATE
             AS date_start,
         (e.date_end + to_years((2010 + (e.h + t.k * 7919) % 16)::INTEGER - year(e.date_start)))::DATE AS date_end,
         least(90, greatest(-90, e.latitude + (hash(e.h, t.k, 1) % 2001)::INTEGER / 10000.0 - 0.1)) AS latitude,
         least(180, greatest(-180, e.longitude + (hash(e.h, t.k, 2) % 2001)::INTEGER / 10000.0 - 0.1))
             AS longitude)
FROM seed e, range(?, ?) AS t(k)
ORDER BY hash(e.h, t.k, 3)
LIMIT ?"""


def _write_sorted(con, per_round: int, missing: int) -> None:
    """Replace ``events`` by the ingested rows plus ``missing`` replicas (about: the last round is thinned by a
    hash), written one year at a time, each INSERT in (date, country) order: the table ends in that order."""
    rounds = max(1, -(-missing // per_round))
    last_keep = missing - (rounds - 1) * per_round        # rows of the last round to keep (by hash)
    replicas = (REPLICA_SQL.split("FROM seed e")[0].replace("INSERT INTO events\n", "")
                + f"""FROM seed e, range(1, {rounds + 1}) AS t(k)
                      WHERE (2010 + (e.h + t.k * 7919) % 16) = ?
                        AND (t.k < {rounds} OR hash(e.h, t.k, 5) % {per_round} < {last_keep})""")
    originals = "SELECT * EXCLUDE (h, w) FROM seed WHERE w = 0"
    con.execute("DELETE FROM events")
    con.execute(f"INSERT INTO events {originals} AND year(date_start) < 2010 ORDER BY date_start, country_iso3")
    for year in range(2010, 2026):
        con.execute(f"""INSERT INTO events SELECT * FROM ({originals} AND year(date_start) = ? UNION ALL {replicas})
                        ORDER BY date_start, country_iso3""", [year, year])
    con.execute(f"INSERT INTO events {originals} AND (year(date_start) > 2025 OR date_start IS NULL) "
                "ORDER BY date_start, country_iso3")


def build_store(path: Path, events: int, layout: str = "random") -> dict:
    """The demo store, or (``events`` > 0) a large store built by SQL in the store's own schema.

    The large store: the demo (real GED rows, through the normal ingest) plus the seed files (the GED global
    subset and the GDELT 1.0 sample, through the normal ingest), then replicas of the demo and seed rows written
    straight into ``events`` by SQL, each INSERT shuffled, until ``events`` rows: the table is in random order
    (neither date nor place order), as a store fed by many sources and re-ingests is.  Building 50 M rows through
    the Python ingest would take hours on 2 cores; the SQL writes the same columns the ingest writes.

    ``layout="sorted"``: the same rows (the ingested ones and the replicas, the last round thinned by a hash to
    land near ``events``) written year by year in ``(date_start, country_iso3)`` order, the layout
    ``signalfire optimize`` leaves, without paying for the random build and its rewrite (at 50 M on 2 shared
    cores those would take hours).
    """
    import duckdb

    from signalfire.demo import load_demo
    from signalfire.sources import get
    from signalfire.store.database import Store
    from signalfire.store.ingest import ingest_file
    t0 = time.perf_counter()
    store = Store(path)
    load_demo(store)
    if events:
        for adapter, name in SEED_FILES:
            ingest_file(store, get(adapter), SHARED / name)
    store.close()
    con = duckdb.connect(str(path))
    con.execute("SET enable_progress_bar = false")
    base_rows = con.execute("SELECT count(*) FROM events").fetchone()[0]
    t1 = time.perf_counter()
    if events > base_rows:
        con.execute(f"""CREATE TEMP TABLE seed AS
                        SELECT e.*, hash(e.source, e.source_id) AS h, w.w FROM events e, range({GDELT_WEIGHT}) w(w)
                        WHERE w.w = 0 OR e.source = 'gdelt'""")
        per_round = con.execute("SELECT count(*) FROM seed").fetchone()[0]
        k, missing = 1, events - base_rows
        if layout == "sorted":
            _write_sorted(con, per_round, missing)
            missing = 0
            from signalfire.store.optimize import build_geo
            build_geo(con)             # what optimize also writes: the Z-ordered copy for bounding-box counts
        while missing > 0:
            rounds = max(1, CHUNK // per_round)
            rows = min(missing, rounds * per_round)
            con.execute(REPLICA_SQL, [k, k + rounds, rows])
            k, missing = k + rounds, missing - rows
        con.execute("CHECKPOINT")
    variety = con.execute("""SELECT count(*), count(DISTINCT country_iso3), count(DISTINCT source),
                                    min(date_start), max(date_start), count(DISTINCT date_start),
                                    count(DISTINCT (round(latitude, 2), round(longitude, 2)))
                             FROM events""").fetchone()
    con.close()
    from signalfire.web.serving.rollup import CELLS_SQL, CELLS_YEAR_SQL, DAILY_CELLS_MAX_EVENTS, DAILY_SQL
    con = duckdb.connect(str(path), read_only=True)
    cells = ("cells", CELLS_SQL) if variety[0] <= DAILY_CELLS_MAX_EVENTS else ("cells_y", CELLS_YEAR_SQL)
    rollups = {name: con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]    # those the server keeps
               for name, sql in (("daily", DAILY_SQL), cells)}
    con.close()
    return {"rollup_rows": rollups, "events": int(variety[0]), "ingested_events": int(base_rows),
            "countries": variety[1], "sources": variety[2], "dates": [str(variety[3]), str(variety[4])],
            "distinct_dates": variety[5], "distinct_places_0.01deg": variety[6],
            "layout": ("demo only, as ingested" if not events else
                       "demo + GED global subset + GDELT sample ingested, then replicas written by SQL " +
                       ("in shuffled chunks (random order)" if layout == "random" else
                        "year by year in (date_start, country_iso3) order (as signalfire optimize leaves it)") +
                       ": years 2010-2025, coordinates jittered ±0.1°"),
            "ingest_s": round(t1 - t0, 2), "replicate_s": round(time.perf_counter() - t1, 2),
            "file_mb": round(path.stat().st_size / 1e6, 1)}


class Server:
    def __init__(self, store: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        exe = Path(sys.executable).with_name("signalfire")
        self.proc = subprocess.Popen([str(exe), "serve", "--store", str(store), "--port", str(self.port),
                                      "--no-demo", "--no-forecast"],   # no background forecast beside the bench
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started = time.perf_counter()
        deadline = time.time() + 3600      # the warming of a 50 M store takes minutes on 2 cores
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/api/v1/countries/shapes.geojson", timeout=30):
                    pass
                # then wait for the start-up warming (rollups, source summary, default map) to finish, so the
                # first timed requests do not share the CPU with it
                while time.time() < deadline:
                    with urllib.request.urlopen(self.base + "/api/v1/health", timeout=30) as r:
                        if json.loads(r.read())["warm"]:
                            self.startup_s = round(time.perf_counter() - started, 1)
                            return
                    time.sleep(0.5)
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("server did not start")

    def fetch(self, path: str) -> tuple[float, int]:
        """(ms, status): an error answer (503 = the server's statement timeout stopped the query) is timed and
        counted, not raised."""
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(self.base + path, timeout=60) as r:
                r.read()
                status = r.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        return (time.perf_counter() - t0) * 1000, status

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return round(ordered[k], 1)


def latencies(server: Server, repeats: int) -> dict:
    out = {}
    for name, urls in requests_plan().items():
        cold = [server.fetch(u) for u in urls]
        warm = [server.fetch(u) for _ in range(repeats) for u in urls]
        out[name] = {"n": len(urls), "cold_p50_ms": pct([c[0] for c in cold], 50),
                     "cold_p95_ms": pct([c[0] for c in cold], 95),
                     "warm_p50_ms": pct([w[0] for w in warm], 50), "warm_p95_ms": pct([w[0] for w in warm], 95)}
        errors = [f"{u} HTTP {c[1]}" for u, c in zip(urls, cold) if c[1] != 200]
        if errors or any(w[1] != 200 for w in warm):
            out[name]["errors"] = {"cold": len(errors), "warm": sum(w[1] != 200 for w in warm),
                                   "first": errors[:3]}
    return out


OCEAN_RGB = (0xDC, 0xE7, 0xF1)     # static/js/mapstyle.mjs OCEAN, the map's background


def map_visible_ms(trace: Path, box: dict, viewport_width: int) -> float | None:
    """From a trace with screenshots: ms from navigation start to the first frame whose map area (``box``, CSS px)
    is at least 25% ocean and 20% anything else (countries drawn); None when no frame shows it."""
    import base64
    import io

    import numpy as np
    from PIL import Image
    events = json.loads(trace.read_text())["traceEvents"]
    starts = [e["ts"] for e in events if e.get("name") == "navigationStart"]
    shots = sorted((e["ts"], e["args"]["snapshot"]) for e in events if e.get("name") == "Screenshot")
    if not starts or not shots:
        return None
    start = min(starts)
    for ts, snapshot in shots:
        if ts < start:
            continue
        img = np.asarray(Image.open(io.BytesIO(base64.b64decode(snapshot))).convert("RGB")).astype(int)
        k = img.shape[1] / viewport_width
        crop = img[int(box["y"] * k):int((box["y"] + box["height"]) * k),
                   int(box["x"] * k):int((box["x"] + box["width"]) * k)]
        if not crop.size:
            continue
        dist = np.abs(crop - np.array(OCEAN_RGB)).sum(axis=2)
        if (dist < 15).mean() > 0.25 and (dist > 40).mean() > 0.2:
            return (ts - start) / 1000
    return None


def browser_metrics(server: Server, paints: int) -> dict:
    from playwright.sync_api import sync_playwright
    results, fcp, visible = [], [], []   # the map drawn (MapLibre's first idle), first contentful paint, map seen
    total_bytes = None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for i in range(paints):
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            sizes: dict[str, int] = {}
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.on("Network.loadingFinished",
                   lambda e, sizes=sizes: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
            trace = Path(tempfile.mkdtemp()) / "trace.json"
            browser.start_tracing(page=page, path=str(trace), screenshots=True,
                                  categories=["devtools.timeline", "blink.user_timing", "loading"])
            page.goto(server.base + "/", timeout=120000)
            try:
                page.wait_for_selector("#map[data-painted=true]", timeout=60000)
            except Exception:  # noqa: BLE001 (a map not drawn within a minute is a result, not a crash)
                results.append(float("inf"))
                browser.stop_tracing()
                context.close()
                continue
            results.append(float(page.get_attribute("#map", "data-painted-at")))
            box = page.locator("#map").bounding_box()
            browser.stop_tracing()
            visible.append(map_visible_ms(trace, box, 1400))
            shutil.rmtree(trace.parent, ignore_errors=True)
            fcp.append(page.evaluate("() => { const e = performance.getEntriesByName('first-contentful-paint')[0];"
                                     " return e ? e.startTime : null; }"))
            page.wait_for_load_state("networkidle")
            if i == 0:
                total_bytes = sum(sizes.values())
            context.close()
        browser.close()
    painted = [x for x in fcp if x is not None]
    seen = [x for x in visible if x is not None]
    return {"map_visible_ms": round(statistics.median(seen), 0) if seen else None,
            "map_visible_all_ms": [None if x is None else round(x) for x in visible],
            "first_paint_ms": round(statistics.median(results), 0),
            "first_contentful_paint_ms": round(statistics.median(painted), 0) if painted else None,
            "first_paint_all_ms": [round(x) if x != float("inf") else "not painted in 60 s" for x in results],
            "overview_bytes": total_bytes}


def run(events: int, repeats: int, paints: int, store_dir: str | None = None, optimize: bool = False,
        layout: str = "random") -> dict:
    tmp = Path(store_dir) if store_dir else Path(tempfile.mkdtemp(prefix="sf-bench-api-"))
    tmp.mkdir(parents=True, exist_ok=True)
    result: dict = {"bench": "api", "cpus": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 1)}
    suffix = "" if layout == "random" else f"-{layout}"
    baseline_store, big_store = tmp / "demo.duckdb", tmp / f"big-{events}{suffix}.duckdb"
    result["baseline_store"] = build_store(baseline_store, 0) if not baseline_store.exists() else "reused"
    result["store"] = (build_store(big_store, events, layout) if not big_store.exists()
                       else f"reused {big_store}")
    if optimize:
        from signalfire.store.optimize import optimize_store
        result["optimize"] = optimize_store(big_store)
    for label, store in (("baseline", baseline_store), ("large", big_store)):
        server = Server(store)
        result[f"{label}_startup_and_warming_s"] = server.startup_s
        try:
            result[f"{label}_latency"] = latencies(server, repeats)
            result[f"{label}_browser"] = browser_metrics(server, paints)
        finally:
            server.stop()
    large = result["large_latency"]
    api = [v for k, v in large.items() if k.startswith("api_")]
    result["summary"] = {
        "api_cold_p95_ms_max": max(v["cold_p95_ms"] for v in api),
        "api_warm_p95_ms_max": max(v["warm_p95_ms"] for v in api),
        "pages_cold_p95_ms_max": max(v["cold_p95_ms"] for k, v in large.items() if k.startswith("page_")),
        "map_visible_ms": result["large_browser"]["map_visible_ms"],
        "first_paint_ms": result["large_browser"]["first_paint_ms"],
        "first_contentful_paint_ms": result["large_browser"]["first_contentful_paint_ms"],
        "overview_mb": round((result["large_browser"]["overview_bytes"] or 0) / 1e6, 2),
        "aims": {"api_p95_ms": 150, "map_visible_ms": 1500, "overview_mb": 3},
    }
    return result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=5_000_000)
    ap.add_argument("--repeats", type=int, default=3, help="warm repeats of each request")
    ap.add_argument("--paints", type=int, default=5, help="fresh overview loads for the first-paint median")
    ap.add_argument("--quick", action="store_true", help="500,000 events")
    ap.add_argument("--store-dir", help="keep the stores here and reuse them when present (default: a temp dir)")
    ap.add_argument("--optimize", action="store_true",
                    help="run signalfire optimize (store.optimize) on the large store before serving it")
    ap.add_argument("--layout", choices=("random", "sorted"), default="random",
                    help="random: replicas in shuffled chunks (then --optimize sorts them); sorted: written year by "
                         "year in the (date, country) order optimize leaves (a cheaper build at 50 M)")
    args = ap.parse_args(argv)
    events = 500_000 if args.quick else args.events
    print(json.dumps(run(events, args.repeats, args.paints, args.store_dir, args.optimize, args.layout), default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

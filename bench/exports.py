"""Concurrent-download benchmark: the server's memory and status codes under many exports at once.

Builds (or reuses, ``--store``) a store of ``--events`` events (default 1,000,000: the bundled real UCDP GED rows
replicated with fresh ids, as ``bench/api.py`` does), runs ``signalfire serve`` on 127.0.0.1 (``--port``), and
fires ``--requests`` unfiltered downloads (alternately GeoJSON and CSV, each up to the 100,000-row cap) from
``--concurrency`` client threads on this machine's loopback.  Samples the server's resident memory from
``/proc/<pid>/status`` every 50 ms.  Same-run baseline: the server's memory at rest before the load, and one
download alone.

Prints ONE JSON line: peak and idle RSS (MB), status codes, bytes and seconds per completed download.
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api import build_store

URLS = ("/api/v1/events?format=geojson", "/api/v1/events?format=csv")


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Sampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop_flag = pid, 0.0, threading.Event()

    def run(self):
        while not self.stop_flag.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(0.05)


def fetch(base: str, path: str) -> tuple[int, int, float, str]:
    t0 = time.perf_counter()
    size, retry = 0, ""
    try:
        with urllib.request.urlopen(base + path, timeout=600) as r:
            while chunk := r.read(1 << 20):
                size += len(chunk)
            status = r.status
    except urllib.error.HTTPError as exc:
        status, retry = exc.code, exc.headers.get("Retry-After", "")
        exc.read()
    except OSError:
        status = 0     # connection refused or reset: the server could not answer
    return status, size, time.perf_counter() - t0, retry


def serve(store: Path, port: int) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("signalfire")
    proc = subprocess.Popen([str(exe), "serve", "--store", str(store), "--port", str(port), "--no-demo",
                             "--no-forecast"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/sources", timeout=30):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("the server exited")
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("server did not start")


def run(store: Path, port: int, requests: int, concurrency: int) -> dict:
    base = f"http://127.0.0.1:{port}"
    proc = serve(store, port)
    try:
        time.sleep(3)                         # let the start-up warming finish
        idle = rss_mb(proc.pid)
        alone = fetch(base, URLS[0])
        after_one = rss_mb(proc.pid)
        sampler = Sampler(proc.pid)
        sampler.start()
        t0 = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            results = list(pool.map(lambda i: fetch(base, URLS[i % len(URLS)]), range(requests)))
        wall = time.perf_counter() - t0
        sampler.stop_flag.set()
        sampler.join()
        done = [r for r in results if r[0] == 200]
        return {
            "requests": requests, "concurrency": concurrency, "urls": list(URLS),
            "status_codes": dict(sorted(collections.Counter(str(r[0]) for r in results).items())),
            "retry_after": sorted({r[3] for r in results if r[3]}),
            "server_rss_mb": {"idle": round(idle, 1), "after_one_download": round(after_one, 1),
                              "peak_under_load": round(sampler.peak, 1)},
            "one_download_alone": {"status": alone[0], "bytes": alone[1], "seconds": round(alone[2], 2)},
            "completed": {"count": len(done), "bytes_each_max": max((r[1] for r in done), default=0),
                          "seconds_max": round(max((r[2] for r in done), default=0), 2)},
            "wall_seconds": round(wall, 2),
        }
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--store", type=Path, help="reuse this store (built there if missing)")
    parser.add_argument("--port", type=int, default=18161)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store or Path(tmp) / "exports.duckdb"
        info = build_store(store, args.events) if not store.exists() else {"events": None, "reused": True}
        line = {"bench": "exports", "store": {k: v for k, v in info.items() if k != "rollup_rows"},
                **run(store, args.port, args.requests, args.concurrency)}
    print(json.dumps(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Helpers shared by the web tests (no tests here)."""

from __future__ import annotations

import socket
from pathlib import Path

import pandas as pd

DEMO = Path(__file__).resolve().parents[1] / "src" / "signalfire" / "demo"
XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'


def hostile_ged_file(path: Path, n: int = 3, date: str = "2023-03-01") -> Path:
    """A UCDP GED CSV (the producer's layout) of real demo rows with new ids, a later date and a hostile
    where_description (which the adapter puts into the event description)."""
    rows = pd.read_csv(DEMO / "ged_v23_1_sample1000.csv.gz", dtype=str, keep_default_na=False).head(n).copy()
    rows["id"] = [str(990000001 + i) for i in range(n)]
    rows["where_description"] = XSS
    rows["date_start"] = date
    rows["date_end"] = date
    rows["year"] = date[:4]
    rows.to_csv(path, index=False)
    return path


def big_ged_file(path: Path, copies: int = 5) -> Path:
    """The demo Ukraine file repeated with fresh ids: enough rows that an ingest takes a moment."""
    base = pd.read_csv(DEMO / "ged_ukraine_2014-2023.csv.gz", dtype=str, keep_default_na=False,
                       encoding="latin-1")
    parts = []
    for k in range(copies):
        part = base.copy()
        part["id"] = [str(800000000 + k * 100000 + i) for i in range(len(part))]
        parts.append(part)
    pd.concat(parts).to_csv(path, index=False)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`signalfire serve` in a subprocess on a free port (loads the demo data into an empty store).  Without
    ``forecast`` the server makes no background forecast (tests that do not look at forecasts save the CPU)."""

    def __init__(self, store: Path, timeout_s: float = 300, forecast: bool = False):
        import os
        import subprocess
        import sys
        import time
        import urllib.request
        self.store = Path(store)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        exe = Path(sys.executable).with_name("signalfire")
        self.log = open(self.store.with_suffix(".serve.log"), "w")  # noqa: SIM115 (open while the server runs)
        args = [str(exe), "serve", "--store", str(self.store), "--port", str(self.port)]
        self.proc = subprocess.Popen(args + ([] if forecast else ["--no-forecast"]),
                                     stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ})
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.store.with_suffix('.serve.log').read_text()}")
            try:
                with urllib.request.urlopen(self.base + "/api/v1/sources", timeout=2) as r:
                    if r.status == 200 and Path(str(self.store) + ".server.json").exists():
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("server did not start in time")

    def get_json(self, path: str, timeout: float = 10):
        import json
        import urllib.request
        with urllib.request.urlopen(self.base + path, timeout=timeout) as r:
            return json.loads(r.read())

    def stop(self):
        import subprocess
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()

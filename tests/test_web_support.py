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

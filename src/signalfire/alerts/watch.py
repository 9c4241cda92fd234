"""`signalfire watch FOLDER`: ingest → forecast → alert evaluation and delivery for files dropped into
``FOLDER/<source>/``, one step after the other, with a log line for each.

A file is taken once its size has stayed the same between two looks (a copy still being written is left for the
next look).  Files already ingested are recognised by their SHA-256 (the ingest then changes nothing), and firings
and deliveries are idempotent (:mod:`.evaluate`, :mod:`.deliver`): a restart repeats no work and no alert.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

FORECAST_TABLES = ("country_month", "events")


def _candidates(folder: Path, sizes: dict[Path, int]) -> list[tuple[str, Path]]:
    from signalfire.sources import MODULES
    ready = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and p.name in MODULES):
        for path in sorted(p for p in sub.iterdir() if p.is_file() and not p.name.startswith(".")):
            size = path.stat().st_size
            if sizes.get(path) == size:
                ready.append((sub.name, path))
            sizes[path] = size
    return ready


def _known(con, path: Path, adapter: str) -> bool:
    from signalfire.store.ingest import file_sha256
    return bool(con.execute("SELECT count(*) FROM ingest_runs WHERE file_sha256 = ? AND adapter = ? AND status = "
                            "'loaded'", [file_sha256(path), adapter]).fetchone()[0])


def look(folder: Path, store_path, sizes: dict, forecast: bool, log: Callable[[str], None]) -> int:
    """One look at the folder; returns how many files were ingested."""
    from signalfire.alerts.evaluate import after_runs
    from signalfire.sources import get
    from signalfire.sources.base import SourceError
    from signalfire.store.ingest import ingest_file
    from signalfire.warehouse import Warehouse
    ready = _candidates(folder, sizes)
    if not ready:
        return 0
    loaded = 0
    needs_forecast = False
    with Warehouse(store_path) as wh:
        for adapter, path in ready:
            if _known(wh.con, path, adapter):
                continue
            try:
                result = ingest_file(wh, get(adapter), path)
            except SourceError as exc:
                log(f"ingest {adapter} {path.name}: failed: {exc}")
                continue
            loaded += 1
            log(f"ingest {adapter} {path.name}: read {result.read:,}, new {result.new:,}, updated "
                f"{result.updated:,}, quarantined {result.quarantined:,}")
            needs_forecast |= get(adapter).table in FORECAST_TABLES and bool(result.new or result.updated)
        if forecast and needs_forecast:
            from signalfire.analysis.panel import last_month_id
            from signalfire.forecast.inputs import ForecastError
            from signalfire.forecast.runs import run
            try:
                run_id = run(wh.con, last_month_id(wh.con))
                log(f"forecast run {run_id} stored")
            except ForecastError as exc:
                log(f"forecast: {exc}")
        after_runs(wh.con, log)
    return loaded


def watch(folder: Path, store_path, forecast: bool = False, interval: float = 10.0, once: bool = False,
          log: Callable[[str], None] = print) -> None:
    sizes: dict[Path, int] = {}
    log(f"watching {folder} (one sub-folder per source) every {interval:g} s")
    if once:
        _candidates(folder, sizes)     # a file counts as complete once its size held between two looks
        look(folder, store_path, sizes, forecast, log)
        return
    while True:
        look(folder, store_path, sizes, forecast, log)
        time.sleep(interval)

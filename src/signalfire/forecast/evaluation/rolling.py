"""The rolling-origin evaluation: the model choice made, for each window, only on the windows before it, and the
cache of per-window results that lets a long evaluation (`forecast evaluate --windows 2005-2023 --cache FILE`)
resume where it stopped.

**The choice.**  For window W (cut-off October of W - 1 with lead 1), a window V counts as *before* W only if all
its scored months are at or before W's cut-off: with lead 1 that is V ≤ W - 2 (window W - 1's November and December
are not known in October of W - 1).  Among the candidate forecasters (our model, its variants and quantile
averages made from the window's draws, and the reference: :func:`.evaluate.candidates`), the one with the lowest
mean CRPS over those windows is chosen and scored on W; with no such window, the default (our model).
The choice never reads the scores of W or of any window after its cut-off (``tests/test_forecast_rolling.py``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
from pathlib import Path

import numpy as np

from signalfire.forecast import models
from signalfire.forecast.countries import window_months

METRIC = "crps"
SCORES = ("crps", "ign", "mis", "brier25", "ap25")


def before(window: int, years, lead: int = 1) -> list[int]:
    """The windows among ``years`` whose every scored month is at or before ``window``'s cut-off."""
    cutoff, _ = window_months(window, lead)
    return [v for v in sorted(years) if window_months(v, lead)[1][-1] <= cutoff]


def choose(windows, window: int, years, lead: int, candidates, metric: str = METRIC,
           default: str | None = None) -> tuple[str, list[int], dict[str, float]]:
    """The candidate for ``window``: the lowest mean ``metric`` over the windows :func:`before` it (ties: the
    earlier candidate), or ``default`` (the first candidate unless given) when there is none; with the windows it
    was chosen on and each candidate's mean there.  Reads ``windows[str(v)][name][metric]`` for those windows only."""
    candidates = list(candidates)
    on = before(window, years, lead)
    if not on:
        return default or candidates[0], on, {}
    means = {c: float(np.mean([windows[str(v)][c][metric] for v in on])) for c in candidates}
    return min(candidates, key=lambda c: (means[c], candidates.index(c))), on, means


def rolling_choice(windows, years, lead: int, candidates, metric: str = METRIC, default: str | None = None) -> dict:
    """For each window W of ``years``, the candidate :func:`choose` picks on the windows before W, and that
    candidate's scores on W; ``mean``: those scores' means over the windows."""
    candidates = list(candidates)
    out: dict = {"candidates": candidates, "metric": metric, "default": default or candidates[0], "windows": {}}
    for year in sorted(years):
        chosen, on, means = choose(windows, year, years, lead, candidates, metric, default)
        scored = windows[str(year)][chosen]
        out["windows"][str(year)] = {"chosen": chosen, "on": on, "means_before": means,
                                     **{m: scored[m] for m in SCORES if m in scored}}
    rows = list(out["windows"].values())
    out["mean"] = {m: float(np.nanmean([r[m] for r in rows])) for m in SCORES if rows and m in rows[0]}
    return out


# --- the cache of per-window results ---------------------------------------------------------------------------

def _digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:16]


def cache_key(cfg, ref, draws: int, lead: int, frame) -> dict:
    """What a window's scores depend on besides its data: the model's version and configuration, the reference's,
    the draws, the lead and the annual covariates' values."""
    import pandas as pd

    from signalfire.forecast.evaluation.benchmarks import BENCHMARKS
    return {"model_version": models.VERSION, "cfg": dataclasses.asdict(cfg or models.Config()),
            "ref": dataclasses.asdict(ref) if ref is not None else None, "draws": draws, "lead": lead,
            "benchmarks": list(BENCHMARKS),
            "annual": str(int(pd.util.hash_pandas_object(frame, index=False).sum())) if frame is not None else None}


def data_digest(data) -> str:
    """A fingerprint of a window's actuals and history: a window is recomputed when the store's values change."""
    h = hashlib.sha256()
    for part in data:
        h.update(np.ascontiguousarray(part, dtype=float).tobytes())
    return h.hexdigest()[:16]


@contextlib.contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(str(path) + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # two evaluations may share one cache file
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def check_cache_file(path: Path) -> str | None:
    """Why ``path`` cannot be the cache, or None when it can: a file that exists but is not such a cache (an earlier
    --json output, any other file) had been read as empty and written over, the scores in it lost."""
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0 or _cache(path) is not None:
        return None
    return (f"{path} is not a cache of forecast evaluate (no 'entries'); it would be written over: name a new "
            "file or an earlier --cache file")


def _cache(path: Path) -> dict | None:
    """The cache in ``path``, or None when the file cannot be read as one (unreadable, not JSON, no 'entries')."""
    try:
        payload = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return payload if isinstance(payload, dict) and isinstance(payload.get("entries"), dict) else None


def _read(path: Path) -> dict:
    return _cache(path) or {"entries": {}}


def cached(path: Path, key: dict, year: int, data) -> tuple[dict, dict] | None:
    """The scores and PIT values of window ``year`` from the cache, if computed for the same key and data."""
    path = Path(path)
    if not path.exists():
        return None
    entry = _read(path)["entries"].get(_digest(key), {}).get("windows", {}).get(str(year))
    if not entry or entry.get("data") != data_digest(data):
        return None
    return entry["scores"], entry["pit"]


def store(path: Path, key: dict, year: int, data, scores: dict, pit: dict) -> None:
    """Add window ``year``'s results to the cache (written whole to a temporary file, then renamed)."""
    path = Path(path)
    with _locked(path):
        payload = _read(path)
        entry = payload["entries"].setdefault(_digest(key), {"key": key, "windows": {}})
        entry["windows"][str(year)] = {"data": data_digest(data), "scores": scores,
                                       "pit": {k: np.round(np.asarray(v, dtype=float), 5).tolist()
                                               for k, v in pit.items()}}
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(payload, default=float))
        os.replace(tmp, path)

"""Forecast benchmark: the VIEWS challenge evaluation (windows 2018–2023) and one 36-month forecast.

In a temp store it ingests the shipped VIEWS country-month file, then times, in the same run:

* ``evaluation`` — the whole six-window protocol (our model + the four benchmarks, 1,000 draws, all scores);
* ``forecast_36`` — one 36-month forecast for all 191 countries with 1,000 draws from the last month of data,
  stored in the store (``signalfire forecast run``'s code path), **onset model included** (every run fits it and
  stores its risks).  It runs first, so ``forecast_36_peak_rss_mb`` is the forecast's own peak; ``onset_seconds``
  times the onset model alone again (its features and fit), the share of the run it takes.  The onset model's
  inputs (UCDP/PRIO ACD, COW NMC, Archigos) are ingested from ``../shared/data`` when there
  (``onset_inputs`` lists them; ``--no-onset-inputs``: the VIEWS file alone, as a fresh store has);
* ``baseline`` — the same windows' conflictology benchmark (the baseline the targets are stated against), whose
  scores are part of the evaluation.

Reports wall times, CPU times (user + system: on a shared machine the wall time says more about the others'
load than about this code), the 1-minute load average at the start and the end, the process's peak RSS and the
scores.  Prints ONE JSON line.  ``--windows`` to shorten.

``--seeds 1,2`` also scores our model again at those seeds of the trees' row and feature sampling (the model's
own seed is 0) and reports the CRPS ratio to conflictology at each, and their spread: the noise a model change has
to beat (about 0.008 of the ratio on the validation windows).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


SHARED = ROOT.parent / "shared" / "data"
ONSET_INPUTS = (("ucdp-acd", "ucdp/UcdpPrioConflict_v25_1_semicolon.csv"), ("cow-nmc", "military/cow_nmc_v6.csv"),
                ("archigos", "geo/archigos_leaders.csv"))


def cpu_seconds() -> float:
    """User + system CPU time of this process so far (all threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ingest_onset_inputs(wh) -> list[str]:
    """Ingest the onset model's inputs found under ../shared/data; the adapters ingested."""
    from signalfire.sources import get
    from signalfire.store.ingest import ingest_file
    done = []
    for adapter, rel in ONSET_INPUTS:
        if (SHARED / rel).exists():
            ingest_file(wh, get(adapter), SHARED / rel)
            done.append(adapter)
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", default="2018-2023")
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--config", default="full", help="Model config: full, or fast (for the smoke test).")
    parser.add_argument("--save", type=Path, help="Also write the evaluation (evaluation.json) and PIT plot here.")
    parser.add_argument("--no-onset-inputs", action="store_true", help="Do not ingest the onset model's inputs "
                        "(ACD, COW NMC, Archigos) from ../shared/data.")
    parser.add_argument("--seeds", default="", help="Also score our model at these seeds, e.g. 1,2 (adds about "
                        "a full evaluation's time each).")
    args = parser.parse_args()

    from signalfire.analysis.panel import last_month_id
    from signalfire.demo import demo_files
    from signalfire.forecast import onset
    from signalfire.forecast.evaluation.benchmarks import BENCHMARKS
    from signalfire.forecast.evaluation.evaluate import METRICS, OURS, best_benchmark_margins, evaluate, parse_windows
    from signalfire.forecast.inputs import history
    from signalfire.forecast.models import CONFIGS
    from signalfire.forecast.runs import run
    from signalfire.sources import get
    from signalfire.store.ingest import ingest_file
    from signalfire.warehouse import Warehouse

    def crps_ratio(result: dict) -> float:
        """Our model's mean CRPS over the windows relative to the conflictology baseline's."""
        return result["mean"][OURS]["crps"] / result["mean"]["conflictology"]["crps"]

    years = parse_windows(args.windows)
    load_before = os.getloadavg()[0]
    seeds = [int(x) for x in args.seeds.split(",") if x.strip()]
    with tempfile.TemporaryDirectory(prefix="signalfire-bench-") as tmp:
        wh = Warehouse(Path(tmp) / "bench.duckdb")
        t = time.perf_counter()
        ingest_file(wh, get("views-cm"), next(p for a, p in demo_files() if a == "views-cm"))
        ingest_s = time.perf_counter() - t
        onset_inputs = [] if args.no_onset_inputs else ingest_onset_inputs(wh)
        cfg = CONFIGS[args.config]

        t, c = time.perf_counter(), cpu_seconds()
        run_id = run(wh.con, last_month_id(wh.con), horizons=36, draws=args.draws, cfg=cfg)
        forecast_s, forecast_cpu = time.perf_counter() - t, cpu_seconds() - c
        forecast_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        stored = wh.con.execute("SELECT count(*) FROM forecasts WHERE run_id = ?", [run_id]).fetchone()[0]
        onset_rows = wh.con.execute("SELECT count(*) FROM onset_risk WHERE run_id = ?", [run_id]).fetchone()[0]
        t, c = time.perf_counter(), cpu_seconds()
        onset.predict(wh.con, history(wh.con, last_month_id(wh.con)))
        onset_s, onset_cpu = time.perf_counter() - t, cpu_seconds() - c

        t, c = time.perf_counter(), cpu_seconds()
        result = evaluate(wh.con, years, draws=args.draws, cfg=cfg)
        eval_s, eval_cpu = time.perf_counter() - t, cpu_seconds() - c
        by_seed = {cfg.seed: crps_ratio(result)}
        for seed in seeds:
            again = evaluate(wh.con, years, draws=args.draws, cfg=dataclasses.replace(cfg, seed=seed))
            by_seed[seed] = crps_ratio(again)
        wh.close()

    margins = best_benchmark_margins(result)
    line = {
        "bench": "forecast",
        "windows": years,
        "draws": args.draws,
        "config": args.config,
        "countries": result["countries"],
        "ingest_views_seconds": round(ingest_s, 2),
        "evaluation_seconds": round(eval_s, 2),
        "evaluation_cpu_seconds": round(eval_cpu, 2),
        "forecast_36_seconds": round(forecast_s, 2),
        "forecast_36_cpu_seconds": round(forecast_cpu, 2),   # user + system, all threads: what a busy machine hides
        "forecast_36_rows": stored,
        "forecast_36_with_onset_model": True,
        "forecast_36_onset_rows": onset_rows,
        "forecast_36_peak_rss_mb": round(forecast_rss, 1),
        "onset_seconds": round(onset_s, 2),
        "onset_cpu_seconds": round(onset_cpu, 2),
        "onset_inputs": onset_inputs,
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],   # at the start and the end
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "scores": {y: {name: {m: round(per[name][m], 4) for m in METRICS} for name in (OURS, *BENCHMARKS)}
                   for y, per in result["windows"].items()},
        "mean": {name: {m: round(v[m], 4) for m in METRICS} for name, v in result["mean"].items()},
        "baseline": "conflictology",
        "crps_ratio_to_conflictology": round(by_seed[cfg.seed], 4),
        "mean_crps_without_onsets": {k: round(v, 4) for k, v in result.get("mean_without_onsets", {}).items()},
        "beats_best_benchmark": {y: {m: r[m]["beats"] for m in ("crps", "ign", "mis")} for y, r in margins.items()},
    }
    if seeds:
        line["crps_ratio_by_seed"] = {str(k): round(v, 4) for k, v in by_seed.items()}
        line["crps_ratio_seed_spread"] = round(max(by_seed.values()) - min(by_seed.values()), 4)
    if args.save:
        from signalfire.forecast.evaluation.plots import pit_plot
        args.save.mkdir(parents=True, exist_ok=True)
        (args.save / "evaluation.json").write_text(json.dumps({k: v for k, v in result.items() if k != "pit"}, indent=1))
        pit_plot(result["pit"], args.save / "pit.png", title=f"PIT, windows {args.windows}")
    print(json.dumps(line))


if __name__ == "__main__":
    main()

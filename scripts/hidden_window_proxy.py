"""Score an exported window against UCDP's annual totals, for a window whose monthly actuals are not at hand.

The challenge scores each country-month.  For the 2024 window (cut-off October 2023) no monthly actuals are on
this machine, but UCDP's Country-Year Dataset on Organized Violence v25.1 holds each country's state-based deaths
for 2024 (``sb_total_deaths_best``).  This script spreads each annual total evenly over the 12 months (the *flat
proxy*) and scores every forecaster's draws against it with the CRPS: our export, the four benchmarks and the
reference (``forecast evaluate``'s fifth benchmark; ``--no-reference`` leaves it out), computed from the same VIEWS
file cut at the window's cut-off.  Where the VIEWS file also holds the window's months (2023 and
earlier) it prints the real monthly CRPS beside the proxy, which shows how far the proxy can be trusted.

Diagnostic only: nothing here feeds back into the model, which is chosen on the windows 2011–2017.

Run from the repository root with ``../shared/data`` beside it, after the hidden-window protocol has written
``DIR/cm/window=Y2024/predictions_2024.parquet``::

    python scripts/hidden_window_proxy.py --window 2024 DIR

UCDP data, CC BY 4.0: Davies, Engström, Pettersson & Öberg (2025), *Organized violence 1989–2024*, JPR 62(4).
VIEWS data: CC BY-NC 4.0.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from signalfire.analysis.panel import last_month_id, panel_matrix
from signalfire.forecast.countries import challenge_countries, window_months
from signalfire.forecast.evaluation import reference
from signalfire.forecast.evaluation.benchmarks import BENCHMARKS, benchmark
from signalfire.forecast.evaluation.scores import crps
from signalfire.forecast.inputs import FIRST_MONTH
from signalfire.sources import get
from signalfire.store.ingest import ingest_file
from signalfire.warehouse import Warehouse

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
VIEWS = DATA / "views" / "ged_cm_sb_1990-2023.csv.gz"
CY = DATA / "ucdp" / "organizedviolencecy_v25_1.csv"


def annual_totals(path: Path, year: int, iso3: list[str]) -> np.ndarray:
    """State-based deaths (best) of ``year`` per country, in ``iso3`` order, read with the ``ucdp-cy`` adapter."""
    parts = []
    for batch in get("ucdp-cy").read(path):
        rows = batch.rows
        parts.append(rows[(rows["measure"] == "sb_total_deaths_best") & (rows["year"] == year)])
    frame = pd.concat(parts)
    if frame.empty:
        raise SystemExit(f"{path.name} holds no state-based deaths for {year}")
    return frame.groupby("country_iso3")["value"].sum().reindex(iso3).fillna(0.0).to_numpy(float)


def panel(path: Path, iso3: list[str]) -> np.ndarray:
    """Deaths, countries × months from January 1990, in ``iso3`` order: the VIEWS cm file ingested into a temporary
    store with the ``views-cm`` adapter and read back as ``forecast evaluate`` reads its panel."""
    with tempfile.TemporaryDirectory(prefix="signalfire-proxy-") as tmp:
        wh = Warehouse(Path(tmp) / "proxy.duckdb")
        try:
            ingest_file(wh, get("views-cm"), path)
            return panel_matrix(wh.con, iso3, FIRST_MONTH, last_month_id(wh.con))
        finally:
            wh.close()


def exported(directory: Path, year: int, country_ids, months) -> np.ndarray:
    """The export's draws as countries × months × draws."""
    path = directory / "cm" / f"window=Y{year}" / f"predictions_{year}.parquet"
    if not path.exists():
        raise SystemExit(f"{path} does not exist: run `signalfire forecast export --window {year} {directory}` first")
    frame = pd.read_parquet(path).sort_values(["country_id", "month_id", "draw"])
    draws = frame["draw"].nunique()
    cube = frame.set_index(["country_id", "month_id", "draw"])["outcome"].unstack("draw")
    cube = cube.reindex(pd.MultiIndex.from_product([country_ids, months]))
    if cube.isna().any().any():
        raise SystemExit(f"{path} lacks some of the 191 countries × 12 months")
    return cube.to_numpy(float).reshape(len(country_ids), len(months), draws)


def mean_crps(actual: np.ndarray, draws: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean CRPS over all country-months, and each country's share of the sum."""
    per = crps(actual.reshape(-1), draws.reshape(-1, draws.shape[2])).reshape(actual.shape)
    return float(per.mean()), per.sum(axis=1) / per.size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export", type=Path, help="directory the hidden-window protocol exported to")
    parser.add_argument("--window", type=int, default=2024)
    parser.add_argument("--views", type=Path, default=VIEWS, help="VIEWS cm file (the benchmarks' history)")
    parser.add_argument("--cy", type=Path, default=CY, help="UCDP organized-violence country-year file")
    parser.add_argument("--reference", action=argparse.BooleanOptionalAction, default=True,
                        help="also score the reference forecaster (about 50 model fits)")
    args = parser.parse_args()

    for path in (args.views, args.cy):
        if not path.exists():
            raise SystemExit(f"{path} does not exist (see --views and --cy)")
    cc = challenge_countries()
    cutoff, months = window_months(args.window)
    data = panel(args.views, list(cc.iso3))
    history = data[:, : cutoff - FIRST_MONTH + 1]
    flat = np.repeat(annual_totals(args.cy, args.window, list(cc.iso3))[:, None] / 12, 12, axis=1)
    have_months = data.shape[1] >= months[-1] - FIRST_MONTH + 1
    real = data[:, months[0] - FIRST_MONTH: months[-1] - FIRST_MONTH + 1] if have_months else None

    forecasters = {"ours": exported(args.export, args.window, list(cc.country_id), months)}
    for name in BENCHMARKS:
        forecasters[name] = benchmark(name, history, 12, 1000, seed=args.window)
    if args.reference:
        forecasters["reference"] = reference.forecast(history, [m - cutoff for m in months], 1000,
                                                      reference.ReferenceConfig())
    result = {"window": args.window, "flat_proxy": {}, "real": {}, "largest": {}}
    for name, draws in forecasters.items():
        result["flat_proxy"][name], shares = mean_crps(flat, draws)
        if name in ("ours", "conflictology", "reference"):
            top = np.argsort(-shares)[:6]
            result["largest"][name] = {cc.iso3[i]: round(float(shares[i]), 2) for i in top}
        if real is not None:
            result["real"][name] = mean_crps(real, draws)[0]
    if real is not None:
        gap = np.abs(real.sum(axis=1) - flat.sum(axis=1))
        result["annual_gap_views_vs_ucdp_cy"] = round(float(gap.sum() / max(real.sum(), 1)), 4)
    conf = result["flat_proxy"]["conflictology"]
    print(f"window {args.window}: mean CRPS against the flat proxy (UCDP annual totals / 12)"
          + (" and against the real monthly actuals" if real is not None else ""))
    for name in forecasters:
        flat_crps = result["flat_proxy"][name]
        line = f"  {name:14} {flat_crps:9.2f}  ({flat_crps / conf:.3f} × conflictology)"
        if real is not None:
            real_crps = result["real"][name]
            line += f"   real {real_crps:9.2f}  ({real_crps / result['real']['conflictology']:.3f} ×)"
        print(line)
    for name, top in result["largest"].items():
        print(f"  largest shares of {name}'s proxy CRPS: " + ", ".join(f"{k} {v}" for k, v in top.items()))
    print(json.dumps({k: ({n: round(v, 3) for n, v in d.items()} if k in ("flat_proxy", "real") else d)
                      for k, d in result.items()}))


if __name__ == "__main__":
    main()

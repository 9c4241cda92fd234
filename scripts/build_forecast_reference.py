"""Build the annual reference data the forecast model ships with: ``signalfire/forecast/data/ucdp_cy_ns_os.csv``.

Run from the repository root with ``../shared/data`` beside it::

    python scripts/build_forecast_reference.py

It reads UCDP's Country-Year Dataset on Organized Violence (v25.1, as UCDP publishes it) with the project's own
``ucdp-cy`` adapter, so countries are resolved exactly as an ingest would resolve them, and keeps two measures:
the best estimates of non-state (``ns_total_deaths_best``) and one-sided (``os_total_deaths_best``) deaths per
country and year, the non-zero ones.  UCDP data, CC BY 4.0: Davies, Engström, Pettersson & Öberg (2025), *Organized violence
1989–2024*, JPR 62(4).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from signalfire.forecast.annual import MEASURES, REFERENCE
from signalfire.sources import get

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "data" / "ucdp" / "organizedviolencecy_v25_1.csv"


def main() -> None:
    adapter = get("ucdp-cy")
    rows, quarantined = [], 0
    for batch in adapter.read(SOURCE):
        rows.append(batch.rows[batch.rows["measure"].isin(MEASURES.values())])
        quarantined += len(batch.quarantine)
    frame = pd.concat(rows, ignore_index=True)
    frame = frame[["country_iso3", "year", "measure", "value"]].sort_values(["country_iso3", "year", "measure"])
    frame["value"] = frame["value"].astype(int)
    frame = frame[frame["value"] > 0]  # a country-year without a row had no such deaths (UCDP lists every state)
    frame.to_csv(REFERENCE, index=False)
    print(f"{len(frame)} values ({frame.country_iso3.nunique()} countries, {frame.year.min()}–{frame.year.max()}) "
          f"written to {REFERENCE.relative_to(ROOT)}; {quarantined} values of the file quarantined")


if __name__ == "__main__":
    main()

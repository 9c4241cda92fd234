"""Demo data shipped with the package: real excerpts of openly licensed data only.

* UCDP GED: ``ged_ukraine_2014-2023.csv.gz`` (UCDP GED + Candidate, Ukraine, as re-saved by Excel upstream) and
  ``ged_v23_1_sample1000.csv.gz`` (a random 1,000-event sample of GED 23.1). UCDP data, CC BY 4.0.
* UCDP/PRIO Armed Conflict Dataset v25.1: ``UcdpPrioConflict_v25_1_semicolon.csv.gz`` (a re-save found in the wild,
  with ``;`` separators and one record split over two lines, which the ingest quarantines). CC BY 4.0.
* VIEWS country-month data: ``views_ged_cm_sb_1990-2023.csv.gz`` (UCDP state-based deaths per country and month,
  1990-01 to 2023-12, as aggregated by VIEWS). VIEWS data, CC BY-NC 4.0: non-commercial use only, with attribution.
* VIEWS's published forecasts: ``views_predictions_2022-08_to_2025-07.csv.gz`` (VIEWS's ``predictions.csv``,
  prio-data/viewsforecasting MonthlyUpdates, point forecasts for 191 countries, 2022-08 to 2025-07; gzip of the
  published file, 162 KB), shown beside our forecast by ``signalfire serve``. VIEWS, CC BY-NC 4.0, as above.

No ACLED, GTD, CFR or SIPRI rows are shipped: their terms forbid redistribution.
Each entry: (adapter name, file name). Files are loaded in this order.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

MANIFEST: list[tuple[str, str]] = [
    ("ucdp-ged", "ged_v23_1_sample1000.csv.gz"),
    ("ucdp-ged", "ged_ukraine_2014-2023.csv.gz"),
    ("ucdp-acd", "UcdpPrioConflict_v25_1_semicolon.csv.gz"),
    ("views-cm", "views_ged_cm_sb_1990-2023.csv.gz"),
]

# VIEWS's published point forecasts (not an adapter's input: `signalfire forecast import-views` reads them)
PUBLISHED_FORECASTS = "views_predictions_2022-08_to_2025-07.csv.gz"

ATTRIBUTION = (
    "Demo data: UCDP Georeferenced Event Dataset and UCDP/PRIO Armed Conflict Dataset (CC BY 4.0), "
    "Uppsala Conflict Data Program, ucdp.uu.se. "
    "VIEWS country-month data (views_ged_cm_sb_1990-2023.csv.gz) and published forecasts "
    "(views_predictions_2022-08_to_2025-07.csv.gz): VIEWS, Uppsala University and PRIO "
    "(viewsforecasting.org), licensed CC BY-NC 4.0 — NON-COMMERCIAL use only, with attribution; "
    "Hegre et al. (2019), ViEWS: A political violence early-warning system, JPR 56(2)."
)


def demo_files() -> list[tuple[str, Path]]:
    root = resources.files("signalfire.demo")
    return [(adapter, Path(str(root.joinpath(name)))) for adapter, name in MANIFEST]


def load_demo(store, progress=None) -> list:
    """Ingest every demo file into an open store; returns the ingest results."""
    from signalfire.sources import get
    from signalfire.store.ingest import ingest_file
    results = []
    for adapter, path in demo_files():
        results.append(ingest_file(store, get(adapter), path, progress=progress))
    return results

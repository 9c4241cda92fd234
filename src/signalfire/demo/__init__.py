"""Demo data shipped with the package: real excerpts of openly licensed data only.

* UCDP GED: ``ged_ukraine_2014-2023.csv.gz`` (UCDP GED + Candidate, Ukraine, as re-saved by Excel upstream) and
  ``ged_v23_1_sample1000.csv.gz`` (a random 1,000-event sample of GED 23.1). UCDP data, CC BY 4.0.

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
]

ATTRIBUTION = (
    "Demo data: UCDP Georeferenced Event Dataset and UCDP/PRIO Armed Conflict Dataset (CC BY 4.0), "
    "Uppsala Conflict Data Program, ucdp.uu.se."
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

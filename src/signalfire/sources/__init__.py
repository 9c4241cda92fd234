"""Source adapters: one module per published format, each exposing ``ADAPTER`` (see :mod:`.base`).

To add an adapter, write ``sources/<format>.py`` with a ``read(path)`` generator and an ``ADAPTER``, and list
the module below.  The CLI, the docs and ``signalfire sources`` pick it up from here.
"""

from __future__ import annotations

from importlib import import_module

from signalfire.sources.base import Adapter, Batch, SourceError

# CLI name -> module (under signalfire.sources)
MODULES: dict[str, str] = {
    "ucdp-ged": "ucdp.ucdp_ged",             # UCDP GED CSV
    "ucdp-ged-geojson": "ucdp.ucdp_ged_geojson",  # UCDP GED GeoJSON
    "ucdp-acd": "ucdp.ucdp_acd",             # UCDP/PRIO Armed Conflict Dataset
    "ucdp-cy": "ucdp.ucdp_cy",               # UCDP Country-Year Dataset on Organized Violence
    "ucdp-brd": "ucdp.ucdp_brd",             # UCDP Battle-Related Deaths
    "acled": "acled",                        # ACLED export/API CSV
    "gdelt": "gdelt",                        # GDELT 1.0/2.0 event exports
    "gtd": "gtd",                            # START Global Terrorism Database CSV
    "views-cm": "views_cm",                  # VIEWS country-month data
}

# Subpackages by concern, each with its own MODULES (CLI name -> module under the subpackage)
SUBPACKAGES = ("missions", "diplomacy", "crises", "context", "cyber", "migration", "terrorism")
for _package in SUBPACKAGES:
    for _name, _module in import_module(f"signalfire.sources.{_package}").MODULES.items():
        MODULES[_name] = f"{_package}.{_module}"


def get(name: str) -> Adapter:
    if name not in MODULES:
        raise SourceError(f"unknown source {name!r}; known sources: {', '.join(sorted(MODULES))}")
    return import_module(f"signalfire.sources.{MODULES[name]}").ADAPTER


def all_adapters() -> list[Adapter]:
    return [get(name) for name in MODULES]


__all__ = ["MODULES", "Adapter", "Batch", "SourceError", "all_adapters", "get"]

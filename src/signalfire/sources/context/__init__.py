"""Adapters for military expenditure, capabilities, alliances, leaders: one module per published format, each exposing ``ADAPTER``."""

from __future__ import annotations

# CLI name -> module (under this package)
MODULES: dict[str, str] = {
    "sipri-milex": "sipri_milex",    # SIPRI Military Expenditure Database workbook
    "cow-nmc": "cow_nmc",            # COW National Material Capabilities
    "atop-dyads": "atop_dyads",      # ATOP alliance obligations, dyad-year
    "archigos": "archigos",          # Archigos leaders
    "sipri-arms-transfers": "sipri_arms_transfers",  # arms imports/exports, SIPRI TIV per period (World Bank)
    "sipri-top100": "sipri_top100",  # SIPRI Top 100 arms-producing companies workbook
}

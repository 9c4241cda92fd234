"""Adapters for cyber operations and STIX 2.1: one module per published format, each exposing ``ADAPTER``."""

from __future__ import annotations

# CLI name -> module (under this package)
MODULES: dict[str, str] = {
    "cfr-cyber": "cfr",     # CFR Cyber Operations Tracker (.xlsx / CSV)
    "dcid": "dcid",         # Dyadic Cyber Incident and Dispute dataset v2.0 (.xlsx, incident sheet)
    "stix": "stix",         # any STIX 2.1 bundle (.json / .json.gz); STIX 2.0 bundles are upgraded
}

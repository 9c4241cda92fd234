"""Adapters for international crises and militarised disputes: one module per published format, each exposing ``ADAPTER``."""

from __future__ import annotations

# CLI name -> module (under this package)
MODULES: dict[str, str] = {
    "icb-crises": "icb_actors",      # ICB actor-level (icb2)
    "icb-dyads": "icb_dyads",        # ICB dyadic (icbdy)
    "mid-disputes": "gml_mid",       # Gibler-Miller-Little MID, dispute level
}

"""Adapters for arms control treaties and the UN General Assembly: one module per published format, each exposing ``ADAPTER``."""

from __future__ import annotations

# CLI name -> module (under this package)
MODULES: dict[str, str] = {
    "manytreaties": "manytreaties",              # manytreaties parties (GGO/HUGGO + IEADB): state actions
    "manyios": "manyios",                        # manyios memberships of security regimes (PSI, NSG, MTCR, ...)
    "treaty-overrides": "treaty_overrides",      # documented corrections (shipped data/treaty_overrides.csv)
    "treaty-instruments": "treaty_instruments",  # instrument identity (shipped data/instruments.csv)
    "unvotes": "unvotes",                        # Voeten UNGA votes (unvotes un_votes)
    "unvotes-roll-calls": "unvotes_roll_calls",  # Voeten UNGA roll calls (unvotes un_roll_calls)
    "unvotes-issues": "unvotes_issues",          # Voeten UNGA issue codes (unvotes un_roll_call_issues)
    "v-clear": "vclear",                         # ν-CLEAR nuclear proficiency, country-year (into country_year)
    "nca": "nca",                                # Nuclear Cooperation Agreements, dyad-year (into dyad_year)
    "missile-tests": "missile_tests",            # CNS/NTI missile test databases (DPRK, India, Iran, Pakistan)
    "nuclear-latency": "nuclear_latency",        # Nuclear Latency v1.2 enrichment/reprocessing facilities
}

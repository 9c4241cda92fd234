"""Adapters for migration and displacement: one module per published format, each exposing ``ADAPTER``."""

from __future__ import annotations

# CLI name -> module (under this package)
MODULES: dict[str, str] = {
    "unhcr-population": "unhcr_population",                    # UNHCR population (tidy, refugees package)
    "unhcr-flows": "unhcr_flows",                              # UNHCR flows (tidy)
    "unhcr-asylum-applications": "unhcr_asylum_applications",  # UNHCR asylum applications (tidy)
    "unhcr-asylum-decisions": "unhcr_asylum_decisions",        # UNHCR asylum decisions (tidy)
    "unhcr-refugee-data-finder": "unhcr_rdf",                  # UNHCR Refugee Data Finder download (population)
    "frontex": "frontex",                                      # Frontex detections by route × month (tidy)
    "iom-missing-migrants": "iom_mmp",                         # IOM Missing Migrants incidents (tidy)
    "iom-missing-migrants-download": "iom_download",           # IOM Missing Migrants download (CSV/xlsx)
    "idmc": "idmc",                                            # IDMC internal displacement flows (tidy)
    "eurostat-asylum": "eurostat_asylum",                      # Eurostat asylum applicants (tidy)
}

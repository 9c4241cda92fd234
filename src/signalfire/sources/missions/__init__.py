"""Adapters for peacekeeping and other missions: one module per published format, each exposing ``ADAPTER``."""

from __future__ import annotations

# CLI name -> module (under this package)
MODULES: dict[str, str] = {
    "ipi-missions": "ipi_missions",                                # IPI mission-month totals (data_mission.csv)
    "ipi-contributions": "ipi_contributions",                      # IPI contributor-month totals
    "ipi-contributions-mission": "ipi_contributions_mission",      # IPI contributor x mission x month detail
    "un-pko-strength": "un_pko_strength",                          # UN authorised vs deployed, mission-month
    "un-pko-fatalities": "un_pko_fatalities",                      # UN fatalities, nationality x mission x month
    "bara-hultman": "bara_hultman",                                # Bara & Hultman UN and non-UN peacekeeping
    "geopko": "geopko",                                            # Geo-PKO TCCMap deployment sites
    "geopko-ttmap": "geopko_ttmap",                                # Geo-PKO TTMap troop types per site
    "geopko-frontmap": "geopko_frontmap",                          # Geo-PKO FrontMap troops, HQ, police per site
    "un-pko-hub": "un_pko_hub",                                    # UN Peace and Security Data Hub contributions
    "missions-user": "missions_user",                              # user-supplied missions (source URL per row)
    "missions-user-contributions": "missions_user_contributions",  # user-supplied contributions
}

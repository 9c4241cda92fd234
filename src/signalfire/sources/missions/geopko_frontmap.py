"""Geo-PKO v2.3 ``FrontMap``: troops, reserves, headquarters, police, medical, aviation and observers per
deployment location, into ``mission_site_types``.  See :mod:`.geopko_types`."""

from __future__ import annotations

from signalfire.sources.missions.geopko_types import FRONT_MEASURES, adapter

ADAPTER = adapter("geopko-frontmap", FRONT_MEASURES,
                  "Geo-PKO v2.3 FrontMap CSV (mission, year, country, location, latitude, longitude, Infantry, "
                  "NoTroops, Reserve, hq, UNPOL, Med, Av, UNMO, ave.no.troops)",
                  "is this the Geo-PKO FrontMap table (mission, year, country, location, …, Infantry, NoTroops, "
                  "Reserve, hq, UNPOL, Med, Av, UNMO, ave.no.troops)?")

"""Geo-PKO v2.3 ``TTMap``: troop types per deployment location (infantry troops; engineering, medical, signals,
aviation, riverine, maintenance, transport units), into ``mission_site_types``.  See :mod:`.geopko_types`."""

from __future__ import annotations

from signalfire.sources.missions.geopko_types import TT_MEASURES, adapter

ADAPTER = adapter("geopko-ttmap", TT_MEASURES,
                  "Geo-PKO v2.3 TTMap CSV (mission, year, location, latitude, longitude, Infantry, eng, med, sig, av, "
                  "riv, maint, trans)",
                  "is this the Geo-PKO TTMap table (mission, year, location, …, Infantry, eng, med, sig, av, riv, "
                  "maint, trans)?")

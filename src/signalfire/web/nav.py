"""The main navigation: groups of (path, label, key) shown in the header of every page.

``key`` is what a page passes as ``active`` to mark itself current.  A stream's page adds its entry here.
"""

from __future__ import annotations

NAV: list[tuple[str, list[tuple[str, str, str]]]] = [
    ("Threats", [
        ("/", "Overview", "overview"),
        ("/country/UKR", "Country", "country"),
        ("/neighbourhood", "Neighbourhood watch", "neighbourhood"),
        ("/compare", "Compare countries", "compare"),
        ("/actors", "Actors", "actors"),
        ("/migration", "Migration", "migration"),
        ("/terrorism", "Terrorism", "terrorism"),
        ("/cyber", "Cyber operations", "cyber"),
        ("/cyber/groups", "ATT&CK groups", "cyber-groups"),
    ]),
    ("Engagement", [
        ("/missions", "Deployments", "missions"),
        ("/missions/map", "Deployment map", "missions-map"),
        ("/missions/fatalities", "Peacekeeper fatalities", "missions-fatalities"),
        ("/treaties", "Arms control", "treaties"),
        ("/wmd", "Missile tests", "wmd"),
        ("/unga", "UN votes", "unga"),
        ("/crises", "Crises", "crises"),
        ("/disputes", "Disputes", "disputes"),
        ("/context/POL", "Military context", "context"),
    ]),
    ("Forecasts", [
        ("/forecasts", "Forecasts", "forecasts"),
        ("/alerts", "Alerts", "alerts"),
    ]),
    ("Data", [
        ("/data", "Data", "data"),
        ("/api/docs", "API", "api"),
    ]),
]

"""UN peacekeeping fatalities by nationality, mission and month (1948–2015, 16 columns), into
``mission_fatalities``.

A compilation of the UN's fatality records (Mandate_Contribute, ``Contigent-mission-month_data``): one line per
``Nationality``, ``Mission``, ``Year`` and ``Month`` with deaths by cause (``Illness``, ``Accident``,
``Malicious``, ``Other``, summing to ``Total``) and by category of personnel (``Mil``, ``Obs``, ``Police``,
``Local``, ``International``, ``Otherstaff``, also summing to ``Total``).  A line whose causes or categories do not
add up to its total is quarantined (validation rule), as are non-counts.  ``Nationality`` is kept as published (it
is part of the key) and resolved to ISO3 where it names a state; where it does not (``ZZ [Undetermined]``) the
line is kept with ``nationality_iso3`` NULL.
``Cowcontr`` (the producer's COW code) is not stored: the name resolves more reliably.

Licence: compiled from UN DPKO fatality records; no licence stated; cite the UN.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.sources.base import Adapter, Batch
from signalfire.sources.delimited import read_records, sniff_delimiter
from signalfire.sources.missions.common import resolve_names
from signalfire.sources.validate import Checker, require_columns

VERSION = "1.0"
SOURCE = "un-pko-fatalities"
LICENCE = "UN peacekeeping fatalities by nationality, mission and month (UN DPKO records); no licence stated."
CAUSES = {"Illness": "illness", "Accident": "accident", "Malicious": "malicious", "Other": "other_cause"}
CATEGORIES = {"Mil": "military", "Obs": "observers", "Police": "police", "Local": "local_staff",
              "International": "international_staff", "Otherstaff": "other_staff"}
REQUIRED = ["Year", "Month", "Nationality", "Mission", *CAUSES, "Total", *CATEGORIES]
HINT = "is this the UN peacekeeping fatalities contingent-mission-month file?"


def _chunk(path: Path, records, rejects, delim: str) -> Batch:
    chk = Checker(records, path, delim=delim)
    year = chk.number("Year", required=True, whole=True, minimum=1945, maximum=2100)
    month = chk.number("Month", required=True, whole=True, minimum=1, maximum=12)
    nationality = chk.require("Nationality")
    mission = chk.require("Mission")
    where = resolve_names(nationality)
    counts = {name: chk.number(col, required=True, whole=True, minimum=0)
              for col, name in {**CAUSES, "Total": "total", **CATEGORIES}.items()}
    total = counts["total"]
    causes = sum(counts[c] for c in CAUSES.values())
    kinds = sum(counts[c] for c in CATEGORIES.values())
    chk.fail(causes.notna() & total.notna() & (causes != total), "Total",
             "causes (Illness + Accident + Malicious + Other) do not add up to Total")
    chk.fail(kinds.notna() & total.notna() & (kinds != total), "Total",
             "personnel categories (Mil + Obs + Police + Local + International + Otherstaff) do not add up to Total")
    rows = records[[]].assign(source=SOURCE, nationality=nationality, nationality_iso3=where["country_iso3"],
                              nationality_gw=where["country_gw"], mission=mission, year=year, month=month, **counts)
    good, quarantine = chk.split(rows)
    return Batch(good, pd.concat([rejects, quarantine], ignore_index=True))


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    delim = sniff_delimiter(path)
    for records, rejects in read_records(path, delim=delim):
        require_columns(path, list(records.columns), REQUIRED, HINT)
        yield _chunk(path, records, rejects, delim)


ADAPTER = Adapter(name="un-pko-fatalities", source=SOURCE, table="mission_fatalities", version=VERSION,
                  formats="UN peacekeeping fatalities, nationality x mission x month CSV (16 columns, 1948-2015)",
                  read=read, licence=LICENCE)

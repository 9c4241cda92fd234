"""manyios memberships of security regimes (Vabulas & Snidal informal IGOs), into ``treaty_actions``.

Reads ``memberships`` of the globalgov ``manyios`` R package as CSV (7 columns: ``stateID`` (ISO3),
``StateName``, ``igoID`` (PSI, NSG, MTCR, AG, WA, ZAC, GICNT, GP, NPDI, NAC, CTG), ``Title``, ``Begin``,
``End``, ``Year``).  One line = one state's membership in a regime, observed in ``Year`` (2017 in this file);
``Begin`` is the regime's founding year, *not* the state's endorsement date, so the action has no date:
``action = membership``, ``action_date`` NULL, ``as_of_year`` = ``Year``, and the regime's years go into
``note``.  The instrument is the one ``data/instruments.csv`` maps the ``igoID`` to (PSI, NSG, Zangger, ...).

Accounting: one record per line; a line whose state, regime or year cannot be read is quarantined.
Licence of the data: manyios (globalgov; Vabulas & Snidal), CC BY 4.0.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import describe_failure, resolve_series
from signalfire.sources.base import Adapter, Batch
from signalfire.sources.diplomacy.reference import instrument_for
from signalfire.sources.validate import Checker, checked_records

VERSION = "1.0"
SOURCE = "manyios"
LICENCE = "manyios (globalgov; Vabulas & Snidal, informal intergovernmental organisations), CC BY 4.0"
REQUIRED = ["stateID", "igoID", "Title", "Begin", "Year"]
ALIASES = {"ALG": "DZA"}


def _chunk(path: Path, records: pd.DataFrame, rejects: pd.DataFrame) -> Batch:
    if records.empty:
        return Batch(pd.DataFrame(columns=["record_ref"]), rejects)
    chk = Checker(records, path)
    state = chk.require("stateID")
    igo = chk.require("igoID")
    year = chk.number("Year", required=True, whole=True, minimum=1900, maximum=2100)
    begin = chk.number("Begin", whole=True, minimum=1900, maximum=2100)
    end = chk.number("End", whole=True, minimum=1900, maximum=2100) if "End" in records else None
    where = resolve_series(state.map(lambda s: ALIASES.get(s, s) if isinstance(s, str) else s), "iso3")
    chk.fail(where["country_iso3"].isna() & state.notna(), "stateID",
             state.map(lambda v: describe_failure(v, "iso3")))
    title = chk.text("Title")
    founded = begin.map(lambda b: f"regime founded {b}" if pd.notna(b) else "founding year not given")
    ended = end.map(lambda e: f", ended {e}" if pd.notna(e) else "") if end is not None else ""
    rows = pd.DataFrame({
        "source": SOURCE,
        "action_id": igo.fillna("") + "|" + where["country_iso3"].fillna("").astype(str) + "|membership|"
                     + year.astype(str),
        "upstream": igo,
        "treaty_id": igo,
        "instrument": igo.map(lambda i: (instrument_for(i) or i) if isinstance(i, str) else None),
        "state_iso3": where["country_iso3"],
        "state_gw": where["country_gw"],
        "action": "membership",
        "action_date": pd.NaT,
        "as_of_year": year,
        "note": title.fillna("") + ": member in " + year.astype(str) + " (" + founded + ended + ")",
        "source_url": None,
    }, index=records.index)
    good, quarantine = chk.split(rows)
    return Batch(good, pd.concat([rejects, quarantine], ignore_index=True))


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    for records, rejects in checked_records(path, REQUIRED, "is this the manyios memberships table (CSV)?", delim=","):
        yield _chunk(path, records, rejects)


ADAPTER = Adapter(name="manyios", source=SOURCE, table="treaty_actions", version=VERSION,
                  formats="manyios memberships table as CSV (stateID, StateName, igoID, Title, Begin, End, Year)",
                  read=read, licence=LICENCE)

"""manytreaties parties (GGO/HUGGO and IEADB), into ``treaty_actions``: one row per dated action of a state.

Reads ``parties`` of the globalgov ``manytreaties`` R package as CSV (18 columns: ``source`` (GGO or IEADB),
``stateID`` (ISO3), ``treatyID``, ``Title``, ``Begin``, ``End``, ``Signature``, ``StateSignature``,
``StateRatification``, ``Force``, ``StateForce``, ``Term``, ``StateEnd``, ``Coder``, ``Comments``,
``stateSignature``, ``Rat``, ``ieadbID``).  GGO rows carry the state's dates in ``StateSignature`` /
``StateRatification`` / ``StateForce`` / ``StateEnd``; IEADB rows in ``stateSignature`` / ``Rat``.

Each non-empty state date becomes one action: ``signature``, ``ratification`` (manytreaties does not tell
ratification from accession, acceptance, approval or succession: all are its consent to be bound, stored as
``ratification``), ``entry_into_force`` and ``end`` (``StateEnd``).  ``9999-12-31`` (no end, or not in force, e.g. every
CTBT ``StateForce``) is not an action.  A date with a trailing ``?`` is kept with the note "uncertain date".  The instrument (NPT, CWC, ...) is
the one ``data/instruments.csv`` maps the ``treatyID`` to; unmapped treaties keep their ``treatyID``.

Known upstream errors are kept as published (signature dates after the ratification, the DPRK's NPT withdrawal
missing): ``analysis/treaties.py`` flags them and ``treaty_overrides.csv`` corrects them, with sources.

Accounting: a record is one dated action (line × date column); a line with no state date at all is one record,
quarantined ("no dated action").  A line whose state or treaty cannot be read quarantines each of its actions.
Non-ISO state codes of the file are read as: ALG Algeria, BZL Brazil, LES Lesotho, YAR Yemen Arab Republic
(as YEM); ambiguous codes such as ``SWA - SWZ`` and organisations (EURATOM, IAEA, EUE) are quarantined.

Licence of the data: manytreaties (Geneva Graduate Institute, GGO/HUGGO, and IEADB), CC BY 4.0.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import describe_failure, resolve_series
from signalfire.sources.base import Adapter, Batch, quarantine_frame
from signalfire.sources.delimited import header_names, read_records
from signalfire.sources.diplomacy.reference import instrument_for
from signalfire.sources.validate import Checker, require_columns, short_repr

VERSION = "1.0"
SOURCE = "manytreaties"
LICENCE = ("manytreaties (globalgov: Geneva Graduate Institute GGO/HUGGO, and the International Environmental "
           "Agreements Database), CC BY 4.0")
REQUIRED = ["source", "stateID", "treatyID", "Title", "StateSignature", "StateRatification", "StateForce"]
# the file has both StateSignature (GGO) and stateSignature (IEADB); DuckDB's names are case-insensitive
IEADB_SIGNATURE = "stateSignature (IEADB)"
# (action, columns holding the state's date, first non-empty wins)
DATE_COLUMNS = [("signature", ["StateSignature", IEADB_SIGNATURE]),
                ("ratification", ["StateRatification", "Rat"]),
                ("entry_into_force", ["StateForce"]),
                ("end", ["StateEnd"])]
NO_END = "9999-12-31"
ALIASES = {"ALG": "DZA", "BZL": "BRA", "LES": "LSO", "YAR": "YEM"}


def _state_dates(records: pd.DataFrame) -> pd.DataFrame:
    """Long frame: one row per (line, action) with the date text and the column it came from."""
    parts = []
    for action, columns in DATE_COLUMNS:
        text = pd.Series("", index=records.index, dtype=object)
        column = pd.Series("", index=records.index, dtype=object)
        for col in columns:
            if col in records.columns:
                values = records[col].astype(str).str.strip()
                take = (text == "") & ~Checker.missing(values)
                text = text.where(~take, values)
                column = column.where(~take, col)
        text = text.where(text != NO_END, "")   # 9999-12-31: no end / not (yet) in force
        parts.append(pd.DataFrame({"line": records.index, "action": action, "text": text, "column": column}))
    long = pd.concat(parts, ignore_index=True)
    return long[long["text"] != ""]


def _chunk(path: Path, records: pd.DataFrame, rejects: pd.DataFrame) -> Batch:
    if records.empty:
        return Batch(pd.DataFrame(columns=["record_ref"]), rejects)
    chk = Checker(records, path)
    state = chk.require("stateID")
    treaty = chk.require("treatyID")
    upstream = chk.require("source")
    codes = state.map(lambda s: ALIASES.get(s, s) if isinstance(s, str) else s)
    where = resolve_series(codes, "iso3")
    chk.fail(where["country_iso3"].isna() & state.notna(), "stateID",
             state.map(lambda v: describe_failure(v, "iso3") + " (not a state, or more than one)"))
    refs = records["record_ref"].astype(str)
    long = _state_dates(records)
    quarantine = [rejects]
    # lines with no state date at all: one record each
    dateless = records.index.difference(long["line"].unique())
    if len(dateless):
        quarantine.append(quarantine_frame(pd.DataFrame({
            "record_ref": refs.loc[dateless], "column_name": "StateSignature", "raw": chk.raw.loc[dateless],
            "reason": path.name + ", " + refs.loc[dateless] + ": no dated action (signature, ratification, "
                      "entry into force or end)" + chk.reasons.loc[dateless].map(lambda r: f"; {r}" if r else ""),
        }).to_dict("records")))
    # dates: YYYY-MM-DD, a trailing '?' marks an uncertain date
    uncertain = long["text"].str.endswith("?")
    clean = long["text"].str.rstrip("?").str.strip()
    parsed = pd.to_datetime(clean, format="%Y-%m-%d", errors="coerce")
    line_reason = chk.reasons.loc[long["line"]].to_numpy()
    cell_reason = pd.Series(line_reason, index=long.index)
    bad_date = parsed.isna()
    cell_reason[bad_date] = (cell_reason[bad_date].map(lambda r: f"{r}; " if r else "") + "column "
                             + long.loc[bad_date, "column"] + ": not a date (YYYY-MM-DD, 1678-2261): "
                             + long.loc[bad_date, "text"].map(short_repr))
    bad = cell_reason != ""
    if bad.any():
        picked = long[bad]
        quarantine.append(quarantine_frame(pd.DataFrame({
            "record_ref": refs.loc[picked["line"]].to_numpy(), "column_name": picked["column"].to_numpy(),
            "raw": chk.raw.loc[picked["line"]].to_numpy(),
            "reason": (path.name + ", " + refs.loc[picked["line"]].to_numpy() + ", "
                       + cell_reason[bad].to_numpy()),
        }).to_dict("records")))
    ok = long[~bad]
    lines = ok["line"]
    treaty_ids = treaty.loc[lines].to_numpy()
    iso3 = where["country_iso3"].loc[lines].to_numpy()
    dates = parsed[~bad]
    date_text = dates.dt.strftime("%Y-%m-%d").to_numpy()
    comments = records["Comments"].loc[lines].astype(str).str.strip().to_numpy() if "Comments" in records else ""
    notes = pd.Series(comments, index=ok.index).where(lambda s: s != "", None)
    unsure = uncertain[~bad]
    notes = notes.where(~unsure, ("uncertain date (published as " + ok["text"] + ")"
                                  + notes.map(lambda n: f"; {n}" if isinstance(n, str) else "")))
    rows = pd.DataFrame({
        "source": SOURCE,
        "action_id": (upstream.loc[lines].to_numpy() + "|" + treaty_ids + "|" + iso3 + "|" + ok["action"].to_numpy()
                      + "|" + date_text),
        "upstream": upstream.loc[lines].to_numpy(),
        "treaty_id": treaty_ids,
        "instrument": [instrument_for(t) or t for t in treaty_ids],
        "state_iso3": iso3,
        "state_gw": where["country_gw"].loc[lines].to_numpy(),
        "action": ok["action"].to_numpy(),
        "action_date": dates.to_numpy(),
        "as_of_year": None,
        "note": notes.to_numpy(),
        "source_url": None,
        "record_ref": refs.loc[lines].to_numpy(),
    })
    return Batch(rows, pd.concat(quarantine, ignore_index=True))


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    checked = False
    names = header_names(path, ",")
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name.lower() in seen and name == "stateSignature":
            names[i] = IEADB_SIGNATURE
        seen.add(name.lower())
    for records, rejects in read_records(path, delim=",", names=names):
        if not checked:
            require_columns(path, [c for c in records.columns if c != "record_ref"], REQUIRED,
                            "is this the manytreaties parties table (CSV)?")
            checked = True
        yield _chunk(path, records, rejects)


ADAPTER = Adapter(name="manytreaties", source=SOURCE, table="treaty_actions", version=VERSION,
                  formats="manytreaties parties table as CSV (source, stateID, treatyID, Title, state dates)",
                  read=read, licence=LICENCE)

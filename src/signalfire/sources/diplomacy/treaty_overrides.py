"""Documented corrections to the treaty data (``data/treaty_overrides.csv``), into ``treaty_actions``.

The file (``#`` comment lines, then ``state_iso3, instrument, action, action_date, note, source_url``) lists the
actions the producers miss or get wrong, each with the document that supports it: the DPRK's withdrawal from the
NPT (2003), Russia's revocation of its CTBT ratification (2023).  Its rows are stored with ``source =
treaty-overrides`` beside the producers' rows, never in place of them; ``analysis/treaties.py`` applies them
when it works out a state's status and shows them with the validation flags.

Every row needs a ``source_url`` (http/https), a known state and an action of the list below; its date is an
ISO date, or empty to say the state has taken no such action (the producers' rows for that action are then set
aside, e.g. a CTBT ratification recorded upstream for a state that has only signed).  A row without a source, a
known state or action, or with a bad date, is quarantined with its reason.  Anyone may keep their own overrides file in this layout.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import describe_failure, resolve_series
from signalfire.sources.base import Adapter, Batch, quarantine_frame
from signalfire.sources.diplomacy.reference import OVERRIDES, commented_records
from signalfire.sources.validate import Checker

VERSION = "1.0"
SOURCE = "treaty-overrides"
LICENCE = "Signalfire's documented corrections; each row names its source"
REQUIRED = ["state_iso3", "instrument", "action", "action_date", "note", "source_url"]
ACTIONS = ("signature", "ratification", "accession", "acceptance", "approval", "succession", "entry_into_force",
           "withdrawal", "withdrawal_of_ratification")
DEFAULT_PATH = OVERRIDES


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    records, bad = commented_records(path, REQUIRED)
    if records.empty:
        yield Batch(pd.DataFrame(columns=["record_ref"]), quarantine_frame(bad))
        return
    chk = Checker(records, path)
    state = chk.require("state_iso3")
    instrument = chk.require("instrument")
    action = chk.choice("action", {a: a for a in ACTIONS})
    date = chk.date("action_date", ["%Y-%m-%d"])   # empty: the state has taken no such action
    url = chk.require("source_url")
    chk.fail(url.notna() & ~url.fillna("").str.match(r"https?://\S+$"), "source_url",
             "not an http(s) URL: every override needs its source")
    where = resolve_series(state, "iso3")
    chk.fail(where["country_iso3"].isna() & state.notna(), "state_iso3",
             state.map(lambda v: describe_failure(v, "iso3")))
    rows = pd.DataFrame({
        "source": SOURCE,
        "action_id": ("override|" + instrument.fillna("") + "|" + state.fillna("") + "|" + action.fillna("")
                      + "|" + date.dt.strftime("%Y-%m-%d").fillna("none")),
        "upstream": "override",
        "treaty_id": instrument,
        "instrument": instrument,
        "state_iso3": where["country_iso3"],
        "state_gw": where["country_gw"],
        "action": action,
        "action_date": date,
        "as_of_year": None,
        "note": chk.text("note"),
        "source_url": url,
    }, index=records.index)
    good, quarantine = chk.split(rows)
    yield Batch(good, pd.concat([quarantine_frame(bad), quarantine], ignore_index=True))


ADAPTER = Adapter(name="treaty-overrides", source=SOURCE, table="treaty_actions", version=VERSION,
                  formats="treaty overrides CSV (state_iso3, instrument, action, action_date, note, source_url); "
                          "the shipped one: signalfire/sources/diplomacy/data/treaty_overrides.csv",
                  read=read, licence=LICENCE)

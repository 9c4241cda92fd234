"""Arms-control instruments' identity (``data/instruments.csv``), into ``treaty_instruments``.

The shipped file (``#`` comment lines, then ``instrument, name, kind, topic, opened, in_force, treaty_ids,
source_url``) names each instrument by its short name (NPT, CWC, BWC, CTBT, PSI, NSG, ...), with the dates it
opened for signature and entered into force as its depositary gives them, and the producers' ids mapped to it
(manytreaties ``treatyID`` patterns, manyios ``igoID``).  A row with a bad date, an unknown kind or no source
URL is quarantined.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.sources.base import Adapter, Batch, quarantine_frame
from signalfire.sources.diplomacy.reference import INSTRUMENTS, commented_records
from signalfire.sources.validate import Checker

VERSION = "1.0"
SOURCE = "treaty-instruments"
LICENCE = "Signalfire's instrument list; dates from the depositaries (UNODA treaty database, IAEA)"
REQUIRED = ["instrument", "name", "kind", "opened", "in_force", "treaty_ids", "source_url"]
KINDS = ("treaty", "protocol", "regime")
DEFAULT_PATH = INSTRUMENTS


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    records, bad = commented_records(path, REQUIRED)
    if records.empty:
        yield Batch(pd.DataFrame(columns=["record_ref"]), quarantine_frame(bad))
        return
    chk = Checker(records, path)
    url = chk.require("source_url")
    chk.fail(url.notna() & ~url.fillna("").str.match(r"https?://\S+$"), "source_url", "not an http(s) URL")
    rows = pd.DataFrame({
        "instrument": chk.require("instrument"),
        "name": chk.require("name"),
        "kind": chk.choice("kind", {k: k for k in KINDS}),
        "topic": chk.text("topic"),
        "opened": chk.date("opened", ["%Y-%m-%d"]),
        "in_force": chk.date("in_force", ["%Y-%m-%d"]),
        "treaty_ids": chk.require("treaty_ids"),
        "source_url": url,
    }, index=records.index)
    good, quarantine = chk.split(rows)
    yield Batch(good, pd.concat([quarantine_frame(bad), quarantine], ignore_index=True))


ADAPTER = Adapter(name="treaty-instruments", source=SOURCE, table="treaty_instruments", version=VERSION,
                  formats="instrument list CSV (instrument, name, kind, topic, opened, in_force, treaty_ids, "
                          "source_url); the shipped one: signalfire/sources/diplomacy/data/instruments.csv",
                  read=read, licence=LICENCE)

"""UN General Assembly roll calls (Voeten's data, the ``unvotes`` layout), into ``unga_roll_calls``.

Reads ``un_roll_calls`` as CSV (optionally gzipped): ``rcid``, ``session`` (``1.0``), ``importantvote``,
``date`` (YYYY-MM-DD), ``unres`` (the resolution symbol as published: ``A/RES/74/40``, ``R/73/45``), ``amend``,
``para`` (0/1, empty where not coded), ``short`` (title) and ``descr`` (description).  One record per line.

Licence: as :mod:`.unvotes` (Voeten, Harvard Dataverse; unvotes, MIT).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.sources.base import Adapter, Batch
from signalfire.sources.diplomacy.unvotes import LICENCE
from signalfire.sources.validate import Checker, checked_records

VERSION = "1.0"
SOURCE = "unvotes-roll-calls"
REQUIRED = ["rcid", "session", "date", "unres", "short", "descr"]
FLAGS = {"0": False, "1": True, "0.0": False, "1.0": True}


def _chunk(path: Path, records: pd.DataFrame, rejects: pd.DataFrame) -> Batch:
    if records.empty:
        return Batch(pd.DataFrame(columns=["record_ref"]), rejects)
    chk = Checker(records, path)
    rows = pd.DataFrame({
        "rcid": chk.number("rcid", required=True, whole=True, minimum=1),
        "session": chk.number("session", required=True, whole=True, minimum=1, maximum=200),
        "importantvote": chk.choice("importantvote", FLAGS, required=False),
        "vote_date": chk.date("date", ["%Y-%m-%d"], required=True),
        "unres": chk.text("unres"),
        "amend": chk.choice("amend", FLAGS, required=False),
        "para": chk.choice("para", FLAGS, required=False),
        "short": chk.text("short"),
        "descr": chk.text("descr"),
    }, index=records.index)
    good, quarantine = chk.split(rows)
    return Batch(good, pd.concat([rejects, quarantine], ignore_index=True))


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    for records, rejects in checked_records(path, REQUIRED, "is this unvotes' un_roll_calls table (CSV)?", delim=","):
        yield _chunk(path, records, rejects)


ADAPTER = Adapter(name="unvotes-roll-calls", source=SOURCE, table="unga_roll_calls", version=VERSION,
                  formats="unvotes un_roll_calls as CSV or CSV.gz (rcid, session, importantvote, date, unres, "
                          "amend, para, short, descr)",
                  read=read, licence=LICENCE)

"""UN General Assembly issue codes (Voeten's data, the ``unvotes`` layout), into ``unga_roll_call_issues``.

Reads ``un_roll_call_issues`` as CSV (optionally gzipped): ``rcid``, ``short_name`` (``me`` Palestinian
conflict, ``nu`` nuclear weapons and nuclear material, ``di`` arms control and disarmament, ``hr`` human rights,
``co`` colonialism, ``ec`` economic development) and ``issue`` (the name).  A roll call may carry several codes
or none.  One record per line.

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
SOURCE = "unvotes-issues"
REQUIRED = ["rcid", "short_name", "issue"]


def _chunk(path: Path, records: pd.DataFrame, rejects: pd.DataFrame) -> Batch:
    if records.empty:
        return Batch(pd.DataFrame(columns=["record_ref"]), rejects)
    chk = Checker(records, path)
    rows = pd.DataFrame({
        "rcid": chk.number("rcid", required=True, whole=True, minimum=1),
        "issue_code": chk.require("short_name"),
        "issue": chk.require("issue"),
    }, index=records.index)
    good, quarantine = chk.split(rows)
    return Batch(good, pd.concat([rejects, quarantine], ignore_index=True))


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    for records, rejects in checked_records(path, REQUIRED, "is this unvotes' un_roll_call_issues table (CSV)?", delim=","):
        yield _chunk(path, records, rejects)


ADAPTER = Adapter(name="unvotes-issues", source=SOURCE, table="unga_roll_call_issues", version=VERSION,
                  formats="unvotes un_roll_call_issues as CSV or CSV.gz (rcid, short_name, issue)",
                  read=read, licence=LICENCE)

"""Militarised interstate disputes, dispute level: Gibler–Miller–Little MID data (``gml_mid_disputes.csv``) into
``disputes``.

The file (GML MID 2.2.1 dispute level, as the peacesciencer package distributes it) has one line per dispute:
``dispnum, styear, stmon, outcome, settle, fatality, mindur, maxdur, hiact, hostlev, recip``; numbers are written
as floats (``2.0``).  Codes keep the MID codebook's labels; ``-9`` (missing) becomes NULL.  A month outside 1–12
or a code outside the codebook is quarantined with file, line and column.  This file carries no participants: a
dispute cannot be linked to a country from it (the participant-level file, ``gml-midb``, would be needed).

Licence: free with citation.  Cite Gibler, Miller & Little (2016), An analysis of the Militarized Interstate
Dispute (MID) dataset, 1816–2001, ISQ 60(4).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.sources.base import Adapter, Batch
from signalfire.sources.tabular import check_records, open_records
from signalfire.sources.validate import Checker, require_columns

VERSION = "1.0"
SOURCE = "gml-mid"
LICENCE = ("Gibler-Miller-Little MID data 2.2.1: free with citation. Gibler, Miller & Little (2016), ISQ 60(4); "
           "distributed in the peacesciencer R package (GPL-2).")
REQUIRED = ["dispnum", "styear", "stmon", "outcome", "settle", "fatality", "mindur", "maxdur", "hiact", "hostlev",
            "recip"]
OUTCOME = {1: "victory for side A", 2: "victory for side B", 3: "yield by side A", 4: "yield by side B",
           5: "stalemate", 6: "compromise", 7: "released", 8: "unclear", 9: "joins ongoing war"}
SETTLEMENT = {1: "negotiated", 2: "imposed", 3: "none", 4: "unclear"}
FATALITY = {0: "none", 1: "1-25 deaths", 2: "26-100 deaths", 3: "101-250 deaths", 4: "251-500 deaths",
            5: "501-999 deaths", 6: "more than 999 deaths"}
ACTION = {0: "no militarized action", 1: "threat to use force", 2: "threat to blockade",
          3: "threat to occupy territory", 4: "threat to declare war", 5: "threat to use CBR weapons",
          6: "threat to join war", 7: "show of force", 8: "alert", 9: "nuclear alert", 10: "mobilization",
          11: "fortify border", 12: "border violation", 13: "blockade", 14: "occupation of territory",
          15: "seizure", 16: "attack", 17: "clash", 18: "declaration of war", 19: "use of CBR weapons",
          20: "begin interstate war", 21: "join interstate war"}
HOSTILITY = {1: "no militarized action", 2: "threat to use force", 3: "display of force", 4: "use of force",
             5: "war"}


def _coded(chk: Checker, column: str, labels: dict[int, str], required: bool = True) -> tuple[pd.Series, pd.Series]:
    values = chk.number(column, required=required, whole=True, sentinels=(-9,))
    unknown = values.notna() & ~values.isin(list(labels))
    chk._fail_values(unknown, column, "not a code of the MID codebook: ", chk.value(column))
    return values, values.map(lambda v: labels.get(int(v)) if pd.notna(v) else None)


def _canonical(chk: Checker) -> pd.DataFrame:
    outcome, outcome_label = _coded(chk, "outcome", OUTCOME)
    settle, settle_label = _coded(chk, "settle", SETTLEMENT)
    fatality, fatality_label = _coded(chk, "fatality", FATALITY)
    action, action_label = _coded(chk, "hiact", ACTION)
    hostility, hostility_label = _coded(chk, "hostlev", HOSTILITY)
    mindur = chk.number("mindur", whole=True, minimum=0, sentinels=(-9,))
    maxdur = chk.number("maxdur", whole=True, minimum=0, sentinels=(-9,))
    chk.fail(maxdur < mindur, "maxdur", "maximum duration below the minimum")
    recip = chk.number("recip", whole=True, minimum=0, maximum=1)
    return pd.DataFrame({
        "source": SOURCE, "dispute_no": chk.number("dispnum", required=True, whole=True, minimum=1),
        "start_year": chk.number("styear", required=True, whole=True, minimum=1816, maximum=2100),
        "start_month": chk.number("stmon", whole=True, minimum=1, maximum=12, sentinels=(-9,)),
        "outcome": outcome, "outcome_label": outcome_label, "settlement": settle, "settlement_label": settle_label,
        "fatality_level": fatality, "fatality_label": fatality_label,
        "min_duration_days": mindur, "max_duration_days": maxdur,
        "highest_action": action, "highest_action_label": action_label,
        "hostility_level": hostility, "hostility_label": hostility_label,
        "reciprocated": (recip == 1).astype("boolean").where(recip.notna()),
    })


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    names, chunks, delim = open_records(path)
    require_columns(path, names, REQUIRED, "is this the GML MID dispute-level file (gml_mid_disputes.csv)?")
    for records, rejects in chunks:
        good, quarantine = check_records(Checker(records, path, delim=delim), _canonical, delim)
        yield Batch(good, pd.concat([rejects, quarantine], ignore_index=True), source_version="2.2.1")


ADAPTER = Adapter(name="mid-disputes", source=SOURCE, table="disputes", version=VERSION,
                  formats="Gibler-Miller-Little MID dispute-level CSV (dispnum, styear, stmon, … hostlev, recip)",
                  read=read, licence=LICENCE)

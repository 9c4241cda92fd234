"""Nuclear Latency dataset v1.2 (Fuhrmann & Tkach): enrichment and reprocessing facilities, into
``nuclear_facilities``.

Reads the facility CSV as data4ds4da publishes it (20 columns: ``country_name``, ``ccode`` (COW, written
``615.0``), ``facility_name``, ``facility_ambiguity``, ``enr_type`` (``reprocessing``, ``centrifuge``, ``gaseous
diffusion``, ``laser``, ``EMIS``, …), ``size`` (``laboratory``, ``pilot``, ``commercial``), the years
``construction_start``, ``construction_end``, ``operation_start``, ``operation_end``, ``operation2_start``,
``operation2_end`` (``-99``: unknown, empty: none, e.g. still operating), and the flags ``covert``, ``iaea``
(safeguarded), ``regional``, ``military``, ``military_ambiguity``, ``multinational``, ``foreign_assistance``,
``foreign_assistance_ambiguity`` (``True``/``False``, empty: not coded)).  One line = one facility; its id is
``<ccode>:<facility_name>`` (unique in v1.2).  The state is resolved from its COW code as of the first known year
of the facility (construction or operation start; 1 July).

Accounting: a record is one line; a line whose code, name, a year or a flag cannot be read is quarantined with
the reason.  Licence: free academic use with citation (Fuhrmann & Tkach 2015, "Almost nuclear", CMPS 32(4)).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import describe_failure
from signalfire.sources.base import Adapter, Batch
from signalfire.sources.diplomacy.reference import resolve_cow
from signalfire.sources.validate import Checker, checked_records

VERSION = "1.0"
SOURCE = "nuclear-latency"
LICENCE = "Nuclear Latency dataset v1.2 (Fuhrmann & Tkach 2015): free academic use with citation"
YEARS = ["construction_start", "construction_end", "operation_start", "operation_end", "operation2_start",
         "operation2_end"]
FLAGS = ["facility_ambiguity", "covert", "iaea", "regional", "military", "military_ambiguity", "multinational",
         "foreign_assistance", "foreign_assistance_ambiguity"]
REQUIRED = ["ccode", "facility_name", "enr_type", "operation_start"]
BOOLS = {"true": True, "false": False, "1": True, "0": False}


def _chunk(path: Path, records: pd.DataFrame, rejects: pd.DataFrame) -> Batch:
    if records.empty:
        return Batch(pd.DataFrame(columns=["record_ref"]), rejects)
    chk = Checker(records, path)
    code = chk.number("ccode", required=True, whole=True, minimum=1)
    name = chk.require("facility_name")
    years = {c: chk.number(c, whole=True, minimum=1900, maximum=2100, sentinels=(-99,)) for c in YEARS}
    first = pd.concat([years["construction_start"], years["operation_start"], years["construction_end"]],
                      axis=1).bfill(axis=1).iloc[:, 0].fillna(2000)
    when = pd.to_datetime(first.astype("Int64").astype("string") + "-07-01", errors="coerce")
    where = resolve_cow(code, when)
    chk.fail(where["country_iso3"].isna() & code.notna(), "ccode", code.map(lambda v: describe_failure(v, "cow")))
    flags = {}
    for col in FLAGS:
        values = chk.value(col)
        flags[col] = values.str.lower().map(BOOLS).astype("boolean")
        chk._fail_values(flags[col].isna() & ~chk.missing(values), col, "not True/False: ", values)
    rows = pd.DataFrame({
        "source": SOURCE, "facility_id": code.astype("string") + ":" + name.fillna(""),
        "country_iso3": where["country_iso3"], "country_gw": where["country_gw"], "ccode": code,
        "country_name": chk.text("country_name"), "facility_name": name,
        "enr_type": chk.require("enr_type"), "size": chk.text("size"),
        **years, **flags,
    }, index=records.index)
    good, quarantine = chk.split(rows)
    return Batch(good, pd.concat([rejects, quarantine], ignore_index=True))


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    for records, rejects in checked_records(path, REQUIRED, "is this the Nuclear Latency (Fuhrmann & Tkach) facility file?", delim=","):
        yield _chunk(path, records, rejects)


ADAPTER = Adapter(name="nuclear-latency", source=SOURCE, table="nuclear_facilities", version=VERSION,
                  formats="Nuclear Latency v1.2 facility CSV (country_name, ccode, facility_name, enr_type, size, "
                          "construction/operation years, flags)",
                  read=read, licence=LICENCE)

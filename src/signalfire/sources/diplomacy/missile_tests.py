"""CNS/NTI missile test databases (North Korea, India, Iran, Pakistan), into ``missile_tests``.

Reads the CSV conversions data4ds4da publishes (``dprk_missile_tests.csv``, ``india_…``, ``iran_…``,
``pakistan_…``), one line per test or launch.  The four files share ``launch_time`` (a date, ``YYYY-MM-DD``),
``missile_name``, ``facility_name``, ``landing_location``, ``apogee_km``, ``distance_travelled_km``,
``test_confirmed``, ``test_successful`` (``True``/``False``, empty: unknown), ``additional_information`` and
``sources``; the DPRK file adds ``missile_type``, ``launch_authority``, ``facility_location``, ``other_name``,
``facility_latitude``/``facility_longitude``; Iran's ``missile_family`` (stored as ``missile_type``, the same
classes: SRBM, MRBM, …), ``facility_latitude``/``facility_longitude`` and ``in_operational_use``; India's and
Pakistan's ``launch_authority``.  A column a file does not have is stored as NULL.

The testing state is not a column: it is the file's, named by the file name's prefix (``dprk``/``north_korea``,
``india``, ``iran``, ``pakistan``); another name is a :class:`SourceError`.  The files have no test id, and several
tests repeat every published field (a salvo of two identical missiles on one day), so a test's id is
``<ISO3>-`` + the first 12 hex digits of the SHA-1 of its fields (file order, stripped, joined by ``|``) + ``-<n>``,
the n-th line of the file with those fields: stable when the file is re-read or its lines reordered.

Accounting: a record is one line (an unnamed missile, as the files have a few, is kept with NULL
``missile_name``); a line whose date, coordinates, distances or True/False flags cannot be read is
quarantined with the reason.  Licence: CNS/NTI databases, free academic use with citation.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.sources.base import Adapter, Batch, SourceError
from signalfire.sources.validate import TEXT_LIMIT, Checker, checked_records

VERSION = "1.0"
SOURCE = "cns-missile-tests"
LICENCE = ("CNS Missile Test Databases (James Martin Center for Nonproliferation Studies for NTI): free academic "
           "use with citation")
REQUIRED = ["launch_time", "missile_name", "test_confirmed", "test_successful"]
PREFIXES = {"dprk": "PRK", "north_korea": "PRK", "nk": "PRK", "india": "IND", "iran": "IRN", "pakistan": "PAK"}
FLAGS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
TEXT = ["missile_name", "launch_authority", "facility_name", "facility_location", "other_name", "landing_location",
        "additional_information", "sources"]


def country_of(path: Path) -> str:
    stem = Path(path).name.lower()
    for prefix, iso in sorted(PREFIXES.items(), key=lambda kv: -len(kv[0])):
        if stem.startswith((prefix + "_", prefix + "-")):
            return iso
    raise SourceError(f"{Path(path).name}: cannot tell the testing state from the file name; expected it to start "
                      f"with one of {', '.join(sorted(PREFIXES))} (as in dprk_missile_tests.csv)")


def _flag(chk: Checker, column: str) -> pd.Series:
    values = chk.value(column)
    out = values.str.lower().map(FLAGS)
    bad = out.isna() & ~chk.missing(values)
    chk._fail_values(bad, column, "not True/False: ", values)
    return out.astype("boolean")


def _ids(iso: str, records: pd.DataFrame, seen: Counter) -> list[str]:
    content = records.drop(columns=["record_ref"]).apply(lambda col: col.astype(str).str.strip())
    out = []
    for fields in content.itertuples(index=False, name=None):
        digest = hashlib.sha1("|".join(fields).encode("utf-8")).hexdigest()[:12]
        seen[digest] += 1
        out.append(f"{iso}-{digest}-{seen[digest]}")
    return out


def _chunk(path: Path, iso: str, records: pd.DataFrame, rejects: pd.DataFrame, seen: Counter) -> Batch:
    if records.empty:
        return Batch(pd.DataFrame(columns=["record_ref"]), rejects)
    chk = Checker(records, path)
    date = chk.date("launch_time", ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"], required=True)
    kind = chk.text("missile_type") if "missile_type" in records else chk.text("missile_family")
    rows = pd.DataFrame({
        "source": SOURCE, "test_id": _ids(iso, records, seen), "country_iso3": iso, "launch_date": date,
        "missile_type": kind,
        **{c: chk.text(c, limit=TEXT_LIMIT) for c in TEXT},
        "facility_latitude": chk.number("facility_latitude", minimum=-90, maximum=90),
        "facility_longitude": chk.number("facility_longitude", minimum=-180, maximum=180),
        "apogee_km": chk.number("apogee_km", minimum=0),
        "distance_travelled_km": chk.number("distance_travelled_km", minimum=0),
        "test_confirmed": _flag(chk, "test_confirmed"), "test_successful": _flag(chk, "test_successful"),
        "in_operational_use": _flag(chk, "in_operational_use"),
    }, index=records.index)
    good, quarantine = chk.split(rows)
    return Batch(good, pd.concat([rejects, quarantine], ignore_index=True))


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    iso = country_of(path)
    seen: Counter = Counter()
    for records, rejects in checked_records(path, REQUIRED, "is this a CNS/NTI missile test database CSV?", delim=","):
        yield _chunk(path, iso, records, rejects, seen)


ADAPTER = Adapter(name="missile-tests", source=SOURCE, table="missile_tests", version=VERSION,
                  formats="CNS/NTI missile test database CSV (dprk_/india_/iran_/pakistan_missile_tests.csv: "
                          "launch_time, missile_name, …, test_confirmed, test_successful)",
                  read=read, licence=LICENCE)

"""User-supplied missions: operations no dataset here holds (recent NATO or EU deployments, coalitions), into
``missions`` with ``user_supplied`` true.

A CSV the analyst writes (layout in ``docs/schema/missions.md``; an example in ``docs/examples/missions_user.csv``):
``mission`` (acronym, the key), ``name``, ``organisation`` (``UN``, ``AU``, ``EU``, ``NATO``, ``OSCE``, ``ECOWAS``,
``CIS``, ``coalition``, ``other``), ``host_iso3`` (one or more ISO3 codes separated by ``;``), ``mandate_start``,
``mandate_end`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; end empty while it runs), ``source_url`` (required: a
line without an http(s) source is quarantined) and ``note``.  Every line is stored with source ``missions-user``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import resolve_series
from signalfire.sources.base import Adapter, Batch
from signalfire.sources.delimited import read_records, sniff_delimiter
from signalfire.sources.missions.user import DATES, source_url
from signalfire.sources.validate import Checker, require_columns

VERSION = "1.0"
SOURCE = "missions-user"
LICENCE = "Supplied by the user; each row cites its source in source_url."
ORGANISATIONS = {o.lower(): o for o in ("UN", "AU", "EU", "NATO", "OSCE", "ECOWAS", "CIS", "coalition", "other")}
REQUIRED = ["mission", "name", "organisation", "host_iso3", "mandate_start", "source_url"]
HINT = "is this a user-supplied missions file (see docs/schema/missions.md)?"


def _hosts(chk: Checker) -> pd.Series:
    raw = chk.require("host_iso3")
    codes = raw.fillna("").str.upper().str.split(r"\s*;\s*")
    flat = codes.explode().rename("code").reset_index()       # one row per code, with its line's index
    known = resolve_series(flat["code"], "iso3")["country_iso3"]
    bad = flat[known.isna().to_numpy() & (flat["code"] != "").to_numpy()]
    unknown = bad.groupby(bad.columns[0])["code"].agg(", ".join).reindex(raw.index)
    chk.fail(unknown.notna(), "host_iso3", "unknown ISO 3166 alpha-3 code(s): " + unknown.fillna(""))
    return codes.map(lambda c: ";".join(x for x in c if x)).where(raw.notna(), None)


def _chunk(path: Path, records, rejects, delim: str) -> Batch:
    chk = Checker(records, path, delim=delim)
    mission = chk.require("mission")
    org = chk.value("organisation").str.lower().map(ORGANISATIONS)
    chk.fail(org.isna(), "organisation", "not one of " + ", ".join(ORGANISATIONS.values()) + ": "
             + chk.value("organisation").map(repr))
    start = chk.date("mandate_start", DATES, required=True)
    end = chk.date("mandate_end", DATES)
    chk.fail(end.notna() & start.notna() & (end < start), "mandate_end", "before mandate_start")
    rows = records[[]].assign(source=SOURCE, mission=mission, name=chk.require("name"), organisation=org,
                              host_iso3=_hosts(chk), mandate_start=start, mandate_end=end, user_supplied=True,
                              source_url=source_url(chk), note=chk.text("note"))
    good, quarantine = chk.split(rows)
    return Batch(good, pd.concat([rejects, quarantine], ignore_index=True))


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    delim = sniff_delimiter(path)
    for records, rejects in read_records(path, delim=delim):
        require_columns(path, list(records.columns), REQUIRED, HINT)
        yield _chunk(path, records, rejects, delim)


ADAPTER = Adapter(name="missions-user", source=SOURCE, table="missions", version=VERSION,
                  formats="user-supplied missions CSV (docs/schema/missions.md; a source_url on every line)",
                  read=read, licence=LICENCE)

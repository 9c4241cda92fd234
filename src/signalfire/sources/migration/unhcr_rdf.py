"""UNHCR Refugee Data Finder download (population figures), into ``dyad_year`` as source ``unhcr-population``.

The Refugee Data Finder's "Download" gives a zip holding ``population.csv`` (and a notes file) or the CSV itself.
The CSV opens with a block of metadata lines (title, extraction date, citation, licence, notes — about 14
lines), then the header row::

    Year,Country of origin,Country of origin (ISO),Country of asylum,Country of asylum (ISO),
    Refugees under UNHCR's mandate,Asylum-seekers,Returned refugees,IDPs of concern to UNHCR,Returned IDPss,
    Stateless persons,Others of concern,Other people in need of international protection,Host Community

Header cells may carry trailing spaces and a typographic apostrophe; the header is found as the first line
that names ``Country of origin (ISO)``.  ``-`` is UNHCR's sign for no figure: it is not a value (nothing is
stored for it, it is not an error).  The figures are the same as the tidy population table's, under the same
measure names and source, so loading both keeps one copy (the later load updates the rows).  Only files with
both countries (origin and asylum) shown are this layout: a download without one of them is refused by name.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.sources.base import Adapter, Batch, SourceError
from signalfire.sources.delimited import _open_bytes, read_records
from signalfire.sources.migration.common import long_values, merge_batches
from signalfire.sources.migration.unhcr import LICENCE, dyad_keys
from signalfire.sources.validate import Checker

VERSION = "1.0"
SOURCE = "unhcr-population"
ORIGIN, ASYLUM = "Country of origin (ISO)", "Country of asylum (ISO)"
MEASURES = {
    "Refugees under UNHCR's mandate": "refugees",
    "Asylum-seekers": "asylum_seekers",
    "Returned refugees": "returned_refugees",
    "IDPs of concern to UNHCR": "idps",
    "Returned IDPss": "returned_idps",
    "Returned IDPs": "returned_idps",
    "Stateless persons": "stateless",
    "Others of concern": "ooc",
    "Other people in need of international protection": "oip",
    "Host Community": "hst",
    "Host community": "hst",
}
HEADER_SEARCH_LINES = 100


def _clean(name: str) -> str:
    return name.replace("\u2019", "'").replace("\ufeff", "").strip()


def _text(path: Path) -> str:
    """The data CSV's text: the file itself (plain or gzipped) or the one CSV in the download's zip that is not
    the notes file."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                members = [m for m in zf.namelist() if m.lower().endswith(".csv") and "note" not in m.lower()]
                if len(members) != 1:
                    raise SourceError(f"{path.name}: expected one data CSV in the zip archive, found "
                                      f"{len(members)} ({', '.join(members[:5])})")
                data = zf.read(members[0])
        else:
            with _open_bytes(path) as fh:
                data = fh.read()
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise SourceError(f"{path.name}: cannot read the file ({exc})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _header_line(path: Path, lines: list[str]) -> int:
    """0-based index of the header row."""
    for i, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        if ORIGIN.lower() in line.lower() or ASYLUM.lower() in line.lower():
            return i
    raise SourceError(f"{path.name}: no header row naming '{ORIGIN}' in the first {HEADER_SEARCH_LINES} lines; "
                      "is this a UNHCR Refugee Data Finder download?")


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    text = _text(path)
    lines = text.splitlines(keepends=True)
    start = _header_line(path, lines)
    names = [_clean(n) for n in next(csv.reader(io.StringIO(lines[start])))]
    missing = [c for c in ("Year", ORIGIN, ASYLUM) if c not in names]
    if missing:
        raise SourceError(f"{path.name}, line {start + 1}: missing column(s) {', '.join(missing)}; download the "
                          "figures with both the country of origin and the country of asylum displayed")
    if not any(n in MEASURES for n in names):
        raise SourceError(f"{path.name}, line {start + 1}: no population columns (e.g. Refugees under UNHCR's "
                          "mandate); is this the Refugee Data Finder's population download?")
    with tempfile.TemporaryDirectory(prefix="signalfire-rdf-") as tmp:
        body = Path(tmp) / path.with_suffix(".csv").name
        body.write_text("".join(lines[start:]), encoding="utf-8")
        for records, rejects in read_records(body, delim=",", names=names):
            records["record_ref"] = _shift(records["record_ref"], start)
            if len(rejects):
                rejects = rejects.assign(record_ref=_shift(rejects["record_ref"], start),
                                         reason=rejects["reason"].astype(str).map(lambda r: _shift_reason(r, start)))
            if records.empty:
                yield merge_batches(Batch(pd.DataFrame(columns=["record_ref"])), rejects)
                continue
            chk = Checker(records, path)
            keys = dyad_keys(chk, SOURCE, "Year", ORIGIN, ASYLUM)
            measures = {c: MEASURES[c] for c in names if c in MEASURES}
            yield merge_batches(long_values(path, chk, keys, measures), rejects)


def _shift(refs: pd.Series, offset: int) -> pd.Series:
    numbers = refs.astype(str).str.extract(r"(\d+)$")[0].astype("Int64") + offset
    return "line " + numbers.astype(str)


def _shift_reason(reason: str, offset: int) -> str:
    return re.sub(r"line (\d+)", lambda m: f"line {int(m.group(1)) + offset}", reason, count=1)


ADAPTER = Adapter(name="unhcr-refugee-data-finder", source=SOURCE, table="dyad_year", version=VERSION,
                  formats="UNHCR Refugee Data Finder population download (CSV with metadata lines, or its zip)",
                  read=read, licence=LICENCE)

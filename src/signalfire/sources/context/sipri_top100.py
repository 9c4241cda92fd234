"""SIPRI Top 100 arms-producing and military services companies, 2002–2023 (``SIPRI-Top-100-2002-2023.xlsx``),
into ``arms_company_year``.

Read as SIPRI publishes it: one worksheet per year (titles such as ``2023`` or ``2010 `` with a space), each with
three title/note rows, a header row starting ``Rank (YYYY)``, the 100 company rows, then a ``Note: …`` row and
footnotes (``a``, ``b``, …).  The header differs between years (2023 adds ``Notes (2023)``; 2002 has no previous
year and puts the constant-price column before the total revenues), so columns are read by their header text:
``Rank (Y)``, ``Rank (Y-1)`` (``-``: not in the previous Top 100), ``Company``, ``Notes``, ``Country``,
``Arms revenues (Y)``, ``Arms revenues (Y-1)``, ``Total revenues (Y)``, ``Arms revenues as a % of total revenues
(Y)`` (a fraction: 0.9 is 90 %; stored as published, slightly above 1 where the rounded arms revenue exceeds the
total), ``Arms revenues Y (constant 2023 prices)``.  Money is US$ m. as published
(current prices, rounded to 10 m.); ``. .`` is no figure (NULL).

One row per company and year (source ``sipri-top100``); ``country`` as published, ``country_iso3`` resolved
(``Trans-European``, SIPRI's term for companies controlled from several European countries, stays NULL).
Accounting: a record is one company row (a row with a company or a rank between the header and the notes); a row
whose rank is not a whole number, whose company or country is missing or unknown, or whose money is not a number (or
negative) is quarantined with the reason.  The run's source version is the constant-price base (``constant 2023 US$``).

Licence: SIPRI Arms Industry Database, free for non-commercial use with citation (no open licence); not
redistributed: the project's tests write a workbook in this layout.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import resolve
from signalfire.sources.base import Adapter, Batch, SourceError, quarantine_frame
from signalfire.sources.tabular import _open, is_xlsx
from signalfire.sources.validate import short_repr

VERSION = "1.0"
SOURCE = "sipri-top100"
LICENCE = ("SIPRI Arms Industry Database (Top 100): free for non-commercial use with citation (no open licence); "
           "© SIPRI. Source: https://www.sipri.org/databases/armsindustry")
NO_FIGURE = {". .", "..", "...", ""}
DASH = {"-", "–", "—"}
MULTINATIONAL = {"trans-european"}
FOOTNOTE = re.compile(r"^(note\b|[a-z](\s+[a-z])*$)", re.IGNORECASE)
COLUMNS = ["source", "year", "company", "rank", "rank_previous", "country", "country_iso3", "arms_revenue_usd_m",
           "arms_revenue_previous_usd_m", "total_revenue_usd_m", "arms_share", "arms_revenue_constant_usd_m",
           "notes", "record_ref"]


def _norm(text) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().lower()


def _columns(values: list, year: int) -> dict[str, int]:
    """Canonical field -> column index, from the header row's text."""
    out: dict[str, int] = {}
    for i, v in enumerate(values):
        h = _norm(v)
        if not h:
            continue
        if h.startswith(f"rank ({year})"):
            out["rank"] = i
        elif h.startswith(f"rank ({year - 1})"):
            out["rank_previous"] = i
        elif h.startswith("company"):
            out["company"] = i
        elif h.startswith("notes"):
            out["notes"] = i
        elif h.startswith("country"):
            out["country"] = i
        elif h.startswith("arms revenues as a % of total"):
            out["arms_share"] = i
        elif h.startswith(f"arms revenues {year} (constant"):
            out["arms_revenue_constant_usd_m"] = i
        elif h.startswith(f"arms revenues ({year})"):
            out["arms_revenue_usd_m"] = i
        elif h.startswith(f"arms revenues ({year - 1})"):
            out["arms_revenue_previous_usd_m"] = i
        elif h.startswith(f"total revenues ({year})"):
            out["total_revenue_usd_m"] = i
    return out


def _money(value, dash_ok: bool = False):
    """(number or None, error text or None)."""
    if value is None or (isinstance(value, str) and value.strip() in NO_FIGURE):
        return None, None
    if dash_ok and isinstance(value, str) and value.strip() in DASH:
        return None, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), None
    return None, f"not a number: {short_repr(value)}"


def _sheet(path: Path, ws, base: set) -> Batch | None:
    rows, quarantine, read = [], [], 0
    year = columns = None
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        values = list(values)
        first = values[0] if values else None
        if columns is None:
            match = re.match(r"^\s*rank\s*\((\d{4})\)", str(first or ""), re.IGNORECASE)
            if match:
                year = int(match.group(1))
                columns = _columns(values, year)
                missing = [c for c in ("rank", "company", "country", "arms_revenue_usd_m") if c not in columns]
                if missing:
                    raise SourceError(f"{path.name}, sheet {ws.title!r}, row {number}: no column for "
                                      f"{', '.join(missing)} in the header")
                for v in values:
                    found = re.search(r"constant (\d{4}) prices", str(v or ""))
                    if found:
                        base.add(found.group(1))
            continue
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        cell = {k: values[i] if i < len(values) else None for k, i in columns.items()}
        if isinstance(first, str) and FOOTNOTE.match(first.strip()) and cell["country"] is None \
                and cell["arms_revenue_usd_m"] is None:
            break   # the notes under the table (a 'Note: …' row, then footnotes a, b, …)
        read += 1
        ref = f"{ws.title.strip()}!row {number}"
        problems = []
        rank = cell["rank"]
        if not (isinstance(rank, (int, float)) and not isinstance(rank, bool) and float(rank).is_integer()
                and rank >= 1):
            problems.append(f"column rank: not a whole number: {short_repr(rank)}")
        previous = cell.get("rank_previous")
        if previous is not None and not (isinstance(previous, str) and previous.strip() in DASH) and not (
                isinstance(previous, (int, float)) and float(previous).is_integer()):
            problems.append(f"column rank_previous: not a rank or a dash: {short_repr(previous)}")
        company = str(cell["company"]).strip() if cell["company"] is not None else ""
        if not company:
            problems.append("column company: missing value")
        country = str(cell["country"]).strip() if cell["country"] is not None else ""
        state = None
        if not country:
            problems.append("column country: missing value")
        elif _norm(country) not in MULTINATIONAL:
            state = resolve(country)
            if state is None:
                problems.append(f"column country: unknown country name {short_repr(country)}")
        money = {}
        for key in ("arms_revenue_usd_m", "arms_revenue_previous_usd_m", "total_revenue_usd_m", "arms_share",
                    "arms_revenue_constant_usd_m"):
            money[key], error = _money(cell.get(key), dash_ok=key == "arms_revenue_previous_usd_m")
            if error:
                problems.append(f"column {key}: {error}")
        for key, value in money.items():
            if value is not None and value < 0:
                problems.append(f"column {key}: negative: {value!r}")
        if problems:
            quarantine.append({"record_ref": ref, "column_name": problems[0].split(":")[0].removeprefix("column "),
                               "raw": ",".join("" if v is None else str(v) for v in values),
                               "reason": f"{path.name}, sheet {ws.title.strip()!r}, row {number}: "
                                         + "; ".join(problems)})
            continue
        rows.append({"source": SOURCE, "year": year, "company": company, "rank": int(rank),
                     "rank_previous": int(previous) if isinstance(previous, (int, float)) else None,
                     "country": country, "country_iso3": state.iso3 if state else None, **money,
                     "notes": None if cell.get("notes") is None else str(cell["notes"]).strip() or None,
                     "record_ref": ref})
    if columns is None:
        return None
    return Batch(pd.DataFrame(rows, columns=COLUMNS), quarantine_frame(quarantine), read=read)


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    if not is_xlsx(path):
        raise SourceError(f"{path.name}: not an Excel workbook; expected SIPRI's Top 100 .xlsx")
    book = _open(path)
    try:
        base: set = set()
        batches = [b for ws in book.worksheets if (b := _sheet(path, ws, base)) is not None]
    finally:
        book.close()
    if not batches:
        raise SourceError(f"{path.name}: no sheet with a header row starting 'Rank (YYYY)'; is this SIPRI's Top 100 "
                          "workbook?")
    version = f"constant {'/'.join(sorted(base))} US$" if base else None
    for batch in batches:
        batch.source_version = version
        yield batch


ADAPTER = Adapter(name="sipri-top100", source=SOURCE, table="arms_company_year", version=VERSION,
                  formats="SIPRI Top 100 arms-producing companies workbook (.xlsx, one sheet per year 2002-2023)",
                  read=read, licence=LICENCE)

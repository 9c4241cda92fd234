"""Council on Foreign Relations Cyber Operations Tracker, into ``cyber_incidents``.

Reads the tracker as an ``.xlsx`` workbook (first sheet) or CSV with CFR's columns ``Title``, ``Date``,
``Affiliations``, ``Description``, ``Response``, ``Victims``, ``Sponsor``, ``Type``, ``Category``,
``Sources_1``… (the re-published coded file adds ``sponsor_cow`` and ``sponsor_flag``: used when present).
One record per row; the identity is the date and title (``2012-05-28 Flame``): CFR publishes no id.

* sponsor states: the ``Sponsor`` names (comma-separated); when empty, the coded ``sponsor_cow`` (the coder's
  inference: ``sponsor_flag`` INFERRED_HIGH gives medium attribution confidence, the other flags low);
* victim states: the states the ``Victims`` text names (exact country names, aliases, demonyms: see
  :mod:`.incidents`), or the title's when ``Victims`` is empty; sectors: ``Category`` split on commas;
* type: ``Type`` normalised (see :data:`.incidents.TYPES`); an empty type is stored as NULL;
* attribution: ``Affiliations``; confidence ``high`` when a government responded (confirmation, denouncement,
  criminal charges, sanctions), ``low`` for hedged text (possibly, may, suspected, unclear), ``medium`` otherwise,
  ``unknown`` with neither a sponsor nor an affiliation;
* response: the part of ``Response`` before its link (``Denouncement``), the whole cell kept in ``response_raw``.

Rows whose cells were shifted (seen in the re-published file: the type in ``Sponsor`` or ``Victims``) are read
back into place when the shift is unambiguous; a row whose type sits anywhere else is quarantined with the reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import resolve
from signalfire.sources.base import Adapter, Batch, SourceError, quarantine_frame
from signalfire.sources.cyber.incidents import norm_tags, states_named, urls_in
from signalfire.sources.tabular import open_records

VERSION = "1.0"
SOURCE = "cfr-cyber"
LICENCE = ("Council on Foreign Relations, Cyber Operations Tracker (cfr.org/cyber-operations). © CFR: not "
           "redistributable; load your own copy.")
REQUIRED = ["Title", "Date", "Victims", "Sponsor", "Type"]
TYPE_MAP = {"espionage": "espionage", "sabotage": "sabotage", "denial of service": "ddos", "ddos": "ddos",
            "defacement": "defacement", "data destruction": "data_destruction",
            "financial theft": "financial_theft", "doxing": "doxing"}
RESPONDED = {"confirmation", "denouncement", "criminal charges", "sanctions", "hack back"}
HEDGED = re.compile(r"\b(possibly|may|might|suspected|unclear|unconfirmed|potentially)\b", re.IGNORECASE)
FLAG_CONFIDENCE = {"INFERRED_HIGH": "medium"}


def _date(text: str):
    """A cell's date (ISO as the workbook reader writes it, else any form pandas reads), or None."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        value = pd.to_datetime(text, errors="coerce")
        return None if pd.isna(value) else value.date()


def _kind(text: str) -> str | None:
    return TYPE_MAP.get(text.strip().lower()) if text else None


def _sponsors(text: str) -> list[str]:
    out = []
    for part in (text or "").split(","):
        country = resolve(part.strip().strip('"')) if part.strip() else None
        if country and country.iso3 not in out:
            out.append(country.iso3)
    return out


def _realign(cell: dict) -> tuple[dict, str]:
    """The row's fields back in place (see the module docstring), or a reason it cannot be."""
    c = dict(cell)
    if not c["Type"] and _kind(c["Category"]):
        return c, (f"column Category: holds an operation type ({c['Category'][:40]!r}) and Type is empty "
                   "(the row's cells look shifted; sponsor and victims cannot be told apart)")
    if not c["Type"] or _kind(c["Type"]):
        return c, ""
    if _kind(c["Sponsor"]):         # one cell missing before Sponsor: Sponsor holds the type
        fixed = {**c, "Type": c["Sponsor"], "Category": c["Type"]}
        said = re.split(r"\s{2,}|https?://", c["Response"])[0].strip().lower()
        if c["Response"] and _sponsors(c["Victims"]) and not _sponsors(c["Response"]) \
                and said not in RESPONDED | {"unknown", "denial"}:
            fixed.update(Sponsor=c["Victims"], Victims=c["Response"], Response="")   # two cells missing
        else:
            fixed.update(Sponsor="")
            if _sponsors(c["Victims"]) and not states_named(c["Response"]):
                fixed.update(Sponsor=c["Victims"], Victims="")    # Victims missing: it holds the sponsor
        return fixed, ""
    if _kind(c["Victims"]):         # Victims holds the type: Response holds the sponsor
        return {**c, "Sponsor": c["Response"], "Type": c["Victims"], "Category": c["Sponsor"], "Victims": "",
                "Response": ""}, ""
    return c, f"column Type: not a CFR operation type: {c['Type'][:80]!r} (the row's cells look shifted)"


def _confidence(sponsors: list[str], attribution: str, response: str, flag: str, inferred: bool) -> str:
    if not sponsors and not attribution:
        return "unknown"
    if inferred:
        return FLAG_CONFIDENCE.get(flag, "low")
    if response.lower() in RESPONDED:
        return "high"
    return "low" if HEDGED.search(attribution) else "medium"


def _row(c: dict, ref: str) -> dict:
    date = _date(c["Date"])
    sponsors = _sponsors(c["Sponsor"])
    inferred = False
    if not sponsors and c.get("sponsor_cow", "").strip():
        cow = resolve(c["sponsor_cow"].strip(), "cow", when=date)
        if cow:
            sponsors, inferred = [cow.iso3], True
    victims = states_named(c["Victims"]) or states_named(c["Title"])
    sectors = [s.strip().lower() for s in (c["Category"] or "").split(",") if s.strip()
               and not s.strip().startswith("http")]
    kind = _kind(c["Type"])
    response = re.split(r"\s{2,}|https?://", c["Response"] or "")[0].strip()
    attribution = c.get("Affiliations", "") or ""
    text = " ".join([c["Title"], c["Victims"], c.get("Description", "")])
    return {
        "source": SOURCE, "source_id": f"{date or 'undated'} {c['Title']}".strip(),
        "name": c["Title"] or None, "description": c.get("Description") or None,
        "date_start": date, "date_end": None, "date_precision": "unknown" if date is None else "day",
        "sponsor_iso3": sponsors, "sponsor_raw": c["Sponsor"] or None, "victim_iso3": victims,
        "victims_raw": c["Victims"] or None, "sectors": sectors, "sectors_raw": c["Category"] or None,
        "type": kind, "type_raw": c["Type"] or None, "threat_actor": attribution or None,
        "attribution": (attribution + (" (sponsor inferred by the file's coder: " + c.get("sponsor_flag", "")
                                       + ")" if inferred else "")) or None,
        "attribution_confidence": _confidence(sponsors, attribution, response, c.get("sponsor_flag", ""),
                                              inferred),
        "response": response or None, "response_raw": c["Response"] or None, "severity": None,
        "norms": norm_tags(kind, sectors, text), "urls": urls_in(*(c.get(k, "") for k in sorted(c)
                                                                    if k.startswith("Sources") or k == "Response")),
        "record_ref": ref,
    }


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    names, chunks, delim = open_records(path)
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise SourceError(f"{path.name}, line 1: missing required column(s) {', '.join(missing)}; is this a CFR "
                          "Cyber Operations Tracker export (Title, Date, Victims, Sponsor, Type, …)?")
    for records, rejects in chunks:
        rows, bad = [], []
        for record in records.to_dict("records"):
            ref = str(record.pop("record_ref"))
            cell = {k: (v or "").strip() for k, v in record.items()}
            for col in ("Response", "Category", "Affiliations", "Description"):
                cell.setdefault(col, "")
            raw = delim.join(str(v) for v in record.values())
            cell, reason = _realign(cell)
            if not reason and not cell["Title"]:
                reason = "column Title: missing value"
            if not reason and cell["Date"] and _date(cell["Date"]) is None:
                reason = f"column Date: not a date: {cell['Date'][:80]!r}"
            if reason:
                bad.append({"record_ref": ref, "column_name": reason.split(":")[0].removeprefix("column "),
                            "raw": raw, "reason": f"{path.name}, {ref}, {reason}"})
                continue
            rows.append(_row(cell, ref))
        quarantine = pd.concat([rejects, quarantine_frame(bad)], ignore_index=True) if len(rejects) \
            else quarantine_frame(bad)
        yield Batch(pd.DataFrame(rows, columns=None if rows else ["record_ref"]), quarantine)


ADAPTER = Adapter(name="cfr-cyber", source=SOURCE, table="cyber_incidents", version=VERSION,
                  formats="CFR Cyber Operations Tracker, .xlsx or CSV as downloaded (Title, Date, Sponsor, …)",
                  read=read, licence=LICENCE)

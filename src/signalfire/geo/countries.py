"""Country resolution: names, ISO 3166 alpha-2/alpha-3/numeric, Gleditsch–Ward, COW and FIPS 10-4 codes.

Every adapter resolves the producer's country field to the canonical pair (ISO3, GW).  Resolution is exact:
codes are looked up in the shipped reference table (``data/countries.csv``, built by
``scripts/build_countries.py``) and names, after normalisation (accents, case, punctuation), in
``data/aliases.csv``.  Nothing is matched fuzzily: a value that does not resolve returns ``None`` and the adapter
quarantines the record with the reason from :func:`describe_failure`.

Codes whose holder changed over time (GW 345: Yugoslavia → Serbia and Montenegro → Serbia; GW 365: Soviet
Union → Russia) resolve by date when one is given, to the holder at that date; without a date to the current one.

The functions work on whole columns (``resolve_*_series``) so adapters resolve each distinct value once.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

SCHEMES = ("iso3", "iso2", "isonum", "gw", "cow", "fips", "name")


@dataclass(frozen=True)
class Country:
    iso3: str
    gw: int | None
    name: str


def norm(name: str) -> str:
    """Normalise a name for exact lookup: no accents, lower case, ``&`` as ``and``, no punctuation."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    text = text.lower().replace("&", " and ")
    keep = "".join(ch if ch.isalnum() else " " for ch in text)
    return " ".join(keep.split())


@lru_cache(maxsize=1)
def reference() -> pd.DataFrame:
    """The shipped code table: one row per code assignment and validity period."""
    with resources.files("signalfire.geo").joinpath("data/countries.csv").open("rb") as fh:
        table = pd.read_csv(fh, keep_default_na=False, na_values=[""],
                            dtype={"iso2": "string", "fips": "string"})
    for col in ("isonum", "gw", "cow", "gw_canonical"):
        table[col] = table[col].astype("Int64")
    table["valid_from"] = pd.to_datetime(table["valid_from"])
    table["valid_to"] = pd.to_datetime(table["valid_to"].str.replace("9999-12-31", "2262-04-01"))
    return table


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    with resources.files("signalfire.geo").joinpath("data/aliases.csv").open("rb") as fh:
        table = pd.read_csv(fh, keep_default_na=False)
    return dict(zip(table["alias"], table["iso3"]))


@lru_cache(maxsize=1)
def _by_iso3() -> dict[str, Country]:
    ref = reference().sort_values("valid_to")
    out = {}
    for row in ref.itertuples():
        gw = row.gw_canonical
        out[row.iso3] = Country(row.iso3, None if pd.isna(gw) else int(gw), row.name)
    return out


def country(iso3: str) -> Country | None:
    """The canonical record for an ISO3 code (including ISO 3166-3 historical codes)."""
    return _by_iso3().get(iso3)


def all_countries() -> list[Country]:
    return sorted(_by_iso3().values(), key=lambda c: c.iso3)


@cache
def _index(scheme: str) -> dict:
    """Code → list of (valid_from, valid_to, Country) rows, oldest first, for one code scheme."""
    ref = reference().sort_values("valid_to")
    out: dict = {}
    for row in ref.to_dict("records"):
        code = row[scheme]
        if code is None or pd.isna(code):
            continue
        key = str(code).upper() if scheme in ("iso3", "iso2", "fips") else int(code)
        gw = row["gw_canonical"]
        entry = (row["valid_from"], row["valid_to"], Country(row["iso3"], None if pd.isna(gw) else int(gw),
                                                            row["name"]))
        out.setdefault(key, []).append(entry)
    return out


def _lookup(scheme: str, value, when: pd.Timestamp | None) -> Country | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if scheme == "name":
        iso3 = _aliases().get(norm(value))
        if iso3 is None and len(str(value).strip()) == 3:
            iso3 = str(value).strip().upper() if str(value).strip().upper() in _by_iso3() else None
        return country(iso3) if iso3 else None
    if scheme in ("iso3", "iso2", "fips"):
        key = str(value).strip().upper()
    else:
        try:
            key = int(float(value))
        except (TypeError, ValueError, OverflowError):
            return None
    hits = _index(scheme).get(key)
    if not hits:
        return None
    if when is not None and not pd.isna(when):
        dated = [c for start, end, c in hits if start <= when <= end]
        if dated:
            return dated[-1]
    return hits[-1][2]


def resolve(value, scheme: str = "name", when=None) -> Country | None:
    """Resolve one value in a code scheme (``iso3``, ``iso2``, ``isonum``, ``gw``, ``cow``, ``fips``, ``name``)."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown country code scheme {scheme!r}; expected one of {', '.join(SCHEMES)}")
    return _lookup(scheme, value, None if when is None else pd.Timestamp(when))


def resolve_series(values: pd.Series, scheme: str = "name", when: pd.Series | None = None) -> pd.DataFrame:
    """Resolve a column; returns a frame (same index) with ``country_iso3``, ``country_gw``, ``country_name``.

    Unresolved values give nulls.  With ``when`` (dates), time-split codes resolve to the holder at that date;
    each distinct (value, year) pair is looked up once.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown country code scheme {scheme!r}")
    frame = pd.DataFrame({"v": values.astype("object")})
    if when is not None:
        dates = pd.to_datetime(when, errors="coerce")
        frame["w"] = dates.dt.to_period("M").dt.to_timestamp() if hasattr(dates, "dt") else dates
    else:
        frame["w"] = pd.NaT
    keys = frame.drop_duplicates()
    results = []
    for v, w in zip(keys["v"], keys["w"]):
        c = _lookup(scheme, v, None if pd.isna(w) else w)
        results.append((c.iso3, c.gw, c.name) if c else (None, None, None))
    keys = keys.assign(country_iso3=[r[0] for r in results], country_gw=[r[1] for r in results],
                       country_name=[r[2] for r in results])
    merged = frame.reset_index().merge(keys, on=["v", "w"], how="left").set_index("index")
    merged.index.name = values.index.name
    out = merged[["country_iso3", "country_gw", "country_name"]]
    out = out.astype({"country_iso3": "string", "country_gw": "Int64", "country_name": "string"})
    return out.loc[values.index]


def describe_failure(value, scheme: str) -> str:
    """The quarantine reason for a value that did not resolve."""
    label = {"iso3": "ISO 3166 alpha-3", "iso2": "ISO 3166 alpha-2", "isonum": "ISO 3166 numeric",
             "gw": "Gleditsch–Ward", "cow": "COW", "fips": "FIPS 10-4", "name": "country name"}[scheme]
    if value is None or (not isinstance(value, str) and pd.isna(value)) or str(value).strip() == "":
        return f"missing {label} code" if scheme != "name" else "missing country name"
    return f"unknown {label}{'' if scheme == 'name' else ' code'} {str(value)!r}"


@lru_cache(maxsize=4)
def local_names(lang: str) -> dict[str, str]:
    """ISO3 → the country's name in ``lang`` (Unicode CLDR, built by ``scripts/build_country_names.py``); empty
    for a language without a table (English names are :func:`country`'s)."""
    path = Path(__file__).resolve().parent / "data" / f"names_{lang}.csv"
    if not path.exists():
        return {}
    frame = pd.read_csv(path, keep_default_na=False)
    return dict(zip(frame["iso3"], frame["name"]))

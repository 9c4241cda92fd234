"""Read queries over the store shared by the CLI, the Python API and the web API.

:class:`EventFilter` turns the filters users give (country, category, source, dates, bounding box) into one
parameterised SQL ``WHERE`` clause, so every front end filters exactly alike.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

from signalfire.errors import QueryError
from signalfire.store.schema import CATEGORIES, EVENT_COLUMNS

SHOWN = 80   # characters of a bad value echoed in a message (a 100 KB value gives a short error, not 100 KB)


def short_repr(value) -> str:
    """``repr`` of a value for an error message, cut to :data:`SHOWN` characters with an ellipsis."""
    text = str(value)
    return repr(text) if len(text) <= SHOWN else repr(text[:SHOWN]) + f"… ({len(text):,} characters)"


def cut(value) -> str:
    """A value for a message as it is (a path, an id), cut to :data:`SHOWN` characters with an ellipsis."""
    text = str(value)
    return text if len(text) <= SHOWN else text[:SHOWN] + f"… ({len(text):,} characters)"


YEARS = (1800, 2200)   # dates outside are typos (0001, 20233): refused, not run into date arithmetic


def parse_date(value: str | dt.date | None, name: str, end: bool = False) -> dt.date | None:
    """A date from YYYY-MM-DD, YYYY-MM or YYYY: the period's first day, or with ``end`` its last (``--until 2023``
    is the whole of 2023)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        date = value
    else:
        text, date = str(value).strip(), None
        for fmt, length in (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4)):
            if len(text) == length and text.isascii():
                try:
                    date = dt.datetime.strptime(text, fmt).date()
                except ValueError:
                    pass
                else:
                    if end and length == 4:
                        date = date.replace(month=12, day=31)
                    elif end and length == 7:
                        date = date.replace(day=calendar.monthrange(date.year, date.month)[1])
                break
        if date is None:
            raise QueryError(f"--{name}: {short_repr(value)} is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)")
    if not YEARS[0] <= date.year <= YEARS[1]:
        raise QueryError(f"--{name}: {short_repr(value)} is out of range (years {YEARS[0]}–{YEARS[1]})")
    return date


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    if not value:
        return None
    parts = str(value).split(",")
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise QueryError(f"--bbox: {short_repr(value)} is not W,S,E,N (four numbers separated by commas)") from None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise QueryError(f"--bbox: {short_repr(value)} is outside -180..180 / -90..90 or has south > north")
    return west, south, east, north


@lru_cache(maxsize=1)
def _known_countries() -> frozenset[str]:
    from signalfire.geo.countries import all_countries
    return frozenset(c.iso3 for c in all_countries())


@lru_cache(maxsize=1)
def _known_sources() -> frozenset[str]:
    from signalfire.sources import all_adapters
    return frozenset(a.source for a in all_adapters() if a.table == "events")


def _country_code(value: str) -> str:
    """An ISO3 code as given (any case), or the code of a country name or ISO2 code (``Ukraine``, ``UA`` → UKR);
    anything else is returned as given, for the check in :meth:`EventFilter.parse` to name."""
    if value.upper() in _known_countries():
        return value.upper()
    from signalfire.geo.countries import resolve
    found = resolve(value, "iso2" if len(value) == 2 else "name")
    return found.iso3 if found else value


@dataclass
class EventFilter:
    countries: list[str] = field(default_factory=list)   # ISO3
    categories: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    since: dt.date | None = None
    until: dt.date | None = None
    bbox: tuple[float, float, float, float] | None = None

    @classmethod
    def parse(cls, country=None, category=None, source=None, since=None, until=None, bbox=None) -> EventFilter:
        def as_list(value, option: str):
            if value is None or (isinstance(value, str) and not value.strip()):
                return []           # not given
            items = value if isinstance(value, (list, tuple)) else str(value).split(",")
            out = [str(v).strip() for v in items if str(v).strip()]
            if not out:             # "," had meant no filter at all: every event, as if nothing were asked
                raise QueryError(f"--{option}: {short_repr(value)} names no {option}")
            return out
        flt = cls(countries=[_country_code(c) for c in as_list(country, "country")],
                  categories=[c.lower() for c in as_list(category, "category")],
                  sources=[s.lower() for s in as_list(source, "source")],
                  since=parse_date(since, "since"), until=parse_date(until, "until", end=True),
                  bbox=parse_bbox(bbox))
        if flt.since and flt.until and flt.since > flt.until:
            raise QueryError(f"--since {flt.since} is after --until {flt.until}")
        # a typo must not pass for "no events": every value is checked against what can be stored
        for option, values, known, hint in (
                ("country", flt.countries, _known_countries(), "ISO 3166 alpha-3 codes (UKR, POL, SYR) or names"),
                ("category", flt.categories, set(CATEGORIES), ", ".join(CATEGORIES)),
                ("source", flt.sources, _known_sources(), ", ".join(sorted(_known_sources())))):
            unknown = [v for v in values if v not in known]
            if unknown:
                more = f" and {len(unknown) - 5:,} more" if len(unknown) > 5 else ""
                raise QueryError(f"--{option}: unknown {', '.join(map(short_repr, unknown[:5]))}{more}; use {hint}")
        return flt

    def where(self, alias: str = "") -> tuple[str, list]:
        p = f"{alias}." if alias else ""
        clauses, params = [], []
        for column, values in (("country_iso3", self.countries), ("category", self.categories),
                               ("source", self.sources)):
            if values:
                clauses.append(f"{p}{column} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
        if self.since:
            clauses.append(f"{p}date_start >= ?")
            params.append(self.since)
        if self.until:
            clauses.append(f"{p}date_start <= ?")
            params.append(self.until)
        if self.bbox:
            west, south, east, north = self.bbox
            clauses.append(f"{p}latitude BETWEEN ? AND ?")
            params.extend([south, north])
            if west <= east:
                clauses.append(f"{p}longitude BETWEEN ? AND ?")
                params.extend([west, east])
            else:  # crosses the antimeridian
                clauses.append(f"({p}longitude >= ? OR {p}longitude <= ?)")
                params.extend([west, east])
        return (" AND ".join(clauses) or "TRUE"), params


EVENT_OUTPUT = list(EVENT_COLUMNS) + ["run_id", "record_ref"]
EVENT_ORDER = "date_start DESC, source, source_id"  # newest first, then a stable order for paging


def events_query(flt: EventFilter, limit: int | None = None, offset: int = 0,
                 columns: list[str] | None = None) -> tuple[str, list]:
    where, params = flt.where()
    cols = ", ".join(columns or EVENT_OUTPUT)
    sql = f"SELECT {cols} FROM events WHERE {where} ORDER BY {EVENT_ORDER}"
    if limit is not None:
        sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
    return sql, params

"""Features of the onset model (:mod:`.onset`), each computed only from what was known at its origin month.

``Y`` is the (countries × months) deaths panel from January 1990 (:data:`.inputs.FIRST_MONTH`) to the cut-off, as
:func:`.inputs.history` returns it; :func:`cube` gives every feature at every column ``t`` of it from columns ``≤ t``
and from annual or dated inputs known by then:

* the country's own state-based deaths (UCDP, through the store's VIEWS / GED country-month values): log deaths
  over the last 12 months (mean, maximum), the share of months with a death, months since the last month with
  ≥1, ≥25 and ≥100 deaths, the number of months with ≥25 in the last 60, the largest month since 1990;
* its neighbours' (land borders, :func:`.features.adjacency`): log deaths summed over the neighbours (12-month mean
  and maximum) and how many neighbours had a month with ≥25 in the last 12; world deaths (12-month mean);
* non-state and one-sided violence deaths of the country and its neighbours (UCDP Country-Year, :mod:`.annual`):
  the value of the year before;
* conflict history from the UCDP/PRIO Armed Conflict Dataset (the store's ``conflicts``, by ``location_iso3``):
  years since the last conflict-year located in the country, conflict-years in the last 10 years, whether a war
  (≥1,000 deaths a year) was ever located there, since 1946 — years up to the one before the origin's only;
* state age and capabilities (COW NMC, the store's ``country_year`` of source ``cow-nmc``): log population, log
  CINC and the years since the state's first year in the NMC (from 1816) — the last year known by the year before
  the origin's (a stale value where the data end earlier, as :mod:`.annual` does);
* leaders (Archigos, the store's ``leaders``): the current leader's years in office at the end of the origin month,
  whether the leader came in irregularly, and how many leaders took office in the 5 years to it — only spells that
  had begun by then, and an end date only if it was before then.  Where the data end before the origin (Archigos
  4.1 ends in 2015) the leader is unknown (NaN), not guessed.

An input the store lacks (no ACD, NMC or Archigos ingested) gives NaN columns, which the trees treat as unknown:
the model degrades, it does not fail.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from signalfire.forecast.annual import last_year_over
from signalfire.forecast.features import _rolling, _since

NAMES = ("mean12", "max12", "share12", "since1", "since25", "since100", "count25_60", "max_all",
         "nb_mean12", "nb_max12", "nb_count25", "world12",
         "ns_year", "os_year", "nb_ns_year", "nb_os_year",
         "acd_since", "acd_years10", "acd_war_ever",
         "log_pop", "log_cinc", "state_age",
         "tenure", "irregular", "leaders5")
SINCE_CAP = 360   # months: "never since 1990" counts as 30 years
FIRST_ACD_YEAR = 1946


def _table(con, sql: str, params=()) -> pd.DataFrame | None:
    """A query's frame, or None when its table is absent or empty (an input the store does not hold)."""
    import duckdb
    try:
        frame = con.execute(sql, list(params)).df()
    except duckdb.CatalogException:
        return None
    return frame if len(frame) else None


def store_inputs(con) -> dict[str, pd.DataFrame | None]:
    """The dated inputs the store holds: ``acd`` (iso3, year, intensity_level — one row per located country),
    ``nmc`` (country_iso3, year, measure, value) and ``leaders`` (country_iso3, start_date, end_date, entry);
    each None when absent."""
    acd = _table(con, "SELECT location_iso3, year, intensity_level FROM conflicts WHERE location_iso3 IS NOT NULL")
    if acd is not None:
        acd = (acd.assign(iso3=acd["location_iso3"].str.split(",")).explode("iso3")
               .assign(iso3=lambda f: f["iso3"].str.strip())[["iso3", "year", "intensity_level"]])
    nmc = _table(con, "SELECT country_iso3, year, measure, value FROM country_year WHERE source = 'cow-nmc' "
                      "AND measure IN ('tpop', 'cinc') AND value IS NOT NULL")
    leaders = _table(con, "SELECT country_iso3, start_date, end_date, entry FROM leaders "
                          "WHERE start_date IS NOT NULL")
    return {"acd": acd, "nmc": nmc, "leaders": leaders}


def _month_years(first_month_id: int, months: int) -> np.ndarray:
    """The last calendar year that is over in each column (the year before the month's)."""
    return last_year_over(first_month_id + np.arange(months))


def _acd(frame, iso3: list[str], years: np.ndarray) -> list[np.ndarray]:
    n, T = len(iso3), len(years)
    if frame is None:
        return [np.full((n, T), np.nan)] * 3
    span = np.arange(FIRST_ACD_YEAR, int(years.max()) + 1)
    index = {c: i for i, c in enumerate(iso3)}
    active = np.zeros((n, len(span)))
    war = np.zeros((n, len(span)))
    for row in frame.itertuples():
        i, y = index.get(row.iso3), int(row.year) - FIRST_ACD_YEAR
        if i is not None and 0 <= y < len(span):
            active[i, y] = 1
            war[i, y] = max(war[i, y], float(row.intensity_level == 2))
    col = years - FIRST_ACD_YEAR                     # the year before each month's: known in that month
    last_seen = np.where(active > 0, span[None, :], -10_000)
    last = np.maximum.accumulate(last_seen, axis=1)[:, col]
    since = np.where(last > 0, years[None, :] - last, years[None, :] - FIRST_ACD_YEAR + 1).astype(float)
    cum = np.concatenate([np.zeros((n, 1)), np.cumsum(active, axis=1)], axis=1)
    years10 = cum[:, col + 1] - cum[:, np.maximum(col - 9, 0)]
    war_ever = (np.maximum.accumulate(war, axis=1)[:, col] > 0).astype(float)
    return [since, years10, war_ever]


def _nmc(frame, iso3: list[str], years: np.ndarray) -> list[np.ndarray]:
    n, T = len(iso3), len(years)
    if frame is None:
        return [np.full((n, T), np.nan)] * 3
    out = []
    first_year = frame.groupby("country_iso3")["year"].min()
    for measure in ("tpop", "cinc"):
        part = frame[frame["measure"] == measure]
        table = part.pivot_table(index="country_iso3", columns="year", values="value", aggfunc="last")
        span = np.arange(int(table.columns.min()), int(table.columns.max()) + 1)
        values = table.reindex(index=iso3, columns=span).ffill(axis=1).to_numpy()   # last value known
        col = np.clip(years, span[0], span[-1]) - span[0]
        vals = np.where(years[None, :] >= span[0], values[:, col], np.nan)
        out.append(np.log1p(vals) if measure == "tpop" else np.log(vals + 1e-6))   # thousands; share
    start = first_year.reindex(iso3).to_numpy(float)
    age = years[None, :] - start[:, None]
    out.append(np.where(age >= 0, age, np.nan))
    return out


def _leaders(frame, iso3: list[str], first_month_id: int, T: int) -> list[np.ndarray]:
    n = len(iso3)
    out = [np.full((n, T), np.nan) for _ in range(3)]
    if frame is None:
        return out
    mids = first_month_id + np.arange(T)
    # the last day of each month, as days since 1970: what is known "at the end of the origin month"
    month_end = (pd.to_datetime({"year": (mids - 1) // 12 + 1980, "month": (mids - 1) % 12 + 1, "day": 1})
                 + pd.offsets.MonthEnd(0)).to_numpy("datetime64[D]").astype(np.int64)
    # the data's last day as known at the cut-off (the last column's end): spells begun by then, each up to its end
    # or the cut-off, whichever is first (Archigos ends ongoing spells on its last day).  After that day who is in
    # office is unknown (NaN); a spell begun or a date after the cut-off does not move it
    start_all = pd.to_datetime(frame["start_date"]).to_numpy("datetime64[D]").astype(np.int64)
    end_all = (pd.to_datetime(frame["end_date"]).fillna(pd.Timestamp("2200-01-01"))
               .to_numpy("datetime64[D]").astype(np.int64))
    begun_by = start_all <= month_end[-1]
    data_end = np.minimum(end_all[begun_by], month_end[-1]).max(initial=-10**9)
    covered = month_end <= data_end
    index = {c: i for i, c in enumerate(iso3)}
    irregular_all = (frame["entry"].fillna("").str.lower() != "regular").to_numpy(float)
    # the dates converted once for the whole table, then each country's spells in order of their start (the
    # per-country conversions took most of the onset model's feature time)
    for country, rows in frame.groupby("country_iso3").indices.items():
        i = index.get(country)
        if i is None:
            continue
        rows = rows[np.argsort(start_all[rows], kind="stable")]
        start, end, irregular = start_all[rows], end_all[rows], irregular_all[rows]
        k = np.searchsorted(start, month_end, side="right") - 1      # the latest spell begun by each month's end
        kk = np.maximum(k, 0)
        # in office at the month's end: the spell had begun and its end (if any) is not before that day; an end
        # date after the cut-off says only that (moving it changes nothing)
        known = covered & (k >= 0) & ~(end[kk] < month_end)
        out[0][i] = np.where(known, (month_end - start[kk]) / 365.25, np.nan)
        out[1][i] = np.where(known, irregular[kk], np.nan)
        begun = np.searchsorted(start, month_end, side="right") - np.searchsorted(start, month_end - 1826, "right")
        out[2][i] = np.where(covered, begun, np.nan)
    return out


def cube(Y: np.ndarray, adj: np.ndarray, iso3: list[str], first_month_id: int,
         annual: dict[str, np.ndarray] | None = None, inputs: dict | None = None) -> np.ndarray:
    """Every feature (:data:`NAMES`) at every column: (countries × months × features), column ``t`` from
    ``Y[:, :t+1]``, the annual values of the years over by then and the dated inputs known at that month's end."""
    n, T = Y.shape
    inputs = inputs or {}
    L = np.log1p(Y)
    nb_L = np.log1p(adj @ Y)
    ge25 = (Y >= 25).astype(float)
    since1, since25, since100 = (np.minimum(_since(Y >= k, cap=SINCE_CAP), SINCE_CAP) for k in (1, 25, 100))
    # the first columns have less history than the windows: "since" counts from 1990 at most (capped above)
    cols = [
        _rolling(L, 12, "mean"), _rolling(L, 12, "max"), _rolling((Y > 0).astype(float), 12, "mean"),
        since1, since25, since100, _rolling(ge25, 60, "mean") * np.minimum(np.arange(T) + 1, 60),
        np.maximum.accumulate(L, axis=1),
        _rolling(nb_L, 12, "mean"), _rolling(nb_L, 12, "max"), adj @ (_rolling(ge25, 12, "max") > 0),
        np.repeat(_rolling(np.log1p(Y.sum(axis=0, keepdims=True)), 12, "mean"), n, axis=0),
    ]
    for key in ("ns", "os"):
        cols.append(np.log1p(annual[key]) if annual is not None else np.full(Y.shape, np.nan))
    for key in ("ns", "os"):
        cols.append(np.log1p(adj @ annual[key]) if annual is not None else np.full(Y.shape, np.nan))
    years = _month_years(first_month_id, T)
    cols += _acd(inputs.get("acd"), iso3, years)
    cols += _nmc(inputs.get("nmc"), iso3, years)
    cols += _leaders(inputs.get("leaders"), iso3, first_month_id, T)
    return np.stack(cols, axis=2)

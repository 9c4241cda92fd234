"""The home country's engagement in a briefing: UN peace operations (personnel in the period), treaties, the
closest partners in UN General Assembly votes, its Security Council terms, and the international crises it was an
actor in during or near the period — each part with its source, and present only when its data is in the store
(the Security Council terms come from the reference table shipped with the package).

* **Deployments**: personnel in the briefing's month (UN sources, combined as on the missions pages); when the month
  has no report, the latest month of the 12 before it, named as such.
* **UN voting partners**: the states with the highest voting coincidence with the country in the period's calendar
  year (``analysis.unga.vote_agreement``); when the data end before that year, the last year they cover, named.
* **Security Council**: the country's elected terms; whether it sat on the Council in the period's year.
* **Crises**: ICB crises the country was an actor in that overlap the :data:`CRISIS_YEARS` years up to the period;
  when none, the most recent one before it.
"""

from __future__ import annotations

import duckdb

from signalfire.store.queries import QueryError

PARTNERS = 5
CRISIS_YEARS = 5          # "near the period": crises overlapping these many years before the period's year, and it
DEPLOYMENT_LOOKBACK = 12  # months before the period searched for the latest deployment report
ERRORS = (duckdb.Error, ValueError, KeyError, QueryError)
UNSC_SOURCE = ("United Nations, Countries Elected Members of the Security Council (reference table shipped with "
               "Signalfire; complete for 1989–2026)")


def _adapters(con, table: str) -> str:
    rows = con.execute("SELECT DISTINCT adapter FROM ingest_runs WHERE status = 'loaded' AND target_table = ? "
                       "ORDER BY 1", [table]).fetchall()
    return ", ".join(r[0] for r in rows)


def deployments(con, iso3: str, period: str) -> dict | None:
    from signalfire.analysis import missions
    from signalfire.analysis.panel import month_shift
    series = missions.deployment_series(con, iso3, "combined")
    if series.empty:
        return None
    earliest = month_shift(period, -DEPLOYMENT_LOOKBACK)
    months = sorted(m for m in set(series["month"]) if earliest <= m <= period)
    if not months:
        return {"month": None, "latest_month": series["month"].max(), "total": None, "by_type": {},
                "source": ", ".join(sorted(set(series["source"])))}
    month = months[-1]
    rows = series[series["month"] == month]
    return {"month": month, "in_period": month == period, "total": int(rows["total"].sum()),
            "by_type": {r.personnel_type: int(r.total) for r in rows.itertuples()},
            "source": ", ".join(sorted(set(rows["source"])))}


def voting_partners(con, iso3: str, period: str) -> dict | None:
    from signalfire.analysis import unga
    year = int(period[:4])
    have = con.execute("SELECT max(year(vote_date)) FROM unga_roll_calls WHERE year(vote_date) <= ?",
                       [year]).fetchone()[0]
    if have is None:
        return None
    frame = unga.vote_agreement(con, iso3, year=int(have))
    if frame.empty:
        return None
    roll_calls = con.execute("""SELECT count(DISTINCT v.rcid) FROM unga_votes v JOIN unga_roll_calls r USING (rcid)
                                WHERE v.country_iso3 = ? AND year(r.vote_date) = ?""", [iso3, int(have)]).fetchone()[0]
    top = frame.head(PARTNERS)
    return {"year": int(have), "in_period": int(have) == year, "roll_calls": int(roll_calls),
            "partners": [{"iso3": r.partner_iso3, "name": r.partner, "coincidence": float(r.coincidence),
                          "votes": int(r.votes)} for r in top.itertuples()],
            "source": _adapters(con, "unga_votes") or "unvotes"}


def security_council(iso3: str, period: str) -> dict:
    from signalfire.analysis import unga
    year = int(period[:4])
    terms = unga.unsc_terms(iso3)
    spans = [(int(r.first_year), int(r.last_year)) for r in terms.itertuples()]
    return {"terms": spans, "sitting": any(a <= year <= b for a, b in spans), "year": year,
            "covered": 1989 <= year <= 2026, "source": UNSC_SOURCE}


def crises_near(con, iso3: str, period: str) -> dict | None:
    from signalfire.analysis import crises
    frame = crises.country_crises(con, iso3)
    data_to = con.execute("SELECT max(year(coalesce(end_date, trigger_date))) FROM crisis_actors").fetchone()[0]
    if data_to is None:
        return None
    year = int(period[:4])
    first = year - CRISIS_YEARS

    def item(r) -> dict:
        return {"no": int(r.crisis_no), "name": r.crisis_name, "start": str(r.trigger_date or "")[:10],
                "end": str(r.end_date or "")[:10] or None, "gravity": r.gravity_label, "outcome": r.outcome_label}
    near, before = [], []
    for r in frame.itertuples():
        start = r.trigger_date.year if r.trigger_date is not None and str(r.trigger_date) != "NaT" else None
        end = r.end_date.year if r.end_date is not None and str(r.end_date) != "NaT" else None
        if start is not None and start <= year and (end is None or end >= first):
            near.append(item(r))
        elif start is not None and start < first:
            before.append(item(r))
    return {"first": first, "last": year, "items": near, "latest": before[0] if before else None,
            "data_to": int(data_to), "source": _adapters(con, "crisis_actors") or "icb-crises"}


def engagement(con, iso3: str, period: str) -> dict:
    """The engagement section's parts; a part whose data are not in the store is None (or empty)."""
    from signalfire.analysis import missions, treaties
    out: dict = {"period": period}
    for key, make in (("deployed", lambda: deployments(con, iso3, period)),
                      ("unga", lambda: voting_partners(con, iso3, period)),
                      ("crises", lambda: crises_near(con, iso3, period))):
        try:
            out[key] = make()
        except ERRORS:               # the stream's tables are missing or unreadable here: the part is left out
            out[key] = None
    try:
        out["missions_served"] = len(missions.engagement(con, iso3)["served"])
    except ERRORS:
        out["missions_served"] = 0
    try:
        out["unsc"] = security_council(iso3, period)
    except ERRORS:
        out["unsc"] = None
    try:
        summary = treaties.status_summary(con, iso3)
        out["treaties"] = {k: v for k, v in summary.items() if v}
    except ERRORS:
        out["treaties"] = {}
    return out


def tables_used(e: dict) -> set[str]:
    """The store's tables the engagement read, for the briefing's sources section."""
    used = {"treaty_instruments", "treaty_actions"}
    if e.get("deployed"):
        used |= {"missions", "mission_contributions"}
    if e.get("unga"):
        used |= {"unga_votes", "unga_roll_calls"}
    if e.get("crises"):
        used.add("crisis_actors")
    return used

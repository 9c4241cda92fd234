"""Evaluating the rules: after every ingest run and every forecast run, each enabled rule is checked against what
that run brought, and each crossing is stored once (its id is a hash of rule, subject and period, so evaluating
again — after a restart, a crash or a re-ingest — never fires it twice) with the evidence that triggered it, and one
delivery per channel is queued in the outbox in the same transaction.

Which runs were evaluated is kept in ``alert_checked``: :func:`evaluate_pending` takes every run not yet checked.
"""

from __future__ import annotations

import hashlib
import json

from signalfire.alerts.rules import add, enabled_rules, subject_countries

EVIDENCE_EVENTS = 10


def firing_id(rule_id: int, subject: str, period: str) -> str:
    return hashlib.sha256(f"{rule_id}|{subject}|{period}".encode()).hexdigest()[:24]


def _level(value: float, threshold: float) -> str:
    return "red" if threshold > 0 and value >= 2 * threshold else "orange"


def _countries_sql(countries: list[str] | None, column: str = "country_iso3") -> tuple[str, list]:
    if countries is None:
        return "", []
    return f" AND {column} IN ({', '.join('?' * len(countries))})", list(countries)


def _events_months(con, rule: dict, run_id: int | None) -> list[dict]:
    """The months in which an events rule's measure crossed its threshold: the months the run brought events to
    (every month with events when ``run_id`` is None)."""
    p = rule["params"]
    countries = subject_countries(p.get("subject"))
    where, params = _countries_sql(countries)
    for column in ("category", "source"):
        if p.get(column):
            where += f" AND {column} = ?"
            params.append(p[column])
    value = "sum(coalesce(fatalities_best, 0))" if p["measure"] == "deaths" else "count(*)"
    monthly = con.execute(f"""SELECT strftime(date_start, '%Y-%m') AS month, {value} AS value FROM events
                              WHERE date_start IS NOT NULL{where} GROUP BY 1 ORDER BY 1""", params).fetchall()
    series = dict(monthly)
    if run_id is None:
        touched = set(series)
    else:
        touched = {r[0] for r in con.execute(f"""SELECT DISTINCT strftime(date_start, '%Y-%m') FROM events
                   WHERE run_id = ? AND date_start IS NOT NULL{where}""", [run_id, *params]).fetchall()}
    months = sorted(series)
    out = []
    for month in sorted(touched):
        v = float(series.get(month, 0))
        if v < p["threshold"]:
            continue
        baseline = None
        if p.get("baseline_months"):
            before = _months_before(month, int(p["baseline_months"]))
            baseline = sum(float(series.get(m, 0)) for m in before) / len(before)
            if v < p["ratio"] * baseline:
                continue
        top = con.execute(f"""SELECT source, source_id, CAST(date_start AS VARCHAR), country_iso3, fatalities_best
                              FROM events WHERE strftime(date_start, '%Y-%m') = ?{where}
                              ORDER BY fatalities_best DESC NULLS LAST, source_id LIMIT {EVIDENCE_EVENTS}""",
                          [month, *params]).fetchall()
        per_country = con.execute(f"""SELECT country_iso3, {value} FROM events
                                      WHERE strftime(date_start, '%Y-%m') = ?{where} GROUP BY 1 ORDER BY 2 DESC""",
                                  [month, *params]).fetchall()
        subject = p.get("subject") or "world"
        label = p["measure"]
        title = (f"{subject}: {v:,.0f} {label} in {month} (threshold {p['threshold']:,.0f}"
                 + (f"; {baseline:,.1f} a month before" if baseline is not None else "") + ")")
        out.append({"subject": subject, "period": month, "value": v, "baseline": baseline,
                    "level": _level(v, p["threshold"]), "title": title,
                    "evidence": {"measure": label, "by_country": dict(per_country), "months_in_store": len(months),
                                 "events": [dict(zip(("source", "source_id", "date", "country_iso3", "deaths"), r))
                                            for r in top]}})
    return out


def _months_before(month: str, n: int) -> list[str]:
    year, mon = int(month[:4]), int(month[5:7])
    out = []
    for _ in range(n):
        year, mon = (year, mon - 1) if mon > 1 else (year - 1, 12)
        out.append(f"{year:04d}-{mon:02d}")
    return out


def _forecast_crossings(con, rule: dict, run_id: int) -> list[dict]:
    from signalfire.store.forecasts import previous_run_query
    p = rule["params"]
    countries = subject_countries(p.get("subject"))
    where, params = _countries_sql(countries, "a.country_iso3")
    previous = con.execute(*previous_run_query(run_id)).fetchone()[0]
    rows = con.execute(f"""SELECT a.country_iso3, a.month_id, a.p_ge25, b.p_ge25, r.cutoff
        FROM forecasts a JOIN forecast_runs r ON r.run_id = a.run_id
        LEFT JOIN forecasts b ON b.run_id = ? AND b.country_iso3 = a.country_iso3 AND b.month_id = a.month_id
        WHERE a.run_id = ? AND a.step = ?{where} ORDER BY a.country_iso3""",
                       [previous if previous is not None else -1, run_id, int(p["months_ahead"]), *params]).fetchall()
    out = []
    for iso3, month_id, now, before, cutoff in rows:
        if now is None:
            continue
        crossed = "level" in p and now >= p["level"] and (before is None or before < p["level"])
        rose = "rise" in p and before is not None and now - before >= p["rise"]
        if not (crossed or rose):
            continue
        threshold = p.get("level", p.get("rise"))
        title = (f"{iso3}: P(≥25 deaths) {now:.0%} {p['months_ahead']} month(s) after {cutoff}"
                 + (f", up from {before:.0%}" if before is not None else "") + f" (forecast run {run_id})")
        out.append({"subject": iso3, "period": f"forecast run {run_id}", "value": float(now),
                    "baseline": None if before is None else float(before),
                    "level": "red" if now >= min(1.0, 2 * threshold) else "orange", "title": title,
                    "evidence": {"run_id": run_id, "previous_run_id": previous, "month_id": month_id,
                                 "p_ge25": now, "previous_p_ge25": before}})
    return out


def _new_records(con, rule: dict, run_id: int) -> list[dict]:
    p = rule["params"]
    run = con.execute("SELECT adapter, source, target_table, rows_new, file_name FROM ingest_runs WHERE run_id = ?",
                      [run_id]).fetchone()
    if run is None or p["source"] not in (run[0], run[1]) or not run[3]:
        return []
    records, count = [], int(run[3])
    if run[2] == "events":
        countries = subject_countries(p.get("subject"))
        where, params = _countries_sql(countries)
        count = con.execute(f"SELECT count(*) FROM events WHERE run_id = ?{where}", [run_id, *params]).fetchone()[0]
        records = [dict(zip(("source", "source_id", "date", "country_iso3", "deaths"), r)) for r in con.execute(
            f"""SELECT source, source_id, CAST(date_start AS VARCHAR), country_iso3, fatalities_best FROM events
                WHERE run_id = ?{where} ORDER BY date_start DESC, source_id LIMIT {EVIDENCE_EVENTS}""",
            [run_id, *params]).fetchall()]
    if not count:
        return []
    subject = p.get("subject") or p["source"]
    return [{"subject": subject, "period": f"ingest run {run_id}", "value": float(count), "baseline": None,
             "level": "orange", "title": f"{subject}: {count:,} new records from {run[0]} ({run[4]})",
             "evidence": {"run_id": run_id, "file_name": run[4], "new": count, "records": records}}]


def _cyber_incidents(con, rule: dict, run_id: int) -> list[dict]:
    """The incidents this ingest run brought whose victims include a watched state: one firing each."""
    watched = subject_countries(rule["params"]["subject"])
    rows = con.execute("""SELECT source, source_id, name, CAST(date_start AS VARCHAR), sponsor_iso3, victim_iso3, type
                          FROM cyber_incidents WHERE run_id = ? AND list_has_any(victim_iso3, ?)
                          ORDER BY date_start DESC NULLS LAST, source_id""", [run_id, watched]).fetchall()
    out = []
    for source, source_id, name, date, sponsors, victims, kind in rows:
        hit = sorted(set(victims or []) & set(watched))
        out.append({"subject": ",".join(hit), "period": f"{source}:{source_id}", "value": 1.0, "baseline": None,
                    "level": "orange", "title": (f"cyber operation against {', '.join(hit)}: {name or source_id} "
                                                 f"({date or 'undated'}; sponsor {', '.join(sponsors or []) or 'unknown'})"),
                    "evidence": {"source": source, "source_id": source_id, "date": date, "type": kind,
                                 "sponsors": list(sponsors or []), "victims": list(victims or [])}})
    return out


def _route_rise(con, rule: dict, run_id: int) -> list[dict]:
    """The months this run wrote to the route in which its detections reached the threshold (and, with a
    baseline, rose to ``ratio`` times the mean of the months before)."""
    p = rule["params"]
    touched = {r[0] for r in con.execute("""SELECT DISTINCT strftime(month, '%Y-%m') FROM route_month
                                            WHERE run_id = ? AND route = ?""", [run_id, p["route"]]).fetchall()}
    series = dict(con.execute("""SELECT strftime(month, '%Y-%m'), sum(value) FROM route_month WHERE route = ?
                                 AND measure = 'detections' GROUP BY 1""", [p["route"]]).fetchall())
    out = []
    for month in sorted(touched):
        value = float(series.get(month, 0))
        if value < p["threshold"]:
            continue
        baseline = None
        if p.get("baseline_months"):
            before = _months_before(month, int(p["baseline_months"]))
            baseline = sum(float(series.get(m, 0)) for m in before) / len(before)
            if value < p["ratio"] * baseline:
                continue
        out.append({"subject": p["route"], "period": month, "value": value, "baseline": baseline,
                    "level": _level(value, p["threshold"]),
                    "title": (f"{p['route']}: {value:,.0f} detections in {month} (threshold {p['threshold']:,.0f}"
                              + (f"; {baseline:,.1f} a month before" if baseline is not None else "") + ")"),
                    "evidence": {"route": p["route"], "month": month, "detections": value,
                                 "months": {m: series[m] for m in [k for k in sorted(series) if k <= month][-13:]}}})
    return out


def _store(con, rule: dict, found: list[dict], trigger: str) -> list[str]:
    """Insert the firings not stored before, and their deliveries; returns the new firing ids."""
    new = []
    for f in found:
        fid = firing_id(rule["rule_id"], f["subject"], f["period"])
        if con.execute("SELECT count(*) FROM alert_firings WHERE firing_id = ?", [fid]).fetchone()[0]:
            continue
        con.execute("INSERT INTO alert_firings VALUES (?, ?, now(), ?, ?, ?, ?, ?, ?, ?, ?)",
                    [fid, rule["rule_id"], f["subject"], f["period"], f["level"], f["title"][:500], f["value"],
                     f["baseline"], json.dumps(f["evidence"], default=str), trigger])
        from signalfire.alerts.deliver import queue
        queue(con, fid, rule)
        new.append(fid)
    return new


def evaluate_run(con, run_kind: str, run_id: int | None) -> list[str]:
    """Evaluate every enabled rule on one run (``ingest`` or ``forecast``; ``manual`` with run_id None: on all
    the data) in one transaction; returns the new firing ids."""
    new: list[str] = []
    trigger = f"{run_kind} run {run_id}" if run_id is not None else "manual"
    con.execute("BEGIN TRANSACTION")
    try:
        for rule in enabled_rules(con):
            kind = rule["kind"]
            if kind == "events" and run_kind in ("ingest", "manual"):
                found = _events_months(con, rule, run_id)
            elif kind == "new-records" and run_kind == "ingest":
                found = _new_records(con, rule, run_id)
            elif kind == "cyber" and run_kind == "ingest":
                found = _cyber_incidents(con, rule, run_id)
            elif kind == "route" and run_kind == "ingest":
                found = _route_rise(con, rule, run_id)
            elif kind == "forecast" and run_kind == "forecast":
                found = _forecast_crossings(con, rule, run_id)
            elif kind == "forecast" and run_kind == "manual":
                latest = con.execute("SELECT max(run_id) FROM forecast_runs").fetchone()[0]
                found = _forecast_crossings(con, rule, latest) if latest is not None else []
            else:
                continue
            new += _store(con, rule, found, trigger)
        if run_id is not None:
            con.execute("INSERT INTO alert_checked VALUES (?, ?, now()) ON CONFLICT DO NOTHING", [run_kind, run_id])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return new


def add_rule(con, *args, **kwargs) -> int:
    """:func:`rules.add`, after the runs already in the store are evaluated for the rules there are (and marked):
    a rule looks forward only ("evaluated after every ingest … from now on"); runs loaded without an evaluation (the
    demo data) had made a new rule fire on months years old at the next unrelated ingest."""
    evaluate_pending(con)
    return add(con, *args, **kwargs)


def evaluate_pending(con) -> list[str]:
    """Evaluate the rules on every ingest and forecast run not yet evaluated, oldest first."""
    new: list[str] = []
    for kind, table in (("ingest", "ingest_runs"), ("forecast", "forecast_runs")):
        status = " AND status = 'loaded'" if table == "ingest_runs" else ""
        runs = [r[0] for r in con.execute(
            f"""SELECT run_id FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM alert_checked c
                WHERE c.run_kind = ? AND c.run_id = t.run_id){status} ORDER BY run_id""", [kind]).fetchall()]
        for run_id in runs:
            new += evaluate_run(con, kind, run_id)
    return new


def after_runs(con, log=None) -> tuple[list[str], dict]:
    """What follows every ingest and forecast run: evaluate the rules on every run not yet evaluated, then send
    what is due.  ``log(text)`` hears of it when a rule fired or a delivery was attempted."""
    from signalfire.alerts.deliver import flush
    new = evaluate_pending(con)
    sent = flush(con)
    if log is not None and (new or any(sent.values())):
        log(f"alerts: {len(new)} new firing(s); deliveries sent {sent['sent']}, to retry {sent['retry']}, "
            f"given up {sent['failed']}")
    return new, sent

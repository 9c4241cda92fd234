"""Alert rules: what each kind watches, its parameters checked once when the rule is written.

* ``events``: deaths (or events) per calendar month in a subject — ``ring:POL`` (the land neighbours of Poland),
  ``POL`` or ``UKR,BLR`` — optionally one category and source, reaching ``threshold``; with ``baseline_months``
  and ``ratio`` also at least ``ratio`` times the mean of the months before (a change against a baseline).
* ``forecast``: P(≥ 25 deaths) ``months_ahead`` months after a forecast run's cut-off, for any country of the
  subject, crossing ``level`` (from below, against the previous run of the same model) or rising by ``rise``.
* ``new-records``: new rows from an ingest of ``source`` (for events, in the subject's countries when given).
* ``cyber``: a new cyber operation (CFR, DCID) against any state of the subject (``ring:POL``, ``POL,LTU``, …),
  one firing per incident.
* ``route``: a migration route's detections (Frontex) in a month an ingest brought reaching ``threshold`` and,
  with ``baseline_months`` and ``ratio``, at least ``ratio`` times the mean of the months before.
"""

from __future__ import annotations

import json
import math
import re

from signalfire.alerts import N_, AlertError

EMAIL = re.compile(r"[^@\s,<>]+@[^@\s,<>]+\.[^@\s,<>.]+")   # local@domain.tld: a typo, not RFC 5322's every corner

TEXT_PARAMS = ("subject", "source", "route", "category", "measure")   # the parameters that are words, not numbers
KINDS = ("events", "forecast", "new-records", "cyber", "route")
MEASURES = ("deaths", "events")


def subject_countries(subject: str | None) -> list[str] | None:
    """The ISO3 codes a subject covers (``ring:POL`` → Poland's land neighbours), None for every country."""
    if not subject:
        return None
    from signalfire.geo.borders import land_borders
    from signalfire.geo.countries import resolve
    subject = subject.strip()
    if subject.lower().startswith("ring:"):
        home = _iso3(subject[5:], resolve)
        ring = sorted(land_borders().get(home, set()))
        if not ring:
            raise AlertError(N_("subject %(subject)s: %(home)s has no land neighbours in the shipped borders"),
                             subject=repr(subject), home=home)
        return ring
    return [_iso3(part, resolve) for part in subject.split(",") if part.strip()]


def _iso3(text: str, resolve) -> str:
    found = resolve(text.strip())
    if not found:
        raise AlertError(N_("unknown country %(text)s: use an ISO3 code such as POL"), text=repr(text.strip()[:40]))
    return found.iso3


def _number(params: dict, key: str, low: float, high: float = math.inf, required: bool = False):
    value = params.get(key)
    if value is None:
        if required:
            raise AlertError(N_("a rule of this kind needs %(key)s"), key=key)
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high \
            or not math.isfinite(value):
        raise AlertError(N_("%(key)s: %(value)s is not a number from %(low)s to %(high)s"), key=key,
                         value=repr(str(value)[:40]), low=low, high=high)
    return value


def check(kind: str, params: dict) -> dict:
    """The parameters of a rule of ``kind``, checked (AlertError naming what is wrong), with defaults filled in."""
    if kind not in KINDS:
        raise AlertError(N_("unknown kind %(kind)s; kinds: %(kinds)s"), kind=repr(str(kind)[:40]),
                         kinds=", ".join(KINDS))
    if not isinstance(params, dict):
        raise AlertError(N_("params must be a JSON object"))
    out = {k: v for k, v in params.items() if v is not None}
    for key in TEXT_PARAMS:     # a number or a list there had been a 500 (AttributeError, unhashable list)
        if key in out and not isinstance(out[key], str):
            raise AlertError(N_("%(key)s: %(value)s is not text"), key=key, value=repr(str(out[key])[:40]))
    if out.get("category"):
        from signalfire.store.schema import CATEGORIES
        if out["category"] not in CATEGORIES:   # a rule that could never fire
            raise AlertError(N_("category: %(value)s is not one of %(categories)s"),
                             value=repr(out["category"][:40]), categories=", ".join(CATEGORIES))
    if out.get("subject"):
        subject_countries(out["subject"])       # fails early on an unknown country
    if kind == "events":
        _number(out, "threshold", 0, required=True)
        out.setdefault("measure", "deaths")
        if out["measure"] not in MEASURES:
            raise AlertError(N_("measure: %(value)s is not one of %(measures)s"),
                             value=repr(str(out["measure"])[:40]), measures=", ".join(MEASURES))
        _number(out, "baseline_months", 1, 60)
        _number(out, "ratio", 0)
        if ("ratio" in out) != ("baseline_months" in out):
            raise AlertError(N_("a change against a baseline needs both baseline_months and ratio"))
    elif kind == "forecast":
        if "level" not in out and "rise" not in out:
            raise AlertError(N_("a forecast rule needs level (P(≥25) crossing it) or rise (P(≥25) rising by it)"))
        _number(out, "level", 0, 1)
        _number(out, "rise", 0, 1)
        out.setdefault("months_ahead", 1)
        _number(out, "months_ahead", 1, 36)
    elif kind == "new-records":
        if not out.get("source"):
            raise AlertError(N_("a new-records rule needs source (e.g. ucdp-ged)"))
        from signalfire.sources import MODULES
        if out["source"] not in MODULES:      # a mistyped source had made a rule that could never fire
            raise AlertError(N_("unknown source %(source)s: see signalfire sources (e.g. ucdp-ged)"),
                             source=repr(str(out["source"])[:40]))
    elif kind == "cyber":
        if not out.get("subject"):
            raise AlertError(N_("a cyber rule needs subject: the victim states watched "
                                "(e.g. ring:POL or POL,LTU)"))
    else:
        if not out.get("route"):
            raise AlertError(N_("a route rule needs route (a Frontex route, e.g. Eastern Borders Route)"))
        _number(out, "threshold", 0, required=True)
        _number(out, "baseline_months", 1, 60)
        _number(out, "ratio", 0)
        if ("ratio" in out) != ("baseline_months" in out):
            raise AlertError(N_("a change against a baseline needs both baseline_months and ratio"))
    return out


def _url_ok(url: str, schemes: tuple[str, ...]) -> bool:
    """Whether ``url`` is a URL of one of ``schemes`` with a host, a valid port and no spaces: 'http://[::1',
    'http://' and a port of 99999 had been stored and had then failed every delivery."""
    from urllib.parse import urlsplit
    if any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
        port = parts.port              # a ValueError for a port out of range or not a number
    except ValueError:
        return False
    return parts.scheme in schemes and bool(parts.hostname) and port != 0


def add(con, name: str, kind: str, params: dict, webhook_url: str | None = None, webhook_secret: str | None = None,
        email_to: str | None = None, smtp_url: str | None = None) -> int:
    """Store a new rule; returns its id.  It looks at the runs to come; to add one that way, call
    :func:`signalfire.alerts.evaluate.add_rule`, which first evaluates the runs not yet evaluated."""
    if not name or not name.strip():
        raise AlertError(N_("a rule needs a name"))
    params = check(kind, params)
    if webhook_url and not _url_ok(webhook_url, ("http", "https")):
        raise AlertError(N_("webhook: %(url)s is not an http(s) URL"), url=repr(webhook_url[:60]))
    if email_to and not all(EMAIL.fullmatch(part.strip()) for part in email_to.split(",")):
        raise AlertError(N_("e-mail: %(to)s is not an address such as analyst@example.org (several: separate "
                            "them with commas)"), to=repr(email_to[:60]))
    if smtp_url and not _url_ok(smtp_url, ("smtp",)):
        raise AlertError(N_("smtp: %(url)s is not smtp://host:port"), url=repr(smtp_url[:60]))
    # never an id used before, by a rule removed since: a firing's id is made of the rule's, so a new rule with an old
    # id had inherited the old rule's firings (shown under its name) and been silenced for those months
    rule_id = con.execute("""SELECT greatest((SELECT coalesce(max(rule_id), 0) FROM alert_rules),
                                             (SELECT coalesce(max(rule_id), 0) FROM alert_firings)) + 1""").fetchone()[0]
    con.execute("INSERT INTO alert_rules VALUES (?, ?, ?, ?, ?, ?, ?, ?, true, now(), now())",
                [rule_id, name.strip()[:200], kind, json.dumps(params), webhook_url, webhook_secret, email_to,
                 smtp_url])
    return int(rule_id)


def remove(con, rule_id: int) -> None:
    """Remove a rule; its firings stay, its deliveries not yet made are given up."""
    if not con.execute("SELECT count(*) FROM alert_rules WHERE rule_id = ?", [rule_id]).fetchone()[0]:
        raise AlertError(N_("no alert rule %(rule)s"), rule=rule_id)
    # its deliveries still due are given up: without the rule they had been retried against the default SMTP server
    # (its smtp_url gone) or sent unsigned (its webhook secret gone)
    con.execute("""UPDATE alert_outbox SET status = 'failed', last_error = 'the rule was removed'
                   WHERE status = 'pending' AND firing_id IN (SELECT firing_id FROM alert_firings WHERE rule_id = ?)""",
                [rule_id])
    con.execute("DELETE FROM alert_rules WHERE rule_id = ?", [rule_id])


def set_enabled(con, rule_id: int, enabled: bool) -> None:
    if not con.execute("SELECT count(*) FROM alert_rules WHERE rule_id = ?", [rule_id]).fetchone()[0]:
        raise AlertError(N_("no alert rule %(rule)s"), rule=rule_id)
    con.execute("UPDATE alert_rules SET enabled = ?, updated_at = now() WHERE rule_id = ?", [enabled, rule_id])


def enabled_rules(con) -> list[dict]:
    rows = con.execute("SELECT rule_id, name, kind, params, webhook_url, email_to FROM alert_rules "
                       "WHERE enabled ORDER BY rule_id").fetchall()
    return [{"rule_id": r[0], "name": r[1], "kind": r[2], "params": json.loads(r[3]), "webhook_url": r[4],
             "email_to": r[5]} for r in rows]

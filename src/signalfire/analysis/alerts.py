"""Queries on the alert tables for the Python API: the rules and their firings (rules are written by
:mod:`signalfire.alerts`, which evaluates them after every ingest and forecast run)."""

from __future__ import annotations

import json


def alert_rules(con):
    """Every rule (webhook secrets left out), with how often it fired."""
    frame = con.execute("""SELECT r.rule_id, r.name, r.kind, r.params, r.webhook_url, r.email_to, r.enabled,
                                  r.created_at, (SELECT count(*) FROM alert_firings f WHERE f.rule_id = r.rule_id)
                                  AS firings
                           FROM alert_rules r ORDER BY r.rule_id""").df()
    frame["params"] = frame["params"].map(json.loads)
    return frame


def alert_firings(con, rule_id: int | None = None, limit: int = 100):
    """The newest firings (of one rule), with their evidence as dicts."""
    where = "WHERE f.rule_id = ?" if rule_id is not None else ""
    frame = con.execute(f"""SELECT f.firing_id, f.rule_id, r.name AS rule, f.fired_at, f.subject, f.period, f.level,
                                   f.title, f.value, f.baseline, f.evidence, f.trigger
                            FROM alert_firings f LEFT JOIN alert_rules r USING (rule_id) {where}
                            ORDER BY f.fired_at DESC, f.period DESC, f.firing_id LIMIT ?""",
                        [*([rule_id] if rule_id is not None else []), int(limit)]).df()
    frame["evidence"] = frame["evidence"].map(json.loads)
    return frame


class AlertsQueries:
    """The alerts' methods of ``signalfire.open(...)``."""

    def alert_rules(self):
        return alert_rules(self.con)

    def alert_firings(self, rule_id: int | None = None, limit: int = 100):
        return alert_firings(self.con, rule_id, limit)

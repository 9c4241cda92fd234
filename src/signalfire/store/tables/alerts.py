"""Store tables for alert rules, firings and the delivery outbox.

``TABLES``: adapter-fed tables (none here), ``KEYS``, ``KEEP``: unused; ``DDL``: the alert tables, written by
:mod:`signalfire.alerts` (rules from the CLI, the API or the dashboard; firings by the rule evaluation after every
ingest and forecast run; the outbox by delivery).  Documented in ``docs/schema/alerts.md``.
"""

from __future__ import annotations

TABLES: dict[str, dict[str, str]] = {}
KEYS: dict[str, tuple[str, ...]] = {}
KEEP: dict[str, str] = {}
DDL: list[str] = [
    """CREATE TABLE alert_rules (
    rule_id INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    params VARCHAR NOT NULL,
    webhook_url VARCHAR,
    webhook_secret VARCHAR,
    email_to VARCHAR,
    smtp_url VARCHAR,
    enabled BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
)""",
    """CREATE TABLE alert_firings (
    firing_id VARCHAR PRIMARY KEY,
    rule_id INTEGER NOT NULL,
    fired_at TIMESTAMP NOT NULL,
    subject VARCHAR NOT NULL,
    period VARCHAR,
    level VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    value DOUBLE,
    baseline DOUBLE,
    evidence VARCHAR NOT NULL,
    trigger VARCHAR NOT NULL
)""",
    """CREATE TABLE alert_checked (
    run_kind VARCHAR NOT NULL,
    run_id INTEGER NOT NULL,
    checked_at TIMESTAMP NOT NULL,
    PRIMARY KEY (run_kind, run_id)
)""",
    """CREATE TABLE alert_outbox (
    delivery_id VARCHAR PRIMARY KEY,
    firing_id VARCHAR NOT NULL,
    channel VARCHAR NOT NULL,
    target VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error VARCHAR,
    sent_at TIMESTAMP
)""",
]

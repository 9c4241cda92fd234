"""Alerts: rules kept in the store (:mod:`.rules`), evaluated after every ingest and forecast run
(:mod:`.evaluate`), each firing stored with its evidence and delivered exactly once per receiver from an outbox
(:mod:`.deliver`: a webhook signed with HMAC-SHA256, e-mail over SMTP), and an Atom feed (:mod:`.feed`).

Layer: above the store and analysis; the web layer and the CLI call it, never the reverse.
"""

from __future__ import annotations


class AlertError(Exception):
    """A rule or a request the user can correct; the message says how."""

"""Alerts: rules kept in the store (:mod:`.rules`), evaluated after every ingest and forecast run
(:mod:`.evaluate`), each firing stored with its evidence and delivered exactly once per receiver from an outbox
(:mod:`.deliver`: a webhook signed with HMAC-SHA256, e-mail over SMTP), and an Atom feed (:mod:`.feed`).

Layer: above the store and analysis; the web layer and the CLI call it, never the reverse.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks a message for the interface catalogue's extraction (the web layer translates it where it is shown)."""
    return message


class AlertError(Exception):
    """A rule or a request the user can correct; the message says how.

    The message is a template with ``%(name)s`` placeholders and its values, kept apart (``template``, ``params``) so
    a page can show it in its own language; ``str()`` is the English text."""

    def __init__(self, template: str, **params):
        self.template, self.params = template, params
        super().__init__(template % params if params else template)

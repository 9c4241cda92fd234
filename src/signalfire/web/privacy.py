"""Privacy and cookies: the notice, the consent choice and its server-side record.

Strictly necessary storage only until the person chooses: the one cookie set before consent is
``sf_consent`` itself, written when they choose (it stores their choice so the banner stays away).  Optional
purposes are ``preferences`` (remembering the home country and filters in a cookie).  Nothing else is stored;
the dashboard uses no analytics and loads nothing from other hosts.

Each choice is recorded in a small SQLite file beside the store (``<store>.consent.sqlite``), never in the
DuckDB warehouse: a random consent id (the cookie's value), the time, the notice version and the choices.
No IP address, user agent or other identifier is recorded.  A choice is accepted only from this site's own
pages (an ``Origin`` of an allowed host: :class:`signalfire.web.security.RequestGuard`) and at most
:data:`CONSENT_LIMIT` per client and minute (:class:`RateLimit`, in memory only).
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import math
import secrets
import sqlite3
import threading
import time
from pathlib import Path

NOTICE_VERSION = "2026-11-1"
COOKIE = "sf_consent"
PURPOSES = {
    "necessary": "Strictly necessary: remembers your consent choice (cookie sf_consent, 12 months).",
    "preferences": "Preferences: remembers your home country for Neighbourhood watch (cookie sf_home, 12 months).",
}
MAX_AGE = 365 * 24 * 3600
CONSENT_LIMIT = (20, 60.0)   # consent choices a client may record per minute (a person makes one or two)


def consent_path(store_path: Path) -> Path:
    return Path(str(store_path) + ".consent.sqlite")


class ConsentLog:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        with self._connect() as con:
            con.execute("""CREATE TABLE IF NOT EXISTS consent (
                consent_id TEXT NOT NULL, recorded_at TEXT NOT NULL, notice_version TEXT NOT NULL,
                decision TEXT NOT NULL, purposes TEXT NOT NULL)""")

    def _connect(self):
        return sqlite3.connect(self.path, timeout=5)

    def record(self, decision: str, purposes: list[str], consent_id: str | None = None) -> dict:
        if decision not in ("accept", "refuse", "choose"):
            raise ValueError("decision must be accept, refuse or choose")
        allowed = [p for p in purposes if p in PURPOSES and p != "necessary"]
        if decision == "accept":
            allowed = [p for p in PURPOSES if p != "necessary"]
        elif decision == "refuse":
            allowed = []
        # the id is the server's own: a cookie value is kept only if this log issued it (a client cannot choose one)
        known = consent_id if self.latest(consent_id) is not None else None
        entry = {"consent_id": known or secrets.token_urlsafe(16),
                 "recorded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                 "notice_version": NOTICE_VERSION, "decision": decision, "purposes": ["necessary", *allowed]}
        with self._lock, self._connect() as con:
            con.execute("INSERT INTO consent VALUES (?, ?, ?, ?, ?)",
                        [entry["consent_id"], entry["recorded_at"], entry["notice_version"], decision,
                         json.dumps(entry["purposes"])])
        return entry

    def latest(self, consent_id: str | None) -> dict | None:
        if not consent_id or not _valid_id(consent_id):
            return None
        with self._connect() as con:
            row = con.execute("SELECT consent_id, recorded_at, notice_version, decision, purposes FROM consent "
                              "WHERE consent_id = ? ORDER BY rowid DESC LIMIT 1", [consent_id]).fetchone()
        if not row:
            return None
        return {"consent_id": row[0], "recorded_at": row[1], "notice_version": row[2], "decision": row[3],
                "purposes": json.loads(row[4])}

    def all(self) -> list[dict]:
        with self._connect() as con:
            rows = con.execute("SELECT consent_id, recorded_at, notice_version, decision, purposes FROM consent "
                               "ORDER BY rowid").fetchall()
        return [{"consent_id": r[0], "recorded_at": r[1], "notice_version": r[2], "decision": r[3],
                 "purposes": json.loads(r[4])} for r in rows]


def _valid_id(value: str) -> bool:
    return 10 <= len(value) <= 40 and all(c.isalnum() or c in "-_" for c in value)


def current_consent(request) -> dict | None:
    """The visitor's recorded choice, if any and if it is for the current notice version."""
    log: ConsentLog = request.app.state.consent
    entry = log.latest(request.cookies.get(COOKIE))
    if entry and entry["notice_version"] == NOTICE_VERSION:
        return entry
    return None


def allows(request, purpose: str) -> bool:
    entry = current_consent(request)
    return bool(entry and purpose in entry["purposes"])


class RateLimit:
    """At most ``limit`` events per ``window_s`` seconds per key (a client address): :meth:`hit` records one and
    returns None, or the whole seconds to wait when the key is over its limit.  Memory is bounded: keys idle
    for a window are dropped."""

    def __init__(self, limit: int = CONSENT_LIMIT[0], window_s: float = CONSENT_LIMIT[1], clock=time.monotonic):
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._hits: dict[str, collections.deque] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> int | None:
        now = self.clock()
        with self._lock:
            if len(self._hits) > 10_000:
                for old in [k for k, q in self._hits.items() if not q or q[-1] <= now - self.window_s]:
                    del self._hits[old]
            times = self._hits.setdefault(key, collections.deque())
            while times and times[0] <= now - self.window_s:
                times.popleft()
            if len(times) >= self.limit:
                return max(1, math.ceil(times[0] + self.window_s - now))
            times.append(now)
            return None

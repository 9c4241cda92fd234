"""Delivering firings from the outbox: a JSON POST signed with HMAC-SHA256, and e-mail over SMTP.

Each firing is queued once per channel (:func:`queue`, in the transaction that stores the firing).  :func:`flush`
sends what is due and marks a delivery ``sent`` only after the receiver acknowledged it (HTTP 2xx; SMTP accepted
the message), committing each on its own.  Every attempt, on either channel, is recorded (``attempts`` + 1 and
``last_error`` = :data:`UNACKNOWLEDGED`, committed) *before* anything is sent, so a sender killed mid-send leaves a
trace and a sender that keeps dying is given up like a receiver that keeps failing.  A failure is retried with
back-off (30 s, doubling, at most an hour; given up as ``failed`` after ``MAX_ATTEMPTS``).  A sender killed between
sending and marking sends the same delivery again on its next run, with the same ``delivery_id`` (header
``X-Signalfire-Delivery``, the e-mail's ``Message-ID``): at least once from here, exactly once for a receiver that
drops a repeated id.

The signature: ``X-Signalfire-Signature: sha256=<hex HMAC-SHA256 of the raw body with the rule's secret>``;
a receiver recomputes it over the body it got and compares in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import urllib.request
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

MAX_ATTEMPTS = 8
FIRST_DELAY_S = 30
MAX_DELAY_S = 3600
TIMEOUT_S = 10
UNACKNOWLEDGED = "sent or sending; no acknowledgement recorded"


def delivery_id(firing_id: str, channel: str, target: str) -> str:
    return hashlib.sha256(f"{firing_id}|{channel}|{target}".encode()).hexdigest()[:24]


def queue(con, firing_id: str, rule: dict) -> None:
    """Queue the firing's deliveries on the rule's channels (inside the caller's transaction)."""
    for channel, target in (("webhook", rule.get("webhook_url")), ("email", rule.get("email_to"))):
        if target:
            con.execute("INSERT INTO alert_outbox VALUES (?, ?, ?, ?, 'pending', 0, now(), NULL, NULL) "
                        "ON CONFLICT DO NOTHING", [delivery_id(firing_id, channel, target), firing_id, channel,
                                                   target])


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def payload(con, delivery: str) -> dict:
    row = con.execute("""SELECT o.delivery_id, f.firing_id, f.rule_id, r.name, CAST(f.fired_at AS VARCHAR),
                                f.subject, f.period, f.level, f.title, f.value, f.baseline, f.evidence, f.trigger
                         FROM alert_outbox o JOIN alert_firings f USING (firing_id)
                         LEFT JOIN alert_rules r ON r.rule_id = f.rule_id WHERE o.delivery_id = ?""",
                      [delivery]).fetchone()
    keys = ("delivery_id", "firing_id", "rule_id", "rule", "fired_at", "subject", "period", "level", "title",
            "value", "baseline", "evidence", "trigger")
    out = dict(zip(keys, row))
    out["evidence"] = json.loads(out["evidence"])
    return out


def _post(url: str, body: bytes, headers: dict) -> None:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:   # the rule's own URL
        if not 200 <= response.status < 300:
            raise OSError(f"HTTP {response.status}")


def _send_webhook(con, delivery: str, url: str, secret: str | None) -> None:
    body = json.dumps(payload(con, delivery), sort_keys=True, default=str).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "signalfire-alerts",
               "X-Signalfire-Delivery": delivery}
    if secret:
        headers["X-Signalfire-Signature"] = signature(secret, body)
    _post(url, body, headers)


def _send_email(con, delivery: str, to: str, smtp_url: str | None) -> None:
    data = payload(con, delivery)
    parts = urlsplit(smtp_url or "smtp://127.0.0.1:25")
    msg = EmailMessage()
    msg["Subject"] = f"[Signalfire {data['level']}] {data['title']}"[:300]
    msg["From"] = "Signalfire alerts <signalfire@localhost>"
    msg["To"] = to
    msg["Message-ID"] = f"<{delivery}@signalfire>"
    msg["X-Signalfire-Delivery"] = delivery
    lines = [data["title"], "", f"Rule: {data['rule']} (#{data['rule_id']})", f"Level: {data['level']}",
             f"Period: {data['period']}", f"Triggered by: {data['trigger']}", "", "Evidence:",
             json.dumps(data["evidence"], indent=1, default=str)]
    msg.set_content("\n".join(lines))
    with smtplib.SMTP(parts.hostname or "127.0.0.1", parts.port or 25, timeout=TIMEOUT_S) as smtp:
        smtp.send_message(msg)


def flush(con, now: datetime | None = None) -> dict:
    """Send every delivery that is due; returns counts {sent, retry, failed}."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    due = con.execute("""SELECT o.delivery_id, o.channel, o.target, o.attempts, r.webhook_secret, r.smtp_url
                         FROM alert_outbox o JOIN alert_firings f USING (firing_id)
                         LEFT JOIN alert_rules r ON r.rule_id = f.rule_id
                         WHERE o.status = 'pending' AND o.next_attempt_at <= ? ORDER BY o.next_attempt_at,
                         o.delivery_id""", [now]).fetchall()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for delivery, channel, target, attempts, secret, smtp_url in due:
        if attempts >= MAX_ATTEMPTS:          # earlier senders died mid-send this many times: give up
            con.execute("UPDATE alert_outbox SET status = 'failed' WHERE delivery_id = ?", [delivery])
            counts["failed"] += 1
            continue
        attempts += 1                         # recorded (and committed) before sending, on every channel
        con.execute("UPDATE alert_outbox SET attempts = ?, last_error = ? WHERE delivery_id = ?",
                    [attempts, UNACKNOWLEDGED, delivery])
        try:
            if channel == "webhook":
                _send_webhook(con, delivery, target, secret)
            else:
                _send_email(con, delivery, target, smtp_url)
        except Exception as exc:  # noqa: BLE001 — any failure is this delivery's failed attempt, never the others':
            # a receiver answering garbage (http.client.BadStatusLine) or a stored URL that cannot be parsed
            # (ValueError) had escaped, stopped the run before the retry time was written, and so blocked every
            # delivery after it for MAX_ATTEMPTS runs
            error = str(exc) if isinstance(exc, (OSError, smtplib.SMTPException)) else f"{type(exc).__name__}: {exc}"
            delay = min(FIRST_DELAY_S * 2 ** (attempts - 1), MAX_DELAY_S)
            status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
            con.execute("UPDATE alert_outbox SET attempts = ?, status = ?, last_error = ?, next_attempt_at = ? "
                        "WHERE delivery_id = ?", [attempts, status, error[:500], now + timedelta(seconds=delay),
                                                  delivery])
            counts["failed" if status == "failed" else "retry"] += 1
            continue
        con.execute("UPDATE alert_outbox SET status = 'sent', sent_at = now(), "
                    "last_error = NULL WHERE delivery_id = ?", [delivery])
        counts["sent"] += 1
    return counts

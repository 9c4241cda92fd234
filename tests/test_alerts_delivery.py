"""Delivery exactly once, with real receivers on 127.0.0.1: a webhook receiver that fails and then recovers, a
sender killed between sending and acknowledging, and an SMTP server (aiosmtpd) that refuses and then accepts."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from signalfire.alerts import deliver, rules
from signalfire.alerts.evaluate import evaluate_pending
from signalfire.sources import get
from signalfire.store.ingest import ingest_file
from signalfire.warehouse import Warehouse

ROOT = Path(__file__).resolve().parents[1]
GED = ROOT / "src" / "signalfire" / "demo" / "ged_ukraine_2014-2023.csv.gz"
SECRET = "s3cret"


class Receiver:
    """An HTTP receiver on 127.0.0.1 that checks the signature, drops repeated delivery ids, and can fail its first
    ``fail_first`` requests or run ``on_request`` before answering."""

    def __init__(self, fail_first: int = 0, on_request=None):
        self.fail_first, self.on_request = fail_first, on_request
        self.requests: list[dict] = []
        self.accepted: dict[str, dict] = {}
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                good = hmac.compare_digest(expected, self.headers.get("X-Signalfire-Signature", ""))
                delivery = self.headers.get("X-Signalfire-Delivery")
                owner.requests.append({"delivery": delivery, "signed": good})
                if owner.on_request:
                    owner.on_request()
                if len(owner.requests) <= owner.fail_first:
                    self.send_response(503)
                    self.end_headers()
                    return
                if good:
                    owner.accepted.setdefault(delivery, json.loads(body))   # a repeat is dropped by its id
                self.send_response(204 if good else 401)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _store_with_firings(path: Path, **channels) -> int:
    with Warehouse(path) as wh:
        rules.add(wh.con, "ring", "events", {"subject": "ring:POL", "threshold": 1000}, **channels)
        ingest_file(wh, get("ucdp-ged"), GED)
        return len(evaluate_pending(wh.con))


def _outbox(path: Path):
    with Warehouse(path, read_only=True) as wh:
        return wh.df("SELECT * FROM alert_outbox ORDER BY delivery_id")


def test_webhook_retried_with_backoff_through_an_outage_arrives_once_signed(tmp_path):
    receiver = Receiver(fail_first=3)
    try:
        n = _store_with_firings(tmp_path / "a.duckdb", webhook_url=receiver.url, webhook_secret=SECRET)
        assert n > 1
        with Warehouse(tmp_path / "a.duckdb") as wh:
            first = deliver.flush(wh.con)
            assert first == {"sent": n - 3, "retry": 3, "failed": 0}
            assert deliver.flush(wh.con)["sent"] == 0                 # not due yet: backing off
            later = datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=deliver.FIRST_DELAY_S + 1)
            assert deliver.flush(wh.con, now=later) == {"sent": 3, "retry": 0, "failed": 0}
            assert deliver.flush(wh.con, now=later + timedelta(hours=2))["sent"] == 0
        box = _outbox(tmp_path / "a.duckdb")
        assert (box.status == "sent").all() and sorted(box.attempts.tolist()) == [1] * (n - 3) + [2] * 3
        assert len(receiver.accepted) == n and all(r["signed"] for r in receiver.requests)
        payload = next(iter(receiver.accepted.values()))
        assert payload["delivery_id"] in receiver.accepted and payload["evidence"]["events"]
    finally:
        receiver.close()


def test_a_receiver_down_for_good_is_given_up_after_max_attempts(tmp_path):
    receiver = Receiver(fail_first=10**6)
    try:
        n = _store_with_firings(tmp_path / "a.duckdb", webhook_url=receiver.url, webhook_secret=SECRET)
        when = datetime.now(UTC).replace(tzinfo=None)
        with Warehouse(tmp_path / "a.duckdb") as wh:
            for _ in range(deliver.MAX_ATTEMPTS):
                deliver.flush(wh.con, now=when)
                when += timedelta(seconds=deliver.MAX_DELAY_S + 1)
        box = _outbox(tmp_path / "a.duckdb")
        assert (box.status == "failed").all() and (box.attempts == deliver.MAX_ATTEMPTS).all()
        assert box.last_error.str.contains("503").all() and len(box) == n
    finally:
        receiver.close()


def test_sender_killed_between_send_and_acknowledgement_delivers_exactly_once(tmp_path):
    store = tmp_path / "a.duckdb"
    state = {"proc": None}

    def kill_sender():
        if state["proc"] is not None and len(receiver.requests) == 2:
            os.kill(state["proc"].pid, signal.SIGKILL)     # the second request reached us: kill the sender now
            state["proc"].wait()
    receiver = Receiver(on_request=kill_sender)
    try:
        n = _store_with_firings(store, webhook_url=receiver.url, webhook_secret=SECRET)
        cmd = [sys.executable, "-m", "signalfire.cli", "alerts", "deliver", "--store", str(store)]
        state["proc"] = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        state["proc"].wait(timeout=120)
        assert state["proc"].returncode == -signal.SIGKILL
        # the killed sender had marked the first delivery sent, not the second: the store says it is pending
        box = _outbox(store)
        assert (box.status == "sent").sum() == 1
        state["proc"] = None
        again = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr
        box = _outbox(store)
        assert (box.status == "sent").all()
        assert len(receiver.requests) == n + 1          # the second delivery was sent twice …
        assert len(receiver.accepted) == n              # … and the receiver dropped the repeat by its id
        repeated = [r["delivery"] for r in receiver.requests]
        assert repeated[1] in repeated[2:]
    finally:
        receiver.close()


def test_email_over_smtp_through_a_refusal_arrives_once(tmp_path):
    aiosmtpd = pytest.importorskip("aiosmtpd.controller")

    class Handler:
        def __init__(self):
            self.messages, self.calls = [], 0

        async def handle_DATA(self, server, session, envelope):
            self.calls += 1
            if self.calls == 1:
                return "451 4.3.0 try again later"
            self.messages.append(envelope.content.decode("utf-8", "replace"))
            return "250 OK"

    import socket
    with socket.socket() as probe:       # a free port on loopback (the controller checks it can connect to it)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Handler()
    controller = aiosmtpd.Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        n = _store_with_firings(tmp_path / "a.duckdb", email_to="analyst@example.org",
                                smtp_url=f"smtp://127.0.0.1:{port}")
        with Warehouse(tmp_path / "a.duckdb") as wh:
            assert deliver.flush(wh.con) == {"sent": n - 1, "retry": 1, "failed": 0}
            later = datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=deliver.FIRST_DELAY_S + 1)
            assert deliver.flush(wh.con, now=later) == {"sent": 1, "retry": 0, "failed": 0}
        assert len(handler.messages) == n
        ids = {line.split(":", 1)[1].strip() for m in handler.messages for line in m.splitlines()
               if line.lower().startswith("message-id:")}
        assert len(ids) == n
        assert any("2022-02" in m and "Subject: [Signalfire red]" in m for m in handler.messages)
    finally:
        controller.stop()


def test_email_sender_killed_between_smtp_acceptance_and_acknowledgement_arrives_once(tmp_path):
    """The webhook test's kill, on the SMTP path: the receiver accepts the second message and kills the sender
    before it can mark the delivery sent; the restarted sender sends it again with the same Message-ID, and a
    receiver that keeps one message per Message-ID (as a mail store does) ends with exactly one of each."""
    aiosmtpd = pytest.importorskip("aiosmtpd.controller")
    import socket
    from email import message_from_bytes
    store = tmp_path / "a.duckdb"
    state = {"proc": None}

    class Handler:
        def __init__(self):
            self.received: list[str] = []          # every Message-ID accepted, repeats included
            self.mailbox: dict[str, str] = {}      # one message per Message-ID

        async def handle_DATA(self, server, session, envelope):
            msg = message_from_bytes(envelope.content)
            self.received.append(msg["Message-ID"])
            self.mailbox.setdefault(msg["Message-ID"], msg["Subject"])
            if state["proc"] is not None and len(self.received) == 2:
                os.kill(state["proc"].pid, signal.SIGKILL)   # accepted here, but the sender never hears "250"
                state["proc"].wait()
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Handler()
    controller = aiosmtpd.Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        n = _store_with_firings(store, email_to="analyst@example.org", smtp_url=f"smtp://127.0.0.1:{port}")
        assert n > 2
        cmd = [sys.executable, "-m", "signalfire.cli", "alerts", "deliver", "--store", str(store)]
        state["proc"] = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        state["proc"].wait(timeout=120)
        assert state["proc"].returncode == -signal.SIGKILL
        box = _outbox(store)
        assert (box.status == "sent").sum() == 1 and (box.channel == "email").all()
        # the attempt on the killed delivery was recorded before the message went out
        killed = box[(box.status == "pending") & (box.attempts == 1)]
        assert len(killed) == 1 and killed.last_error.iloc[0] == deliver.UNACKNOWLEDGED
        assert f"<{killed.delivery_id.iloc[0]}@signalfire>" == handler.received[1]
        state["proc"] = None
        again = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr
        box = _outbox(store)
        assert (box.status == "sent").all() and box.last_error.isna().all()
        assert sorted(box.attempts.tolist()) == [1] * (n - 1) + [2]
        assert len(handler.received) == n + 1                          # the second message was sent twice …
        assert handler.received.count(handler.received[1]) == 2        # … with the same Message-ID …
        assert len(handler.mailbox) == n                               # … and the mailbox holds it once
        assert set(handler.mailbox) == {f"<{d}@signalfire>" for d in box.delivery_id}
    finally:
        controller.stop()


def test_a_receiver_that_answers_garbage_blocks_no_other_delivery(tmp_path):
    """A receiver answering a line that is not HTTP raised http.client.BadStatusLine out of flush (exit 1), before
    the retry time was written: every run stopped there, and the good receiver's deliveries never left."""
    import socket
    garbage = socket.socket()
    garbage.bind(("127.0.0.1", 0))
    garbage.listen(8)

    def answer():
        while True:
            try:
                conn, _ = garbage.accept()
            except OSError:
                return
            conn.recv(65536)
            conn.sendall(b"GARBAGE\r\n")
            conn.close()
    threading.Thread(target=answer, daemon=True).start()
    good = Receiver()
    path = tmp_path / "g.duckdb"
    try:
        with Warehouse(path) as wh:
            rules.add(wh.con, "bad", "events", {"subject": "UKR", "threshold": 1000},
                      webhook_url=f"http://127.0.0.1:{garbage.getsockname()[1]}/hook", webhook_secret=SECRET)
            rules.add(wh.con, "good", "events", {"subject": "UKR", "threshold": 1000}, webhook_url=good.url,
                      webhook_secret=SECRET)
            ingest_file(wh, get("ucdp-ged"), GED)
            fired = len(evaluate_pending(wh.con)) // 2
            counts = deliver.flush(wh.con)
        assert counts == {"sent": fired, "retry": fired, "failed": 0}
        assert len(good.accepted) == fired > 0
        box = _outbox(path)
        assert box[box.status == "pending"].last_error.str.startswith("BadStatusLine").all()
    finally:
        good.close()
        garbage.close()


def test_removing_a_rule_gives_up_its_pending_deliveries(tmp_path):
    """Without the rule, its queued e-mails had been retried against the default SMTP server (its smtp_url gone)."""
    path = tmp_path / "r.duckdb"
    fired = _store_with_firings(path, email_to="analyst@example.org", smtp_url="smtp://127.0.0.1:9")
    assert fired > 0
    with Warehouse(path) as wh:
        rules.remove(wh.con, 1)
        assert deliver.flush(wh.con) == {"sent": 0, "retry": 0, "failed": 0}      # nothing tried any more
    box = _outbox(path)
    assert len(box) == fired and (box.status == "failed").all() and (box.last_error == "the rule was removed").all()

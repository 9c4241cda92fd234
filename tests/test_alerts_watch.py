"""`signalfire watch FOLDER --once`: a file dropped into FOLDER/<source>/ is ingested, the rules are evaluated and
the firings delivered; a restart (a second look) repeats no ingest, no firing and no delivery."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from test_alerts_delivery import SECRET, Receiver

from signalfire.alerts import rules
from signalfire.warehouse import Warehouse

GED = Path(__file__).resolve().parents[1] / "src" / "signalfire" / "demo" / "ged_ukraine_2014-2023.csv.gz"


def test_watch_ingests_evaluates_delivers_and_repeats_nothing(tmp_path):
    store, inbox = tmp_path / "w.duckdb", tmp_path / "inbox"
    (inbox / "ucdp-ged").mkdir(parents=True)
    (inbox / "not-a-source").mkdir()
    receiver = Receiver()
    try:
        with Warehouse(store) as wh:
            rules.add(wh.con, "ring", "events", {"subject": "ring:POL", "threshold": 1000},
                      webhook_url=receiver.url, webhook_secret=SECRET)
        shutil.copyfile(GED, inbox / "ucdp-ged" / GED.name)
        cmd = [sys.executable, "-m", "signalfire.cli", "watch", str(inbox), "--once", "--store", str(store)]
        first = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=300)
        assert first.returncode == 0, first.stderr
        log = first.stderr + first.stdout
        assert f"ingest ucdp-ged {GED.name}: read" in log and "alerts:" in log
        with Warehouse(store, read_only=True) as wh:
            firings = wh.con.execute("SELECT count(*) FROM alert_firings").fetchone()[0]
            runs = wh.con.execute("SELECT count(*) FROM ingest_runs").fetchone()[0]
        assert firings > 0 and runs == 1 and len(receiver.accepted) == firings
        again = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=300)   # a restart
        assert again.returncode == 0, again.stderr
        assert "ingest ucdp-ged" not in again.stderr + again.stdout
        with Warehouse(store, read_only=True) as wh:
            assert wh.con.execute("SELECT count(*) FROM alert_firings").fetchone()[0] == firings
            assert wh.con.execute("SELECT count(*) FROM ingest_runs").fetchone()[0] == 1
        assert len(receiver.requests) == firings          # nothing delivered twice
    finally:
        receiver.close()


def test_watch_on_a_missing_folder_is_a_clear_error(tmp_path):
    from cli_support import run_cli
    done = run_cli("watch", tmp_path / "nope", "--once", "--store", tmp_path / "s.duckdb", check=False)
    assert done.returncode == 2 and "no such folder" in done.stderr


def test_watch_shows_a_file_names_escapes_escaped(tmp_path):
    """The log line had carried a dropped file's name raw: ESC sequences and an OSC window title reached the terminal."""
    store, inbox = tmp_path / "w.duckdb", tmp_path / "inbox"
    (inbox / "ucdp-ged").mkdir(parents=True)
    shutil.copyfile(GED, inbox / "ucdp-ged" / "a\x1b[31mred\x1b]0;pwned\x07.csv.gz")
    done = subprocess.run([sys.executable, "-m", "signalfire.cli", "watch", str(inbox), "--once", "--store",
                           str(store)], check=False, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    log = done.stderr + done.stdout
    assert "\x1b" not in log and "\x07" not in log
    assert "a\\x1b[31mred\\x1b]0;pwned\\x07.csv.gz: read" in log

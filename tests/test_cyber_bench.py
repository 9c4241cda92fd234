"""Smoke run of the STIX benchmark on the shipped ATT&CK excerpt: one JSON line, the same objects back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_bench_stix_prints_one_json_line(fixtures_dir):
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "stix.py"), "--bundle",
                           str(fixtures_dir / "cyber" / "attack_excerpt.json"), "--validate", "all"],
                          check=False, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert result["objects"] == result["ingest"]["read"] == result["ingest"]["new"] == 11
    assert result["baseline_stix2_parse"]["objects"] == 11
    assert result["export"]["same_counts_by_type"] is True
    assert result["export"]["validated"] == {**result["export"]["validated"], "objects": 11, "invalid": 0}
    assert result["speedup"] > 0

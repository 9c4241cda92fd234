"""Shared fixtures.

``shared_data(rel)`` returns a path under ``../shared/data`` or skips the test with a reason when it is absent
(restricted datasets such as ACLED and GTD are never shipped with the project).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SIGNALFIRE_SHARED_DATA", ROOT.parent / "shared" / "data"))
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_path(rel: str) -> Path:
    path = SHARED / rel
    if not path.exists():
        pytest.skip(f"{rel} is not in {SHARED} (restricted or absent data; tests that need it skip)")
    return path


@pytest.fixture
def shared_data():
    return shared_path


@pytest.fixture
def store(tmp_path):
    from signalfire.warehouse import Warehouse
    wh = Warehouse(tmp_path / "test.duckdb")
    yield wh
    wh.close()


@pytest.fixture
def fixtures_dir():
    return FIXTURES

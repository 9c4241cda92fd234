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


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """A store holding the bundled demo data, built once per test run and shared by the xdist workers (the first
    worker builds it under a file lock; the others wait and reuse it).  Never open it for writing: copy it with
    :func:`demo_copy`."""
    import fcntl
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    path = root / "demo-template.duckdb"
    with open(root / "demo-template.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            from signalfire.demo import load_demo
            from signalfire.warehouse import Warehouse
            building = root / "demo-template.building.duckdb"
            building.unlink(missing_ok=True)
            with Warehouse(building) as wh:
                load_demo(wh)
            building.rename(path)
    return path


def demo_copy(template: Path, folder: Path, name: str = "demo.duckdb") -> Path:
    """A private, writable copy of the demo store in ``folder`` (what an empty store holds once a server or
    ``create_app`` has loaded the demo data into it)."""
    import shutil
    target = Path(folder) / name
    shutil.copyfile(template, target)
    return target


def pytest_collection_modifyitems(config, items):
    """Modules with slow or browser tests first, the others after, each group in its usual order.  Under
    ``--dist loadscope`` (scripts/test.sh) a module is one unit of work, handed to the workers in this order: the
    long ones start early and the short ones fill in at the end, so no worker is left alone with a long module
    while the other idles (in file order the browser modules, ``test_web_*``, came last)."""
    heavy = {item.module.__name__ for item in items if getattr(item, "module", None) is not None
             and (item.get_closest_marker("slow") or item.get_closest_marker("browser"))}
    items.sort(key=lambda item: getattr(item, "module", None) is None or item.module.__name__ not in heavy)

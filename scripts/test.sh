#!/usr/bin/env bash
# Set up and run the whole test suite (browser tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
# lint first: the style the codebase has stays (pyproject.toml's [tool.ruff]; ruff comes with the test extras)
.venv/bin/ruff check src tests bench scripts
# --dist loadscope: a module's tests run on one worker, so its module-scoped store, server or Spark session is built
# once (with the default distribution each worker built its own; --dist loadgroup did not group here: xdist 3.8
# under pytest 9 left the xdist_group marks' tests on both workers)
# -n 3 on CI's 2 cores: the suite keeps both cores busy (vmstat every 10 s on a fresh clone: 0% idle from the first
# test to the last); a third worker only fills the short waits (servers starting, pages loading) and keeps its share
# of the CPU beside another job. Fresh clone, idle machine, 30 November: 798 s at three workers.
exec .venv/bin/python -m pytest -n "${SIGNALFIRE_TEST_WORKERS:-3}" --dist loadscope -q --durations=30 "$@"

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
# -n 3 on CI's 2 cores. Fresh clones on an idle machine: two workers 920-950 s (four runs), three 916 s (one run):
# the suite is bound by CPU there, a third worker only fills the short waits (servers starting, pages loading).
# On a loaded machine it keeps more of the CPU: back to back beside the same other job, two workers took 1,233 s,
# three 1,050 s.
exec .venv/bin/python -m pytest -n "${SIGNALFIRE_TEST_WORKERS:-3}" --dist loadscope -q --durations=30 "$@"

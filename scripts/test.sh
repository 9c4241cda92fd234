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
exec .venv/bin/python -m pytest -n 2 --dist loadscope -q --durations=30 "$@"

#!/usr/bin/env bash
# Set up and run the whole test suite (browser tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
# lint first: the style the codebase has stays (pyproject.toml's [tool.ruff]; ruff comes with the test extras)
.venv/bin/ruff check src tests bench scripts
# --dist loadgroup: a browser module (marked with its xdist group) runs on one worker, so its server is built once
exec .venv/bin/python -m pytest -n 2 --dist loadgroup -q --durations=30 "$@"

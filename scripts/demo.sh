#!/usr/bin/env bash
# Set up and run the main job: the dashboard and API on the bundled demo data, at http://127.0.0.1:8000
# (the server loads the demo data itself when the store is empty).  Extra arguments go to `signalfire serve`,
# e.g. scripts/demo.sh --port 8080 --store /tmp/demo.duckdb
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/signalfire serve "$@"

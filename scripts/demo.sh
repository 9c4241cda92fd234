#!/usr/bin/env bash
# Set up and run the main job on the bundled demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/signalfire demo "$@"

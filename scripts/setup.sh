#!/usr/bin/env bash
# Set up Signalfire on a fresh machine: a virtual environment at .venv with the package and its extras,
# and the front-end libraries from npm (served by the app itself, never from a CDN).
#   scripts/setup.sh            runtime (web + forecast)
#   scripts/setup.sh --test     also the test tools and Debian's Chromium for the browser tests
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PY" -m venv .venv
fi
extras="web,forecast,reports"
[ $want_test = 1 ] && extras="web,forecast,reports,test,spark"
echo "==> installing signalfire[$extras] into .venv"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[$extras]" -c constraints.txt 2>&1 | grep -v '^WARNING: Location' || true
.venv/bin/python -c "import signalfire, duckdb" || { echo "python install failed" >&2; exit 1; }

if [ -f package.json ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "==> installing front-end libraries (npm)"
    npm install --no-audit --no-fund --silent >/dev/null
    .venv/bin/python scripts/vendor_assets.py
  else
    echo "npm not found: install Node.js (Debian: apt-get install nodejs npm)" >&2; exit 1
  fi
fi

# Debian packages the tests need: chromium (browser tests), poppler-utils (pdftotext/pdftoppm on briefings),
# a Java runtime (the Spark parity test)
if [ $want_test = 1 ] && { [ ! -x /usr/bin/chromium ] || ! command -v pdftotext >/dev/null || ! command -v java >/dev/null; }; then
  echo "==> installing Debian's chromium, poppler-utils and a Java runtime for the tests"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null
  pkgs="chromium poppler-utils"
  command -v java >/dev/null || pkgs="$pkgs default-jre-headless"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $pkgs >/dev/null
fi
echo "==> set up"

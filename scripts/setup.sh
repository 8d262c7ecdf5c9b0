#!/usr/bin/env bash
# Create (or update) the project's virtualenv in .venv with the given extras (default: examples).
# Usage: bash scripts/setup.sh [extras]    e.g. bash scripts/setup.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-examples}"
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
stamp=".venv/.slipstream-$extras-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet -e ".[$extras]"
  touch "$stamp"
fi

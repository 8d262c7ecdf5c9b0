#!/usr/bin/env bash
# Create (or update) the project's virtualenv in .venv with the given extras (default: examples).
# Usage: bash scripts/setup.sh [extras]    e.g. bash scripts/setup.sh test
# Also builds the console (scripts/build_ui.sh, skipped when ui/ is unchanged); the test extra
# also installs Debian's chromium for the browser tests (Playwright never downloads its own).
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
if [[ ",$extras," == *",test,"* ]] && [ ! -x /usr/bin/chromium ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get install -y -q chromium >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; } \
      || echo "setup: could not install chromium; the browser tests (-m ui) will be skipped" >&2
  else
    echo "setup: /usr/bin/chromium is missing (apt-get install chromium as root); the browser tests will be skipped" >&2
  fi
fi
bash scripts/build_ui.sh

#!/usr/bin/env bash
# Set up and run the main job: the adaptive retraining pipeline on the embedded defaults
# (SQLite + a local artifact folder under SLIPSTREAM_HOME, default ~/.slipstream).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh examples
exec .venv/bin/slipstream run examples/retraining.py:retrain "$@"

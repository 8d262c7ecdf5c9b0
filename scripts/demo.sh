#!/usr/bin/env bash
# Set up and run the main job: the adaptive retraining pipeline as a closed loop on the embedded
# defaults (SQLite + a local artifact folder under SLIPSTREAM_HOME, default ~/.slipstream):
# train and register v1, serve it, drifted traffic, the monitor fires retraining through a
# launch plan, the better model is promoted and hot-swapped in. Options pass through
# (e.g. --n-c-values 3, --min-gain 0.2); see examples/retraining_loop.py --help.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh examples
exec .venv/bin/python examples/retraining_loop.py "$@"

#!/usr/bin/env bash
# Set up and run the whole test suite. PostgreSQL is expected at 127.0.0.1:5432 (trust auth,
# database `test`); override with SLIPSTREAM_TEST_POSTGRES_URL. S3 is a local moto server the
# tests start themselves. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
export SLIPSTREAM_TEST_POSTGRES_URL="${SLIPSTREAM_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/test}"
if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "PostgreSQL is not answering on 127.0.0.1:5432; trying to start it" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
if [ "$#" -eq 0 ] && [ -d ui/node_modules ]; then
  (cd ui && npm test --silent -- --reporter=dot)   # the console's Vitest tests (~1 s)
fi
set +e
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests for this selection"
  exit 0
fi
exit "$status"

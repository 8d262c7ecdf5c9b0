#!/usr/bin/env bash
# Build the console (ui/) into the Python package: src/slipstream/server/ui_dist/, which
# `slipstream server` and `slipstream ui` serve at /. Skipped when the ui sources and lock file
# are unchanged since the last build (a hash stamp in the bundle); `--force` rebuilds anyway.
# Needs Node.js 20+ and npm; without them it says so and leaves the server without a console.
set -euo pipefail
cd "$(dirname "$0")/.."
out="src/slipstream/server/ui_dist"
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  echo "build_ui: node/npm not found: the console is not built (the REST API works without it)" >&2
  exit 0
fi
hash=$(cd ui && find package.json package-lock.json index.html vite.config.ts tsconfig.json src \
         -type f ! -name '*.test.ts' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
if [ "${1:-}" != "--force" ] && [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$hash" ] \
   && [ -f "$out/index.html" ]; then
  exit 0
fi
lock=$(sha256sum ui/package-lock.json | cut -c1-16)
if [ ! -f ui/node_modules/.slipstream-lock ] || [ "$(cat ui/node_modules/.slipstream-lock)" != "$lock" ]; then
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock" > ui/node_modules/.slipstream-lock
fi
(cd ui && SLIPSTREAM_UI_OUT="../$out" npm run --silent build -- --logLevel warn)
echo "$hash" > "$out/.stamp"
echo "build_ui: console built into $out"

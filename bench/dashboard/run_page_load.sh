#!/bin/sh
# Dashboard page-load benchmark (docs/performance.md, "Dashboard page
# load"): builds the release binary and bench_populate if needed, then runs
# bench/dashboard/page_load.js, which fills a fresh database with 10k
# wallets and 10k trades, starts `walltrack serve` on it and times every
# page in headless chromium.
#
#   bench/dashboard/run_page_load.sh [--runs N] [--data DIR] [--json FILE]
#                                    [--wallets N] [--trades N] [--pages a,b]
#
# Needs what scripts/setup.sh installs (chromium, node, node_modules).
# JOBS=n limits the build's parallel jobs (default: every core).
set -eu
cd "$(dirname "$0")/../.."
if [ ! -d node_modules/playwright-core ] || [ ! -x /usr/bin/chromium ]; then
  echo "run_page_load: node_modules or chromium is missing: run scripts/setup.sh" >&2
  exit 2
fi
make release ${JOBS:+JOBS=$JOBS} >/dev/null
exec node bench/dashboard/page_load.js "$@"

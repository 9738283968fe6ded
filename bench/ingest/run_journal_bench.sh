#!/usr/bin/env bash
# The cost of the engine journal (engine.journal, docs/backtest.md
# "Fidelity") on the webhook path: walltrack serve with the journal on and
# off, alternated, each under the same load (bench_webhook: bodies of 100
# real Jupiter swaps over 4 connections) in the same run. Prints each run's
# throughput, the journal rows written and the swaps stored.
#
#   bench/ingest/run_journal_bench.sh [seconds=8] [rounds=2]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-8}
ROUNDS=${2:-2}
SECRET=bench-secret-123456
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-release --target walltrack bench_webhook >/dev/null
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
first=0
run() { # $1: true / false
  local data="$tmp/data-$first"
  rm -f "$tmp/port"
  WALLTRACK_WEBHOOK_SECRET=$SECRET ./build-release/walltrack serve --listen 127.0.0.1:0 \
    --port-file "$tmp/port" --data "$data" --log-level warn --set "engine.journal=$1" &
  local pid=$!
  for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
  local out
  out=$(./build-release/bench_webhook "http://127.0.0.1:$(cat "$tmp/port")/webhooks/helius" \
    "$SECRET" "$SECS" 4 100 "$first")
  first=$((first + 10000000))
  kill -TERM "$pid"
  wait "$pid" || true
  echo "journal=$1 $out journal_rows=$(sqlite3 "$data/walltrack.db" \
    'select count(*) from engine_journal') swaps=$(sqlite3 "$data/walltrack.db" \
    'select count(*) from swaps')"
}
for _ in $(seq "$ROUNDS"); do run true; run false; done

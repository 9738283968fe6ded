#!/usr/bin/env bash
# Restart time against stored history, the engine's warm-up in the
# background or first (docs/operations.md, "Restart time"): loads one
# database with the campaign's load (soak_load) for SECONDS, stops it
# cleanly, then starts `serve` on it TRIALS times in each mode and reports,
# per start, spawn to /healthz 200 and spawn to the end of the warm-up (the
# log's "restored in the background", or /healthz for a warm-up first).
#
#   tests/soak/restart_time.sh [--seconds 60] [--trials 3] [--build DIR] [--out DIR]
#
# Not part of ctest. Prints one table; the machine's load average is in
# its header (times on a shared machine are context, not verdicts).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
SECS=60 TRIALS=3 BUILD=build-release OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECS=$2; shift ;;
    --trials) TRIALS=$2; shift ;;
    --build) BUILD=$2; shift ;;
    --out) OUT=$2; shift ;;
    *) echo "restart_time.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ -f "$BUILD/CMakeCache.txt" ] || cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null || exit 1
cmake --build "$BUILD" --target walltrack soak_load >/dev/null || exit 1
WT=$ROOT/$BUILD/walltrack LOAD=$ROOT/$BUILD/soak_load
[[ "$BUILD" = /* ]] && WT=$BUILD/walltrack LOAD=$BUILD/soak_load
[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/walltrack-restart.XXXXXX)
mkdir -p "$OUT/data"
SECRET=soak-webhook-secret-0123456789
now_ms() { date +%s%3N; }
DPID=""
trap '[ -n "$DPID" ] && kill -9 "$DPID" 2>/dev/null' EXIT

# start MODE(true|false): sets DPID DPORT HEALTH_MS WARM_MS.
start() {
  : >"$OUT/serve.log"
  rm -f "$OUT/port"
  local t0; t0=$(now_ms)
  env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/tmp WALLTRACK_WEBHOOK_SECRET=$SECRET \
    WALLTRACK_DEXSCREENER_API_URL= "$WT" serve --listen 127.0.0.1:0 --port-file "$OUT/port" \
    --data "$OUT/data" --set "engine.warmup_background=$1" >>"$OUT/serve.log" 2>&1 &
  DPID=$!
  DPORT="" HEALTH_MS="" WARM_MS=""
  while [ -z "$WARM_MS" ] && kill -0 "$DPID" 2>/dev/null; do
    [ -z "$DPORT" ] && [ -s "$OUT/port" ] && DPORT=$(cat "$OUT/port")
    if [ -z "$HEALTH_MS" ] && [ -n "$DPORT" ] &&
      [ "$(curl -s -o /dev/null -w '%{http_code}' -m 2 "http://127.0.0.1:$DPORT/healthz")" = 200 ]; then
      HEALTH_MS=$(( $(now_ms) - t0 ))
      [ "$1" = false ] && WARM_MS=$HEALTH_MS
    fi
    grep -q "restored in the background" "$OUT/serve.log" && WARM_MS=$(( $(now_ms) - t0 ))
    sleep 0.02
  done
}
stop() { kill -TERM "$DPID"; wait "$DPID" 2>/dev/null; DPID=""; }

start true
WALLTRACK_WEBHOOK_SECRET=$SECRET "$LOAD" load "http://127.0.0.1:$DPORT/webhooks/helius" \
  --conns 8 --tx-per-body 100 --rate 0 --seconds "$SECS" --first-id 1 >"$OUT/load.txt" 2>&1
stop
SWAPS=$(sqlite3 -readonly "$OUT/data/walltrack.db" "select count(*) from swaps")
echo "Restart time: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD), $SWAPS stored swaps, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| warm-up | start | spawn to /healthz 200 | spawn to warm |"
echo "|---|---|---|---|"
for t in $(seq 1 "$TRIALS"); do
  for mode in true false; do
    start "$mode"
    stop
    echo "| $([ $mode = true ] && echo background || echo first) | $t | $(awk -v m="$HEALTH_MS" 'BEGIN{printf "%.2f s", m/1000}') | $(awk -v m="$WARM_MS" 'BEGIN{printf "%.2f s", m/1000}') |"
  done
done
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# Webhook end to end (auth, parse, decode, durable commit, 200) for walltrack
# (in both durability modes: fsync'd commits, the default, and
# db.relaxed_sync=true) and for the seed's stack (seed_reference.py), in the
# same run, with the same load generator (bench_webhook) on the other core.
# Each server is pinned to one core with taskset. Prints the results, the
# ratios, and checks that every acknowledged transaction was stored.
# With rounds > 1 the three servers take turns that many times (the speed
# of a shared host drifts within minutes) and the ratios of each round and
# their medians are printed.
# Each line also gives the server's CPU per transaction (user + system time
# from /proc over the load, divided by the transactions acknowledged).
#
# With WT_BENCH_CEILING=1 a fourth server takes its turn: walltrack built
# from a throwaway worktree with ceiling_nostore.patch applied, which
# acknowledges each body after its decode without storing anything. It is
# never a product build: it measures the ceiling of the HTTP, parse and
# decode path on one core, above which no store design can lift the webhook.
#
#   [WT_BENCH_CEILING=1] bench/ingest/run_webhook_bench.sh [seconds=10] [connections=4] [rounds=1]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-10}
CONNS=${2:-4}
ROUNDS=${3:-1}
CEILING=${WT_BENCH_CEILING:-0}
SECRET=bench-secret-123456

# The reference needs FastAPI and uvicorn (Debian packages); the product does not.
need=()
for p in python3-fastapi python3-uvicorn sqlite3; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-release --target walltrack bench_webhook >/dev/null

tmp=$(mktemp -d)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  if [ -d "$tmp/ceiling" ]; then git worktree remove --force "$tmp/ceiling" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ "$CEILING" = 1 ]; then
  echo "== building the no-store ceiling (ceiling_nostore.patch on a worktree of HEAD)" >&2
  git worktree add -q --detach "$tmp/ceiling" HEAD
  git -C "$tmp/ceiling" apply "$PWD/bench/ingest/ceiling_nostore.patch"
  ln -s "$PWD/node_modules" "$tmp/ceiling/node_modules"
  cmake -S "$tmp/ceiling" -B "$tmp/ceiling/build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$tmp/ceiling/build" --target walltrack >/dev/null
fi

# CPU seconds (user + system) a process has used so far, from /proc.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }
# "cpu_us_per_tx=…" from two cpu_s readings and bench_webhook's line.
cpu_per_tx() {
  awk -v a="$1" -v b="$2" -v tx="$(sed -E 's/.* tx=([0-9]+).*/\1/' <<<"$3")" \
    'BEGIN{printf "cpu_us_per_tx=%.2f", tx ? (b - a) * 1e6 / tx : 0}'
}

# walltrack in both durability modes: fsync'd commits (the default) and
# db.relaxed_sync=true (synced only at checkpoints).
run_walltrack() { # $1: label, $2: data dir, rest: extra serve arguments
  local label=$1 data=$2 bin=./build-release/walltrack; shift 2
  [ "$label" = ceiling ] && bin=$tmp/ceiling/build/walltrack
  echo "== walltrack $label (release, pinned to core 1)" >&2
  rm -f "$tmp/port"
  WALLTRACK_WEBHOOK_SECRET=$SECRET taskset -c 1 "$bin" serve \
    --listen 127.0.0.1:0 --port-file "$tmp/port" --data "$data" --log-level warn "$@" &
  local pid=$!
  for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
  local out c0 c1
  c0=$(cpu_s "$pid")
  out=$(taskset -c 0 ./build-release/bench_webhook "http://127.0.0.1:$(cat "$tmp/port")/webhooks/helius" \
       "$SECRET" "$SECS" "$CONNS" 100 0)
  c1=$(cpu_s "$pid")
  out="$out $(cpu_per_tx "$c0" "$c1" "$out")"
  echo "$out" >&2
  kill -TERM "$pid"; wait "$pid" || true
  if [ "$label" = ceiling ]; then echo "$out"; return; fi # it stores nothing by design
  local stored tx
  stored=$(sqlite3 "$data/walltrack.db" "select count(*) from swaps")
  tx=$(sed -E 's/.* tx=([0-9]+).*/\1/' <<<"$out")
  echo "stored $stored swaps for $tx acknowledged transactions; WAL left: $(stat -c %s "$data/walltrack.db-wal" 2>/dev/null || echo 0) bytes" >&2
  [ "$stored" -ge "$tx" ] || { echo "LOST: walltrack acknowledged more than it stored" >&2; exit 1; }
  echo "$out"
}

run_seed() { # $1: database path
  echo "== seed stack: FastAPI + uvicorn (1 worker) + json + SQLite WAL (pinned to core 1)" >&2
  (cd bench/ingest && SEED_DB="$1" SEED_SECRET=$SECRET exec taskset -c 1 \
    /usr/bin/python3 -m uvicorn seed_reference:app --host 127.0.0.1 --port 18099 --workers 1 \
    --log-level warning) &
  local pid=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:18099/docs" && break; sleep 0.1
  done
  local out c0 c1
  c0=$(cpu_s "$pid")
  out=$(taskset -c 0 ./build-release/bench_webhook "http://127.0.0.1:18099/webhooks/helius" \
       "$SECRET" "$SECS" "$CONNS" 100 100000000)
  c1=$(cpu_s "$pid")
  out="$out $(cpu_per_tx "$c0" "$c1" "$out")"
  echo "$out" >&2
  kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  local stored tx
  stored=$(sqlite3 "$1" "select count(*) from swaps")
  tx=$(sed -E 's/.* tx=([0-9]+).*/\1/' <<<"$out")
  echo "stored $stored swaps for $tx acknowledged transactions" >&2
  echo "$out"
}

rate() { sed -E 's/.*tx_per_s=([0-9]+).*/\1/' <<<"$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", a/b}'; }
median() { sort -n | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

fs=() rl=() sd=() rf=() rr=() cl=() rc=()
for round in $(seq "$ROUNDS"); do
  [ "$ROUNDS" -gt 1 ] && echo "== round $round of $ROUNDS" >&2
  out=$(run_walltrack "fsync'd (default)" "$tmp/wt$round") # exits on a loss
  a=$(rate "$out")
  out=$(run_walltrack "relaxed (db.relaxed_sync=true)" "$tmp/wtr$round" --set db.relaxed_sync=true)
  r=$(rate "$out")
  out=$(run_seed "$tmp/seed$round.db")
  b=$(rate "$out")
  fs+=("$a") rl+=("$r") sd+=("$b") rf+=("$(ratio "$a" "$b")") rr+=("$(ratio "$r" "$b")")
  echo "round $round: walltrack fsync'd $a tx/s, relaxed $r tx/s, seed stack $b tx/s;" \
       "ratio fsync'd / seed $(ratio "$a" "$b")x, relaxed / seed $(ratio "$r" "$b")x"
  if [ "$CEILING" = 1 ]; then
    out=$(run_walltrack ceiling "$tmp/wtc$round")
    c=$(rate "$out")
    cl+=("$c") rc+=("$(ratio "$c" "$b")")
    echo "round $round: no-store ceiling $c tx/s, $(ratio "$c" "$b")x the seed stack"
  fi
done
if [ "$ROUNDS" -gt 1 ]; then
  m() { printf '%s\n' "$@" | median; }
  echo "median of $ROUNDS rounds: walltrack fsync'd $(m "${fs[@]}") tx/s, relaxed $(m "${rl[@]}") tx/s," \
       "seed stack $(m "${sd[@]}") tx/s; ratio fsync'd / seed $(m "${rf[@]}")x, relaxed / seed $(m "${rr[@]}")x"
  if [ "$CEILING" = 1 ]; then
    echo "median of $ROUNDS rounds: no-store ceiling $(m "${cl[@]}") tx/s, $(m "${rc[@]}")x the seed stack"
  fi
fi

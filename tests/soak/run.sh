#!/usr/bin/env bash
# The soak campaign: the store's promises under faults and load, measured
# the same way every time, printed as one table (scenario | measured |
# verdict). Not part of `make check` or ctest: it kills daemons, holds
# thousands of connections and, on a store whose WAL is not bounded, can
# write tens of gigabytes. docs/operations.md explains each scenario and
# carries the latest figures.
#
#   tests/soak/run.sh [--quick] [--only NAME[,NAME...]] [--hours H]
#                     [--build DIR] [--out DIR] [--keep]
#
# Scenarios (NAME): kill9 powercut burst slowloris soak pgrestart.
#   --quick   10 kill trials, a 2-minute soak, 30 s of slowloris: about
#             5-10 minutes, to run often. The full run: 100 kill trials,
#             --hours of soak (default 1), 2 minutes of slowloris.
#   --build   a build folder to use (default build-release, configured
#             Release and built for the walltrack and soak_load targets).
#   --out     where results go (default a fresh /tmp/walltrack-soak.*);
#             the table is written to OUT/table.md.
#   --keep    keep databases and acknowledgement lists (removed after each
#             scenario otherwise: they can be large).
# Environment: SOAK_WAL_LIMIT_MB (the WAL bound the verdicts hold the
# store to, default 256), SOAK_MIN_FREE_MB (a scenario stops when the
# volume has less free space, default 10240), SOAK_SEED (kill moments),
# SOAK_KILL_RATE (bodies/s of 100 tx during kill trials, default 150),
# SOAK_RESTART_LIMIT_S (kill trials stop after a restart this slow, 120),
# SOAK_SERVE_ARGS (added to every `walltrack serve`, e.g.
# "--set db.relaxed_sync=true"), SOAK_POWERCUT_TEST (a ctest -R regex
# naming the power-cut test, default: unit/test_store_sqlite, whose
# power-cut VFS cuts a group-commit load three times).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)

QUICK=0 ONLY="" HOURS=1 BUILD=build-release OUT="" KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --only) ONLY=$2; shift ;;
    --hours) HOURS=$2; shift ;;
    --build) BUILD=$2; shift ;;
    --out) OUT=$2; shift ;;
    --keep) KEEP=1 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
ALL="kill9 powercut burst slowloris soak pgrestart"
for n in ${ONLY//,/ }; do
  [[ " $ALL " == *" $n "* ]] || { echo "run.sh: unknown scenario $n (one of: $ALL)" >&2; exit 2; }
done
wanted() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }

WAL_LIMIT_MB=${SOAK_WAL_LIMIT_MB:-256}
MIN_FREE_MB=${SOAK_MIN_FREE_MB:-10240}
SERVE_ARGS=${SOAK_SERVE_ARGS:-}
RESTART_LIMIT_S=${SOAK_RESTART_LIMIT_S:-120}
SEED=${SOAK_SEED:-$(date +%s)}
RANDOM=$SEED
if [ $QUICK -eq 1 ]; then
  KILL_TRIALS=10 SOAK_SECS=120 SLOW_SECS=30 PG_SECS=30 MODE=quick
else
  KILL_TRIALS=100 SLOW_SECS=120 PG_SECS=45 MODE=full
  wanted soak && MODE="full ($HOURS h soak)"
  SOAK_SECS=$(awk -v h="$HOURS" 'BEGIN{printf "%d", h*3600}')
fi
BURST_SECS=30 BURST_CONNS=64 SLOW_CONNS=2000
# Kill trials run at a steady 15,000 tx/s, below the ceiling the burst
# measures: most kills then cut bodies in flight (the row counts how many
# did), and a hundred trials on one database stay within a few GB of WAL
# even where checkpoints never happen.
KILL_RATE=${SOAK_KILL_RATE:-150}
SECRET=soak-webhook-secret-0123456789
export LC_ALL=C

# --- build ----------------------------------------------------------------
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null || exit 1
fi
cmake --build "$BUILD" --target walltrack soak_load >/dev/null || { echo "run.sh: build failed" >&2; exit 1; }
WT=$ROOT/$BUILD/walltrack LOAD=$ROOT/$BUILD/soak_load
[[ "$BUILD" = /* ]] && WT=$BUILD/walltrack LOAD=$BUILD/soak_load

[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/walltrack-soak.XXXXXX)
mkdir -p "$OUT"
TABLE=$OUT/table.md
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
# "+dirty": code differs from the commit (documentation does not count).
git diff --quiet HEAD -- . ':!*.md' 2>/dev/null || COMMIT="$COMMIT+dirty"
BUILD_TYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD/CMakeCache.txt")
{
  echo "Soak campaign, $MODE: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $COMMIT, $BUILD_TYPE build,"
  echo "$(nproc) cores, $(uname -sr), load average at start $(cut -d' ' -f1-3 /proc/loadavg), seed $SEED,"
  echo "WAL limit $WAL_LIMIT_MB MB."
  echo
  echo "| scenario | measured | verdict |"
  echo "|---|---|---|"
} >"$TABLE"
row() { echo "| $1 | $2 | $3 |" >>"$TABLE"; echo "[soak] $1: $3 — $2"; }
log() { echo "[soak] $*"; }

# --- helpers --------------------------------------------------------------
PIDS=()          # everything we started, stopped on exit
PG_STOP=()       # the command that stops the throwaway PostgreSQL
PG_DIR=""        # and its folder
cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  [ ${#PG_STOP[@]} -gt 0 ] && "${PG_STOP[@]}" >/dev/null 2>&1
  [ -n "$PG_DIR" ] && rm -rf "$PG_DIR"
  wait 2>/dev/null
}
trap cleanup EXIT
trap 'echo "[soak] interrupted"; exit 130' INT TERM

now_ms() { date +%s%3N; }
mb() { awk -v b="$1" 'BEGIN{ if (b < 0) print "?"; else if (b >= 1073741824) printf "%.2f GB", b/1073741824; else if (b >= 1048576) printf "%.1f MB", b/1048576; else printf "%.0f KB", b/1024 }'; }
kv() { sed -nE "s/.*(^| )$1=([^ ]*).*/\\2/p" <<<"$2"; }  # kv KEY "k=v k=v"

# start_daemon DIR [VAR=VALUE...]: starts serve on a free loopback port with
# DIR/data, waits until /healthz answers 200. Sets DPID, DPORT and START_MS
# (spawn to first 200). Returns 1 when it died or took over 15 minutes.
start_daemon() {
  local dir=$1; shift
  rm -f "$dir/port"
  # On PostgreSQL serve does not create the data folder, yet needs it for
  # backups/ (today it exits: "cannot schedule backups").
  mkdir -p "$dir/data"
  local t0; t0=$(now_ms)
  env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/tmp WALLTRACK_WEBHOOK_SECRET=$SECRET \
    WALLTRACK_DEXSCREENER_API_URL= "$@" \
    "$WT" serve --listen 127.0.0.1:0 --port-file "$dir/port" --data "$dir/data" \
    --log-level warn $SERVE_ARGS >>"$dir/serve.log" 2>&1 &
  DPID=$!
  PIDS+=("$DPID")
  DPORT=""
  while [ $(( $(now_ms) - t0 )) -lt 900000 ]; do
    kill -0 "$DPID" 2>/dev/null || { wait "$DPID" 2>/dev/null; return 1; }
    if [ -z "$DPORT" ] && [ -s "$dir/port" ]; then DPORT=$(cat "$dir/port"); fi
    if [ -n "$DPORT" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' -m 2 "http://127.0.0.1:$DPORT/healthz")" = 200 ]; then
      START_MS=$(( $(now_ms) - t0 ))
      return 0
    fi
    sleep 0.05
  done
  return 1
}

# stop_daemon: SIGTERM, wait (a clean stop may checkpoint a large WAL).
# Sets STOP_MS.
stop_daemon() {
  local t0; t0=$(now_ms)
  kill -TERM "$DPID" 2>/dev/null
  while kill -0 "$DPID" 2>/dev/null && [ $(( $(now_ms) - t0 )) -lt 900000 ]; do sleep 0.1; done
  kill -9 "$DPID" 2>/dev/null
  wait "$DPID" 2>/dev/null
  STOP_MS=$(( $(now_ms) - t0 ))
}

# lost ACKS_GLOB STORED_FILE: acknowledged signatures absent from the
# store (STORED_FILE: sorted, unique, uppercase hex). Sets ACKED, LOST.
count_lost() {
  local stored=$2
  # shellcheck disable=SC2086
  cat $1 2>/dev/null | sort -u >"$stored.acked"
  ACKED=$(wc -l <"$stored.acked")
  LOST=$(comm -23 "$stored.acked" "$stored" | wc -l)
  comm -23 "$stored.acked" "$stored" | head -20 >"$stored.lost-sample"
  rm -f "$stored.acked"
}
stored_sqlite() { sqlite3 -readonly "$1" "select hex(sig) from swaps" | sort -u >"$2"; }

tidy() { [ $KEEP -eq 1 ] || rm -rf "$1/data" "$1"/acks* "$1"/stored*; }

load_url() { echo "http://127.0.0.1:$DPORT/webhooks/helius"; }
# run_load ARGS: soak_load in the foreground. In the background the
# scenarios run `env ... "$LOAD" ... &` instead, so that $! is soak_load
# itself: a function run with & is a subshell, and signalling it would
# orphan the load generator.
run_load() { WALLTRACK_WEBHOOK_SECRET=$SECRET "$LOAD" load "$(load_url)" --min-free-mb "$MIN_FREE_MB" "$@"; }

# --- kill -9 under load ---------------------------------------------------
scenario_kill9() {
  local d=$OUT/kill9 max_ms=0 sum_ms=0 t delay lp done_trials=0 stopped=""
  rm -rf "$d"; mkdir -p "$d"  # a re-used --out starts each scenario afresh
  log "kill9: $KILL_TRIALS trials (8 connections, $KILL_RATE bodies/s of 100 tx, kill -9 at 0.5-4 s)"
  start_daemon "$d" || { row "kill -9 under load" "the daemon did not start (see $d/serve.log)" FAIL; return; }
  for t in $(seq 1 "$KILL_TRIALS"); do
    env WALLTRACK_WEBHOOK_SECRET=$SECRET "$LOAD" load "$(load_url)" --min-free-mb "$MIN_FREE_MB" \
      --conns 8 --tx-per-body 100 --rate "$KILL_RATE" --seconds 0 --timeout 10 \
      --first-id $(( t * 100000000 )) --acks "$d/acks.$t" >"$d/load.$t" 2>/dev/null &
    lp=$!
    PIDS+=("$lp")
    delay=$(awk -v r=$RANDOM 'BEGIN{printf "%.2f", 0.5 + 3.5 * r / 32767}')
    sleep "$delay"
    kill -9 "$DPID"; wait "$DPID" 2>/dev/null
    kill -TERM "$lp"; wait "$lp" 2>/dev/null
    if ! start_daemon "$d"; then
      row "kill -9 under load" "restart failed after trial $t (see $d/serve.log)" FAIL
      return
    fi
    max_ms=$(( START_MS > max_ms ? START_MS : max_ms )); sum_ms=$(( sum_ms + START_MS ))
    printf '%s\tdelay=%s\trestart_ms=%s\twal=%s\t%s\n' "$t" "$delay" "$START_MS" \
      "$(stat -c %s "$d/data/walltrack.db-wal" 2>/dev/null || echo 0)" "$(cat "$d/load.$t")" >>"$d/trials.tsv"
    done_trials=$t
    # Restarts that grow with an unbounded WAL would make the run endless.
    if [ "$START_MS" -gt $(( RESTART_LIMIT_S * 1000 )) ]; then
      stopped="; stopped after trial $t of $KILL_TRIALS: its restart took over ${RESTART_LIMIT_S} s"
      break
    fi
  done
  stop_daemon
  stored_sqlite "$d/data/walltrack.db" "$d/stored"
  count_lost "$d/acks.*" "$d/stored"
  local hits; hits=$(awk -F'\t' '$5 ~ / cut=[1-9]/ { n++ } END { print n + 0 }' "$d/trials.tsv")
  local wal_max; wal_max=$(awk -F'\t' '{ sub("wal=", "", $4); if ($4 + 0 > m) m = $4 + 0 } END { print m + 0 }' "$d/trials.tsv")
  local verdict=PASS
  [ "$LOST" -eq 0 ] && [ "$max_ms" -le 10000 ] && [ -z "$stopped" ] || verdict=FAIL
  row "kill -9 under load" "$done_trials trials at $(( KILL_RATE * 100 )) tx/s ($hits cut bodies in flight), $ACKED acknowledged, $LOST lost; restart max $(awk -v m="$max_ms" 'BEGIN{printf "%.2f", m/1000}') s, mean $(awk -v s="$sum_ms" -v n="$done_trials" 'BEGIN{printf "%.2f", s/n/1000}') s$stopped; WAL after a restart up to $(mb "$wal_max"); db $(mb "$(stat -c %s "$d/data/walltrack.db")") after a clean stop" "$verdict"
  tidy "$d"
}

# --- simulated power cut --------------------------------------------------
scenario_powercut() {
  local names re=${SOAK_POWERCUT_TEST:-power_?cut|store_sqlite}
  names=$(ctest --test-dir "$BUILD" -N 2>/dev/null | sed -nE 's/^ *Test +#[0-9]+: (.*)$/\1/p' | grep -iE -- "$re")
  if [ -z "$names" ]; then
    row "simulated power cut" "not available in this build (no ctest test named like *powercut*)" "n/a"
    return
  fi
  log "powercut: building and running $(echo $names)"
  cmake --build "$BUILD" >/dev/null 2>&1
  local regex; regex=$(echo "$names" | paste -sd'|')
  if ctest --test-dir "$BUILD" -R "^($regex)\$" --output-on-failure -V >"$OUT/powercut.log" 2>&1; then
    # The store test prints one line per cut: "fsync'd mode, cut after N
    # batches: A acknowledged, L lost, S syncs".
    local sums
    sums=$(grep -oE "fsync'd mode, cut after [0-9]+ batches: [0-9]+ acknowledged, [0-9]+ lost" "$OUT/powercut.log" |
           awk '{n++; a+=$(NF-3); l+=$(NF-1)} END {if (n) printf "%d cuts in the fsync'"'"'d mode: %d acknowledged, %d lost; ", n, a, l}')
    row "simulated power cut" "${sums}$(echo $names) passed (log: powercut.log)" PASS
  else
    row "simulated power cut" "$(echo $names) failed (log: powercut.log)" FAIL
  fi
}

# --- burst: 64 connections ------------------------------------------------
scenario_burst() {
  local d=$OUT/burst s
  rm -rf "$d"; mkdir -p "$d"  # a re-used --out starts each scenario afresh
  log "burst: $BURST_CONNS connections for $BURST_SECS s, 100 tx per body"
  start_daemon "$d" || { row "burst, 64 connections" "the daemon did not start" FAIL; return; }
  s=$(run_load --conns "$BURST_CONNS" --tx-per-body 100 --seconds "$BURST_SECS" --pid "$DPID" \
      --data "$d/data" --samples "$d/samples.tsv" --acks "$d/acks" 2>>"$d/load.err")
  echo "$s" >"$d/summary.txt"
  stop_daemon
  local db_after; db_after=$(stat -c %s "$d/data/walltrack.db")
  stored_sqlite "$d/data/walltrack.db" "$d/stored"
  count_lost "$d/acks" "$d/stored"
  local wal_max db_first db_last
  wal_max=$(kv wal_max "$s") db_first=$(kv db_first "$s") db_last=$(kv db_last "$s")
  local verdict=PASS
  [ "$LOST" -eq 0 ] && [ "$(kv errors "$s")" = 0 ] && [ "$(kv stopped "$s")" = time ] &&
    [ "$wal_max" -le $(( WAL_LIMIT_MB * 1048576 )) ] && [ "$db_last" -gt "$db_first" ] || verdict=FAIL
  row "burst, $BURST_CONNS connections, $BURST_SECS s" "$(kv tx_per_s "$s") tx/s, p99 $(kv p99_ms "$s") ms per 100-tx body, $(kv errors "$s") failed bodies, stopped by $(kv stopped "$s"); WAL max $(mb "$wal_max"); walltrack.db $(mb "$db_first") → $(mb "$db_last") under load, $(mb "$db_after") after a clean stop ($(awk -v m="$STOP_MS" 'BEGIN{printf "%.1f", m/1000}') s); RSS max $(mb $(( $(kv rss_max_kb "$s") * 1024 ))); $ACKED acknowledged, $LOST lost" "$verdict"
  tidy "$d"
}

# --- slowloris ------------------------------------------------------------
scenario_slowloris() {
  local d=$OUT/slowloris s
  rm -rf "$d"; mkdir -p "$d"  # a re-used --out starts each scenario afresh
  log "slowloris: $SLOW_CONNS slow connections for $SLOW_SECS s, probing /healthz and the webhook every second"
  start_daemon "$d" || { row "slowloris" "the daemon did not start" FAIL; return; }
  s=$(WALLTRACK_WEBHOOK_SECRET=$SECRET "$LOAD" slowloris "127.0.0.1:$DPORT" --conns "$SLOW_CONNS" \
      --seconds "$SLOW_SECS" --acks "$d/acks" 2>>"$d/load.err")
  echo "$s" >"$d/summary.txt"
  local after; after=$(curl -s -o /dev/null -w '%{http_code}' -m 5 "http://127.0.0.1:$DPORT/healthz")
  stop_daemon
  stored_sqlite "$d/data/walltrack.db" "$d/stored"
  count_lost "$d/acks" "$d/stored"
  local hok hn wok wn verdict=PASS
  hok=$(kv healthz_ok "$s") hn=$(kv healthz_n "$s") wok=$(kv webhook_ok "$s") wn=$(kv webhook_n "$s")
  [ -n "$hn" ] && [ "$hn" -gt 0 ] && [ $(( hok * 100 )) -ge $(( hn * 95 )) ] &&
    [ $(( wok * 100 )) -ge $(( wn * 95 )) ] && [ "$LOST" -eq 0 ] || verdict=FAIL
  row "slowloris, $SLOW_CONNS connections, $SLOW_SECS s" "probes answered: /healthz $hok/$hn, webhook $wok/$wn; slow connections held $(kv held_min "$s")-$(kv held_max "$s"), closed by the server $(kv closed_by_server "$s"); /healthz after: $after; $LOST of $ACKED acknowledged lost" "$verdict"
  tidy "$d"
}

# --- soak -----------------------------------------------------------------
scenario_soak() {
  local d=$OUT/soak s
  rm -rf "$d"; mkdir -p "$d"  # a re-used --out starts each scenario afresh
  log "soak: $SOAK_SECS s at 20 bodies/s of 10 tx (200 tx/s), sampling every second"
  start_daemon "$d" || { row "soak" "the daemon did not start" FAIL; return; }
  s=$(run_load --conns 2 --tx-per-body 10 --rate 20 --seconds "$SOAK_SECS" --pid "$DPID" \
      --data "$d/data" --samples "$d/samples.tsv" --acks "$d/acks" 2>>"$d/load.err")
  echo "$s" >"$d/summary.txt"
  stop_daemon
  stored_sqlite "$d/data/walltrack.db" "$d/stored"
  count_lost "$d/acks" "$d/stored"
  # Memory over the second tenth of the run against the last tenth (the
  # first tenth is warm-up), WAL and db growth per hour over the whole run.
  # The verdict is on anonymous memory (column 9, RssAnon): RSS (column 2)
  # also counts the database pages SQLite maps in (mmap_size), which grow
  # with walltrack.db and are file pages the kernel reclaims; both are
  # reported.
  local g
  g=$(awk -F'\t' 'NR > 1 { t[NR] = $1; r[NR] = $2; a[NR] = $9; n = NR }
    END { T = t[n]; for (i = 2; i <= n; i++) {
            if (t[i] >= 0.1 * T && t[i] < 0.2 * T) { ea += r[i]; eb += a[i]; ec++ }
            if (t[i] >= 0.9 * T) { la += r[i]; lb += a[i]; lc++ } }
          if (!ec || !lc) { print "0 0 0 0"; exit }
          printf "%d %d %d %d\n", ea / ec, la / lc, eb / ec, lb / lc }' "$d/samples.tsv")
  local rss_early rss_late anon_early anon_late
  read -r rss_early rss_late anon_early anon_late <<<"$g"
  local hours wal_last db_last fds_first fds_last fd_growth
  hours=$(awk -v s="$(kv seconds "$s")" 'BEGIN{print s/3600}')
  wal_last=$(kv wal_last "$s") db_last=$(kv db_last "$s")
  fds_first=$(awk -F'\t' 'NR == 3 {print $3}' "$d/samples.tsv") fds_last=$(kv fds_last "$s")
  fd_growth=$(( fds_last - fds_first ))
  local verdict=PASS
  [ "$LOST" -eq 0 ] && [ "$(kv errors "$s")" = 0 ] && [ "$(kv stopped "$s")" = time ] &&
    [ "$(kv wal_max "$s")" -le $(( WAL_LIMIT_MB * 1048576 )) ] && [ "$db_last" -gt "$(kv db_first "$s")" ] &&
    [ "$fd_growth" -le 8 ] &&
    [ "$anon_late" -le $(( anon_early + anon_early / 4 + 16384 )) ] || verdict=FAIL
  row "soak, $(awk -v s="$SOAK_SECS" 'BEGIN{ if (s >= 3600) printf "%g h", s/3600; else printf "%g min", s/60 }') at 200 tx/s" "$(kv tx "$s") tx, $(kv errors "$s") failed bodies; anonymous memory $(mb $(( anon_early * 1024 ))) → $(mb $(( anon_late * 1024 ))) ($(awk -v e="$anon_early" -v l="$anon_late" -v s="$(kv seconds "$s")" 'BEGIN{ printf "%+.1f MB/h", (l - e) / 1024 / (0.8 * s / 3600) }'), max $(mb $(( $(kv anon_max_kb "$s") * 1024 )))); RSS with the mapped database $(mb $(( rss_early * 1024 ))) → $(mb $(( rss_late * 1024 ))) (max $(mb $(( $(kv rss_max_kb "$s") * 1024 )))); open files $fds_first → $fds_last; WAL $(mb "$wal_last") at the end ($(mb "$(awk -v w="$wal_last" -v h="$hours" 'BEGIN{printf "%d", w/h}')")/h), walltrack.db $(mb "$(kv db_first "$s")") → $(mb "$db_last"); $LOST of $ACKED acknowledged lost" "$verdict"
  tidy "$d"
}

# --- PostgreSQL restart ---------------------------------------------------
scenario_pgrestart() {
  local d=$OUT/pgrestart PGBIN="" RUN=() dd
  for dd in /usr/lib/postgresql/*/bin; do [ -x "$dd/initdb" ] && PGBIN=$dd; done
  if [ -z "$PGBIN" ]; then
    row "PostgreSQL restart" "not available: no PostgreSQL server binaries (initdb, pg_ctl)" "n/a"
    return
  fi
  if [ "$(id -u)" -eq 0 ]; then RUN=(runuser -u postgres --); fi
  rm -rf "$d"; mkdir -p "$d"  # a re-used --out starts each scenario afresh
  local pgdir; pgdir=$(mktemp -d /tmp/wt_soak_pg.XXXXXX)
  PG_DIR=$pgdir
  chmod 755 "$pgdir"; [ ${#RUN[@]} -gt 0 ] && chown postgres "$pgdir"
  local port=$(( 20000 + RANDOM % 20000 ))
  while [ -e "/tmp/.s.PGSQL.$port" ] || (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    port=$(( 20000 + RANDOM % 20000 ))
  done
  # Default durability settings: the scenario crashes the server (immediate
  # stop), and with synchronous_commit=off it could lose commits it had
  # confirmed, which would be PostgreSQL's loss, not walltrack's.
  local pgopts="-k $pgdir -p $port -c listen_addresses=''"
  "${RUN[@]}" "$PGBIN/initdb" -D "$pgdir/data" -U walltrack --auth=trust --locale=C \
    --encoding=UTF8 >"$d/initdb.log" 2>&1 || { row "PostgreSQL restart" "initdb failed" FAIL; rm -rf "$pgdir"; return; }
  PG_STOP=("${RUN[@]}" "$PGBIN/pg_ctl" -D "$pgdir/data" -m immediate -w stop)
  "${RUN[@]}" "$PGBIN/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 30 -o "$pgopts" start >/dev/null ||
    { row "PostgreSQL restart" "PostgreSQL did not start" FAIL; rm -rf "$pgdir"; PG_STOP=(); return; }
  local url="postgresql://walltrack@/postgres?host=$pgdir&port=$port"
  log "pgrestart: PostgreSQL on $pgdir:$port; $PG_SECS s of load (4 connections, 10 tx per body), immediate stop at $(( PG_SECS / 3 )) s, start 2 s later"
  if ! start_daemon "$d" "WALLTRACK_DB=$url"; then
    row "PostgreSQL restart" "the daemon did not start on PostgreSQL (see $d/serve.log)" FAIL
    "${PG_STOP[@]}" >/dev/null 2>&1; PG_STOP=(); rm -rf "$pgdir"; return
  fi
  env WALLTRACK_WEBHOOK_SECRET=$SECRET "$LOAD" load "$(load_url)" --min-free-mb "$MIN_FREE_MB" \
    --conns 4 --tx-per-body 10 --seconds "$PG_SECS" --timeout 5 --acks "$d/acks" \
    >"$d/summary.txt" 2>"$d/outages.txt" &
  local lp=$!
  PIDS+=("$lp")
  sleep $(( PG_SECS / 3 ))
  "${RUN[@]}" "$PGBIN/pg_ctl" -D "$pgdir/data" -m immediate -w stop >/dev/null 2>&1
  local down_ms; down_ms=$(now_ms)
  sleep 2
  "${RUN[@]}" "$PGBIN/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 30 -o "$pgopts" start >/dev/null
  local up_ms; up_ms=$(now_ms)
  # What /healthz says while deliveries fail (sampled 5 s after the start).
  sleep 5
  local health; health=$(curl -s -o /dev/null -w '%{http_code}' -m 5 "http://127.0.0.1:$DPORT/healthz")
  wait "$lp"
  local s; s=$(cat "$d/summary.txt")
  stop_daemon
  psql "$url" -Atc "select upper(encode(sig, 'hex')) from swaps" 2>>"$d/psql.err" | sort -u >"$d/stored"
  count_lost "$d/acks" "$d/stored"
  "${PG_STOP[@]}" >/dev/null 2>&1; PG_STOP=()
  cp "$pgdir/server.log" "$d/postgres.log" 2>/dev/null
  rm -rf "$pgdir"; PG_DIR=""
  # The outage that spans the restart: the first one ending after the stop.
  local back
  back=$(awk -v down="$down_ms" -v up="$up_ms" '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
    v["end_ms"] == "-" { print "never"; exit }
    v["end_ms"] + 0 >= down { printf "%.1f", (v["end_ms"] - up) / 1000; exit }' "$d/outages.txt")
  local verdict=PASS measured
  if [ -z "$back" ]; then
    measured="no delivery failed across the restart"
  elif [ "$back" = never ]; then
    measured="service never came back: every delivery failed for the $(( PG_SECS - PG_SECS / 3 - 2 )) s after PostgreSQL was up again"
    verdict=FAIL
  else
    measured="service back ${back} s after PostgreSQL was up"
    [[ "$back" =~ ^-?[0-9.]+$ ]] && awk -v b="$back" 'BEGIN{exit !(b <= 10)}' || verdict=FAIL
  fi
  [ "$LOST" -eq 0 ] || verdict=FAIL
  row "PostgreSQL restart (immediate stop, mid-load)" "$measured; /healthz 5 s after the restart: $health; $(kv tx "$s") acknowledged tx, $(kv errors "$s") failed bodies; $LOST of $ACKED acknowledged lost" "$verdict"
  tidy "$d"
}

log "results in $OUT (build $BUILD, $BUILD_TYPE, seed $SEED)"
for n in $ALL; do
  wanted "$n" && "scenario_$n"
done
{ echo; echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."; } >>"$TABLE"
echo
cat "$TABLE"
echo
echo "table written to $TABLE"

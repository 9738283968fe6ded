#!/bin/sh
# Precision@50 of the chain crawl's watchlist against the simulator's
# truth, beside full-information discovery on the same market, and the
# Helius requests the crawl spent; then the same crawl killed (SIGKILL)
# half-way and resumed, to compare the requests. Usage:
#   bench/crawl/crawl_vs_full.sh BUILD_DIR SEED DAYS
# The crawl finds its tokens on the chain (pump.fun graduations, the
# default discovery.graduation_hours); the truth file is read only to
# score. docs/intelligence.md, "The chain crawl", reports the numbers.
set -eu
W=$(cd "$1" && pwd)/walltrack
SEED=$2
DAYS=$3
T=$(mktemp -d /tmp/wt-crawlbench-XXXXXX)
cd "$T"
"$W" sim chain --seed "$SEED" --days "$DAYS" --listen 127.0.0.1:0 --port-file chain.port \
    >chain.log 2>&1 &
CHAIN=$!
while [ ! -s chain.port ]; do sleep 0.2; done
P=$(cat chain.port)
curl -s "localhost:$P/sim/truth" >truth.json
python3 - <<'PY'
import json
d = json.load(open("truth.json"))
print("tokens launched %d, graduated %d, reached 10x %d" % (len(d["tokens"]),
      sum(1 for t in d["tokens"] if t["graduated"]),
      sum(1 for t in d["tokens"] if t["peak_multiple"] >= 10)))
PY
export WALLTRACK_HELIUS_API_KEY=bench WALLTRACK_HELIUS_API_URL=http://127.0.0.1:$P
hist() { curl -s "localhost:$P/sim/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['requests']['helius_history'])"; }
"$W" discover --data crawl --chain --set helius.requests_per_second=0 \
    --log-level warn >crawl.out 2>crawl.err
N1=$(hist)
grep "crawl:" crawl.out
echo "crawl: $N1 Helius requests"
"$W" sim evaluate --data crawl --truth truth.json --log-level warn | grep -E "precision@|watchlist by"
# the same crawl, killed half-way, resumed
"$W" discover --data resumed --chain --set helius.requests_per_second=0 \
    --log-level warn >resumed1.out 2>&1 &
PID=$!
while [ "$(hist)" -lt $((N1 + N1 / 2)) ]; do sleep 0.05; done
kill -9 $PID
wait $PID 2>/dev/null || true
"$W" discover --data resumed --chain --set helius.requests_per_second=0 --log-level warn \
    >resumed2.out 2>&1
N2=$(($(hist) - N1))
echo "killed at half and resumed: $N2 Helius requests (uninterrupted: $N1)"
"$W" sim generate --seed "$SEED" --days "$DAYS" --out full >/dev/null 2>&1
"$W" import --quiet --data fulldata full/transactions.ndjson >/dev/null 2>&1
echo "full information:"
"$W" sim evaluate --data fulldata --truth full/truth.json --log-level warn | grep -E "precision@|watchlist by"
kill $CHAIN
wait $CHAIN 2>/dev/null || true
rm -rf "$T"

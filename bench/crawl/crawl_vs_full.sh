#!/bin/sh
# Precision@50 of the chain crawl's watchlist against the simulator's
# truth, beside full-information discovery on the same market, and the
# Helius requests the crawl spent; then the same crawl killed (SIGKILL)
# half-way and resumed, to compare the requests. Usage:
#   bench/crawl/crawl_vs_full.sh BUILD_DIR SEED DAYS [--rpc] [--dex QUERY MIN_MULTIPLE]
# The crawl finds its tokens on the chain (pump.fun graduations, the
# default discovery.graduation_hours); the truth file is read only to
# score. --rpc also crawls the same chain with no Helius key, through RPC
# only (getSignaturesForAddress + getTransaction), and reports its
# precision and requests beside the Helius crawl's. --dex also crawls it
# with DexScreener as the only winners source (no graduations; search
# QUERY, discovery.dexscreener_min_multiple MIN_MULTIPLE, any pair age).
# docs/intelligence.md, "The chain crawl", reports the numbers.
set -eu
W=$(cd "$1" && pwd)/walltrack
SEED=$2
DAYS=$3
shift 3
RPC=0
DEXQ=
DEXM=0
while [ $# -gt 0 ]; do
    case $1 in
    --rpc) RPC=1 ;;
    --dex) DEXQ=$2 DEXM=$3; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
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
stat() { curl -s "localhost:$P/sim/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['requests']['$1'])"; }
if [ "$RPC" = 1 ]; then
    S0=$(stat rpc_getSignaturesForAddress) T0=$(stat rpc_getTransaction)
    env -u WALLTRACK_HELIUS_API_KEY WALLTRACK_RPC_URLS=http://127.0.0.1:$P \
        "$W" discover --data crawlrpc --chain --set discovery.rpc_rps=0 \
        --log-level warn >crawlrpc.out 2>crawlrpc.err
    S1=$(($(stat rpc_getSignaturesForAddress) - S0)) T1=$(($(stat rpc_getTransaction) - T0))
    grep "crawl:" crawlrpc.out
    echo "RPC-only crawl: $((S1 + T1)) RPC requests ($S1 getSignaturesForAddress, $T1 getTransaction); Helius crawl: $N1"
    "$W" sim evaluate --data crawlrpc --truth truth.json --log-level warn | grep -E "precision@|watchlist by"
fi
if [ -n "$DEXQ" ]; then
    H0=$(hist) D0=$(stat dexscreener)
    WALLTRACK_DEXSCREENER_API_URL=http://127.0.0.1:$P "$W" discover --data crawldex --chain \
        --set helius.requests_per_second=0 --set discovery.graduation_hours=0 \
        --set discovery.dexscreener_queries="$DEXQ" --set discovery.dexscreener_rps=0 \
        --set discovery.dexscreener_min_multiple="$DEXM" \
        --set discovery.dexscreener_max_age_hours=0 --log-level warn >crawldex.out 2>crawldex.err
    grep "crawl:" crawldex.out
    echo "DexScreener-only crawl: $(($(stat dexscreener) - D0)) DexScreener + $(($(hist) - H0)) Helius requests"
    "$W" sim evaluate --data crawldex --truth truth.json --log-level warn | grep -E "precision@|watchlist by"
fi
"$W" sim generate --seed "$SEED" --days "$DAYS" --out full >/dev/null 2>&1
"$W" import --quiet --data fulldata full/transactions.ndjson >/dev/null 2>&1
echo "full information:"
"$W" sim evaluate --data fulldata --truth full/truth.json --log-level warn | grep -E "precision@|watchlist by"
kill $CHAIN
wait $CHAIN 2>/dev/null || true
rm -rf "$T"

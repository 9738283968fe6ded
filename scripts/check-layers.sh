#!/usr/bin/env bash
# Fails when a file in src/<folder>/ includes a header of a folder that
# comes after its own in scripts/layers.txt (the one-way layers of
# docs/architecture.md). `--self-test` proves the check bites; `--print`
# prints the order as the docs show it.
set -euo pipefail
cd "$(dirname "$0")/.."
ORDER_FILE=scripts/layers.txt
order=$(grep -vE '^(#|$)' "$ORDER_FILE" | awk '{print $1}')

if [ "${1:-}" = "--print" ]; then
  grep -vE '^(#|$)' "$ORDER_FILE" | awk '{f=$1; $1=""; sub(/^ +/, ""); printf "src/%-9s %s\n", f "/", $0}'
  exit 0
fi

# check ROOT: prints every violation as FILE:LINE: folder includes later/
check() {
  local root=$1 bad=0
  declare -A rank
  local i=0
  for f in $order; do rank[$f]=$i; i=$((i + 1)); done
  while IFS= read -r -d '' file; do
    local dir=${file#"$root"/}
    dir=${dir%%/*}
    if [ -z "${rank[$dir]+x}" ]; then
      echo "$file: folder '$dir' is not in $ORDER_FILE"
      bad=1
      continue
    fi
    while IFS=: read -r line inc; do
      local to=${inc%%/*}
      [ -n "${rank[$to]+x}" ] || continue # a system or test header
      if [ "${rank[$to]}" -gt "${rank[$dir]}" ]; then
        echo "$file:$line: $dir/ includes $inc ($to/ comes after $dir/)"
        bad=1
      fi
    done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"[a-z]+/' "$file" |
             sed -E 's/^([0-9]+):[^"]*"([^"]+)".*/\1:\2/')
  done < <(find "$root" -mindepth 2 -type f \( -name '*.c' -o -name '*.h' -o -name '*.cc' \) -print0)
  return $bad
}

if [ "${1:-}" = "--self-test" ]; then
  t=$(mktemp -d)
  trap 'rm -rf "$t"' EXIT
  mkdir -p "$t/base" "$t/store" "$t/trade"
  printf '#include "base/buf.h"\n' > "$t/store/ok.c"
  printf '#include "store/store.h"\n#include "base/err.h"\n' > "$t/trade/ok.c"
  if ! check "$t" >/dev/null; then echo "check-layers self-test: flagged a clean tree"; exit 1; fi
  printf '#include "trade/engine.h"\n' > "$t/store/bad.c"
  if check "$t" >/dev/null; then echo "check-layers self-test: missed store -> trade"; exit 1; fi
  echo "check-layers self-test: ok"
  exit 0
fi

if ! check src; then
  echo "an include goes against the layer order of $ORDER_FILE" >&2
  exit 1
fi
# The docs print the same list: each must hold every line of it.
printed=$("$0" --print)
for doc in CONTRIBUTING.md docs/architecture.md; do
  while IFS= read -r line; do
    if ! grep -Fxq -- "$line" "$doc"; then
      echo "$doc does not show the layer order of $ORDER_FILE (missing: $line):" \
        "paste scripts/check-layers.sh --print" >&2
      exit 1
    fi
  done <<<"$printed"
done
echo "layers: every include in src/ follows $ORDER_FILE, and the docs show it"

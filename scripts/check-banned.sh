#!/usr/bin/env bash
# Fails when a banned C function (STYLE.md, after curl's checksrc) is called
# in the given folders (default: src). `--self-test` proves the check bites.
set -euo pipefail
cd "$(dirname "$0")/.."
PATTERN='\b(sprintf|strcpy|strcat|atoi|gets)[[:space:]]*\('

if [ "${1:-}" = "--self-test" ]; then
  t=$(mktemp -d)
  trap 'rm -rf "$t"' EXIT
  printf 'int f(char *d) { return snprintf(d, 4, "x") + (int)strncat(d, "a", 1); }\n' > "$t/ok.c"
  if ! "$0" "$t" >/dev/null; then echo "check-banned self-test: flagged clean code"; exit 1; fi
  printf 'void g(char *d) { strcpy(d, "x"); }\n' > "$t/bad.c"
  if "$0" "$t" >/dev/null 2>&1; then echo "check-banned self-test: missed strcpy"; exit 1; fi
  echo "check-banned self-test: ok"
  exit 0
fi

dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=(src)
if grep -rnE --include='*.c' --include='*.h' --include='*.cc' "$PATTERN" "${dirs[@]}"; then
  echo "banned function used (sprintf strcpy strcat atoi gets): use the bounded forms" >&2
  exit 1
fi
echo "no banned functions in ${dirs[*]}"

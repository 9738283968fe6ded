#!/usr/bin/env bash
# Installs everything walltrack needs on Debian 12: the toolchain, the C
# libraries, PostgreSQL (for the store tests), Node/npm and the dashboard's
# npm packages (package-lock.json), and Debian's chromium for the browser
# tests. Idempotent: when everything is present it only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(
  build-essential cmake ninja-build pkg-config git curl ca-certificates
  clang-format
  libcmocka-dev
  libulfius-dev libmicrohttpd-dev libcurl4-gnutls-dev
  libsimdjson-dev
  libsqlite3-dev sqlite3
  libpq-dev postgresql
  libsodium-dev libzstd-dev
  libigraph-dev liblinear-dev libxgboost-dev
  python3-prometheus-client
  chromium
)

missing=()
# Node and npm: Debian's, unless some node (e.g. a nodesource build, which
# ships its own npm) is already on the PATH.
if ! command -v node >/dev/null 2>&1; then PKGS+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then PKGS+=(npm); fi

for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all Debian packages present"
fi

# The dashboard's libraries (preact, htm, uPlot, graphology, sigma) and
# playwright-core for the browser tests, exactly as package-lock.json pins
# them. `npm ci` runs only when node_modules is missing or was installed
# from another lock file (a hash of the lock is kept beside it).
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.walltrack-lock.sha256
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ]; then
  echo "setup: node_modules up to date"
else
  echo "setup: npm ci (dashboard libraries, playwright-core)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > "$stamp"
fi

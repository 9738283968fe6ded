#!/usr/bin/env bash
# Installs everything walltrack needs on Debian 12: the toolchain, the C
# libraries, PostgreSQL (for the store tests) and, once the dashboard exists,
# its npm packages. Idempotent: when everything is present it only checks.
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
)

missing=()
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

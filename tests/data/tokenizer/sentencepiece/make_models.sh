#!/usr/bin/env bash
# Trains two small sentencepiece models on the single-line entries of ../corpus.json with
# Debian's spm_train (BPE with byte fallback like Gemma and Llama 2; unigram with the
# default nmt_nfkc normalization), and records what spm_encode gives for every single-line
# entry: reference.json maps the corpus index to the ids. Deterministic (one thread).
set -euo pipefail
cd "$(dirname "$0")"
python3 - <<'PY'
import json
corpus = json.load(open("../corpus.json", encoding="utf-8"))
single = [(i, l) for i, l in enumerate(corpus) if "\n" not in l and "\r" not in l]
open("/tmp/kaif-spm-lines.txt", "w", encoding="utf-8").write("".join(l + "\n" for _, l in single))
json.dump([i for i, _ in single], open("/tmp/kaif-spm-index.json", "w"))
PY
common=(--input=/tmp/kaif-spm-lines.txt --vocab_size=900 --num_threads=1 --character_coverage=0.99 --hard_vocab_limit=false
        --minloglevel=2 --bos_id=1 --eos_id=2 --unk_id=0 --pad_id=-1)
spm_train "${common[@]}" --model_prefix=bpe --model_type=bpe --byte_fallback=true --split_digits=true \
  --normalization_rule_name=identity
spm_train "${common[@]}" --model_prefix=unigram --model_type=unigram
rm -f bpe.vocab unigram.vocab
for m in bpe unigram; do spm_encode --model=$m.model --output_format=id < /tmp/kaif-spm-lines.txt > /tmp/kaif-spm-$m.ids; done
python3 - <<'PY'
import json
index = json.load(open("/tmp/kaif-spm-index.json"))
out = {}
for m in ("bpe", "unigram"):
    rows = open(f"/tmp/kaif-spm-{m}.ids").read().split("\n")[:len(index)]
    out[m] = {str(i): [int(x) for x in row.split()] for i, row in zip(index, rows)}
json.dump({"made_by": "spm_encode 0.1.97", "ids": out}, open("reference.json", "w"), separators=(",", ":"))
print("lines:", len(index))
PY

#!/usr/bin/env python3
"""The Hugging Face `tokenizers` peer of tokenizer_throughput: same corpus, same rounds,
line by line, single thread (run with RAYON_NUM_THREADS=1).
  RAYON_NUM_THREADS=1 python3 tokenizer_peer.py TOKENIZER.json CORPUS.json [ROUNDS]
"""
import json
import sys
import time

import tokenizers

path, corpus_path = sys.argv[1], sys.argv[2]
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
t0 = time.perf_counter()
tok = tokenizers.Tokenizer.from_file(path)
load_s = time.perf_counter() - t0
lines = json.load(open(corpus_path, encoding="utf-8"))
size = sum(len(line.encode("utf-8")) for line in lines)
count = 0
t0 = time.perf_counter()
for _ in range(rounds):
    for line in lines:
        count += len(tok.encode(line, add_special_tokens=False).ids)
seconds = time.perf_counter() - t0
print(json.dumps({"impl": f"hf-tokenizers {tokenizers.__version__}", "load_s": round(load_s, 4),
                  "encode_s": round(seconds, 4), "rounds": rounds, "lines": len(lines), "tokens": count,
                  "MB_per_s": round(size * rounds / seconds / 1e6, 3)}))

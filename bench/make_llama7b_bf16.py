#!/usr/bin/env python3
"""Writes a Llama 2 7B-shaped checkpoint in BF16 (13.5 GB) with random-looking weights, for
measuring the engine's memory: OUT/config.json and OUT/model.safetensors. A 64 MiB block of
random BF16 values (normal, scale 0.02) is repeated to fill the tensors; values do not
change speed or memory. Needs Debian's python3-numpy.
  /usr/bin/python3 make_llama7b_bf16.py OUT
"""
import json
import os
import struct
import sys

import numpy as np

OUT = sys.argv[1]
HIDDEN, FFN, LAYERS, HEADS, VOCAB = 4096, 11008, 32, 32, 32000
os.makedirs(OUT, exist_ok=True)
json.dump({"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": HIDDEN,
           "intermediate_size": FFN, "num_hidden_layers": LAYERS, "num_attention_heads": HEADS,
           "num_key_value_heads": HEADS, "max_position_embeddings": 4096, "rms_norm_eps": 1e-5,
           "rope_theta": 10000.0, "vocab_size": VOCAB, "tie_word_embeddings": False, "bos_token_id": 1,
           "eos_token_id": 2, "hidden_act": "silu", "torch_dtype": "bfloat16"},
          open(os.path.join(OUT, "config.json"), "w"), indent=1)
shapes = {"model.embed_tokens.weight": (VOCAB, HIDDEN)}
for i in range(LAYERS):
    p = f"model.layers.{i}."
    shapes.update({p + "input_layernorm.weight": (HIDDEN,), p + "post_attention_layernorm.weight": (HIDDEN,)})
    for m in ("q", "k", "v", "o"):
        shapes[p + f"self_attn.{m}_proj.weight"] = (HIDDEN, HIDDEN)
    shapes.update({p + "mlp.gate_proj.weight": (FFN, HIDDEN), p + "mlp.up_proj.weight": (FFN, HIDDEN),
                   p + "mlp.down_proj.weight": (HIDDEN, FFN)})
shapes.update({"model.norm.weight": (HIDDEN,), "lm_head.weight": (VOCAB, HIDDEN)})

rng = np.random.default_rng(7)
block = (rng.standard_normal(32 << 20).astype(np.float32) * 0.02).view(np.uint32) >> 16
block = block.astype(np.uint16).tobytes()
ones = (np.ones(HIDDEN, dtype=np.float32).view(np.uint32) >> 16).astype(np.uint16).tobytes()
header, offset = {}, 0
for name, shape in shapes.items():
    n = int(np.prod(shape)) * 2
    header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [offset, offset + n]}
    offset += n
blob = json.dumps(header).encode()
blob += b" " * (-len(blob) % 8)
with open(os.path.join(OUT, "model.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(blob)))
    f.write(blob)
    for name, shape in shapes.items():
        n = int(np.prod(shape)) * 2
        if len(shape) == 1:
            f.write(ones)
            continue
        while n > 0:
            f.write(block[:min(n, len(block))])
            n -= min(n, len(block))
print(f"wrote {offset / 1e9:.2f} GB")

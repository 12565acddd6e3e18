#!/usr/bin/env python3
"""Writes a Llama 2 7B-shaped checkpoint in BF16 (13.5 GB): OUT/config.json and
OUT/model.safetensors. Needs Debian's python3-numpy.
  /usr/bin/python3 make_llama7b_bf16.py OUT
      random-looking weights for the engine's speed and memory: a 64 MiB block of random
      values (normal, scale 0.02) repeated; values do not change speed or memory.
  /usr/bin/python3 make_llama7b_bf16.py OUT SEED [--derive-from SRC]
      for `kaif verify`: every tensor drawn afresh (normal, scale 0.02; norms near 1), so
      two seeds give two independently initialised models; with --derive-from SRC, a
      derivative of SRC instead: every layer's MLP units permuted (gate and up rows, down
      columns) and every weight moved by noise of 0.3 times its spread, as a fine-tune would.
"""
import json
import os
import struct
import sys

import numpy as np

OUT = sys.argv[1]
SEED = int(sys.argv[2]) if len(sys.argv) > 2 else None
SRC = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--derive-from" else None
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

rng = np.random.default_rng(7 if SEED is None else SEED)
repeated = (rng.standard_normal(32 << 20).astype(np.float32) * 0.02) if SEED is None else None


def to_bf16(x):
    return (x.astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)


def from_bf16(u):
    return (u.astype(np.uint32) << 16).view(np.float32)


source = None
if SRC:
    path = os.path.join(SRC, "model.safetensors")
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        src_header = json.loads(f.read(n))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)

    def source(name):
        a, b = src_header[name]["data_offsets"]
        return from_bf16(data[a:b].view(np.uint16)).reshape(src_header[name]["shape"])

order = {i: rng.permutation(FFN) for i in range(LAYERS)} if source else {}


def tensor(name, shape):
    if repeated is not None:
        n = int(np.prod(shape))
        return np.ones(shape, np.float32) if len(shape) == 1 else np.resize(repeated, n).reshape(shape)
    if source is None:
        if len(shape) == 1:
            return 1.0 + 0.1 * rng.standard_normal(shape, dtype=np.float32)
        return 0.02 * rng.standard_normal(shape, dtype=np.float32)
    x = source(name)
    if ".mlp." in name:
        layer = int(name.split(".")[2])
        x = x[order[layer]] if "down_proj" not in name else x[:, order[layer]]
    return x + np.float32(0.3) * x.std() * rng.standard_normal(x.shape, dtype=np.float32)


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
        f.write(to_bf16(tensor(name, shape)).tobytes())
print(f"wrote {offset / 1e9:.2f} GB")

#!/usr/bin/env python3
"""Writes the trained calibration family for kaif verify's tests: small Llama-shaped
models (byte vocabulary, hidden 32, 2 layers of 64 gated MLP units) trained briefly on
the repository's own text, so that their weights are not pure noise.
  base_00 .. base_20   independently initialised and trained (different seeds and data order)
  tuned_00             base_00 trained further on other text (a fine-tune)
  tuned_00_permuted    tuned_00 with each layer's MLP units permuted (the same function)
OUT/<name>/model.safetensors, F16. Needs Debian's python3-torch (CPU is enough: about a
minute).
  /usr/bin/python3 make_trained_family.py OUT REPO_ROOT
"""
import glob
import json
import os
import struct
import sys

import numpy as np
import torch

OUT, ROOT = sys.argv[1], sys.argv[2]
V, D, UNITS, LAYERS, HEADS, SEQ = 256, 32, 64, 2, 4, 64
torch.set_num_threads(os.cpu_count())


def corpus(patterns):
    text = b""
    for p in patterns:
        for f in sorted(glob.glob(os.path.join(ROOT, p), recursive=True)):
            text += open(f, "rb").read()
    return torch.tensor(list(text), dtype=torch.long)


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(V, D)
        self.layers = torch.nn.ModuleList()
        for _ in range(LAYERS):
            layer = torch.nn.Module()
            layer.input_norm = torch.nn.Parameter(torch.ones(D))
            layer.post_norm = torch.nn.Parameter(torch.ones(D))
            layer.qkvo = torch.nn.ModuleList([torch.nn.Linear(D, D, bias=False) for _ in range(4)])
            layer.gate = torch.nn.Linear(D, UNITS, bias=False)
            layer.up = torch.nn.Linear(D, UNITS, bias=False)
            layer.down = torch.nn.Linear(UNITS, D, bias=False)
            self.layers.append(layer)
        self.norm = torch.nn.Parameter(torch.ones(D))
        self.head = torch.nn.Linear(D, V, bias=False)

    @staticmethod
    def rms(x, w):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * w

    def forward(self, ids):
        b, t = ids.shape
        x = self.embed(ids)
        mask = torch.full((t, t), float("-inf")).triu(1)
        pos = torch.arange(t).float()
        for layer in self.layers:
            h = self.rms(x, layer.input_norm)
            q, k, v = (m(h).view(b, t, HEADS, D // HEADS).transpose(1, 2) for m in layer.qkvo[:3])
            # A simple relative-position signal: keys decay with distance.
            att = (q @ k.transpose(-1, -2)) / (D // HEADS) ** 0.5 + mask - 0.05 * (pos[:, None] - pos[None, :]).clamp(min=0)
            x = x + layer.qkvo[3]((att.softmax(-1) @ v).transpose(1, 2).reshape(b, t, D))
            h = self.rms(x, layer.post_norm)
            x = x + layer.down(torch.nn.functional.silu(layer.gate(h)) * layer.up(h))
        return self.head(self.rms(x, self.norm))


def train(model, data, steps, lr, seed):
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    for _ in range(steps):
        start = torch.randint(0, len(data) - SEQ - 1, (16,), generator=g)
        batch = torch.stack([data[s:s + SEQ + 1] for s in start])
        loss = torch.nn.functional.cross_entropy(model(batch[:, :-1]).reshape(-1, V), batch[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return loss.item()


def save(model, name, permute=None):
    tensors = {"model.embed_tokens.weight": model.embed.weight, "model.norm.weight": model.norm,
               "lm_head.weight": model.head.weight}
    for i, layer in enumerate(model.layers):
        p = f"model.layers.{i}."
        order = permute[i] if permute else torch.arange(UNITS)
        tensors.update({p + "input_layernorm.weight": layer.input_norm, p + "post_attention_layernorm.weight": layer.post_norm,
                        p + "mlp.gate_proj.weight": layer.gate.weight[order], p + "mlp.up_proj.weight": layer.up.weight[order],
                        p + "mlp.down_proj.weight": layer.down.weight[:, order]})
        for m, lin in zip("qkvo", layer.qkvo):
            tensors[p + f"self_attn.{m}_proj.weight"] = lin.weight
    header, blobs, offset = {}, [], 0
    for key in sorted(tensors):
        a = tensors[key].detach().numpy().astype(np.float16)
        header[key] = {"dtype": "F16", "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        blobs.append(a.tobytes())
        offset += a.nbytes
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    os.makedirs(os.path.join(OUT, name), exist_ok=True)
    with open(os.path.join(OUT, name, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


docs = corpus(["**/README.md", "docs/**/*.md"])
other = corpus(["tests/data/eval/data/**/*.jsonl"])
base0 = None
for seed in range(21):
    torch.manual_seed(1000 + seed)
    model = Model()
    loss = train(model, docs, 400, 3e-3, seed)
    save(model, f"base_{seed:02d}")
    print(f"base_{seed:02d} loss {loss:.3f}")
    if seed == 0:
        base0 = model
loss = train(base0, other, 200, 1e-3, 99)
save(base0, "tuned_00")
g = torch.Generator().manual_seed(7)
save(base0, "tuned_00_permuted", [torch.randperm(UNITS, generator=g) for _ in range(LAYERS)])
print(f"tuned_00 loss {loss:.3f}")

#!/usr/bin/env python3
"""model-tracing (github salzhu/model-tracing, the code of Zhu et al., "Independence Tests
for Language Models") on two safetensors checkpoints, as the peer of `kaif verify`: its
phi_MATCH statistic on the weights, layer i against layer i. For each layer its own
tracing.utils.llama.matching.match_wmats matches the units by gate rows and by up rows,
and the two matchings are compared with scipy's spearmanr, as in
tracing.statistics.match.statistic_layer. Prints each layer's p-value and time.
Needs Debian's python3-torch and python3-scipy; MODEL_TRACING is a checkout of the
repository. Its imports of datasets, accelerate and transformers (not packaged in Debian,
not used here) get inert stand-ins; its .to("cuda") runs on the CPU.
  /usr/bin/python3 verify_peer.py MODEL_TRACING A_DIR B_DIR [LAYERS]
"""
import json
import os
import struct
import sys
import time
import types

import numpy as np
import scipy.stats
import torch

repo, a_dir, b_dir = sys.argv[1:4]
layers = int(sys.argv[4]) if len(sys.argv) > 4 else None
torch.set_num_threads(os.cpu_count())

for name in ("datasets", "accelerate", "accelerate.data_loader", "transformers"):
    try:
        __import__(name)
    except ImportError:
        stand_in = types.ModuleType(name)
        stand_in.__path__ = []  # a package, so that its submodule imports too

        def anything(attr):
            if attr.startswith("__"):
                raise AttributeError(attr)
            return type(attr, (), {})

        stand_in.__getattr__ = anything
        sys.modules[name] = stand_in
tensor_to = torch.Tensor.to
torch.Tensor.to = lambda self, *a, **k: tensor_to(self, *["cpu" if str(x).startswith("cuda") else x for x in a],
                                                  **{key: ("cpu" if str(v).startswith("cuda") else v) for key, v in k.items()})
sys.path.insert(0, repo)
from tracing.utils.llama import matching  # noqa: E402


def reader(folder):
    path = os.path.join(folder, "model.safetensors")
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)

    def tensor(name):
        meta = header[name]
        begin, end = meta["data_offsets"]
        raw = data[begin:end]
        if meta["dtype"] == "BF16":
            values = (raw.view(np.uint16).astype(np.uint32) << 16).view(np.float32)
        else:
            values = raw.view({"F32": np.float32, "F16": np.float16}[meta["dtype"]]).astype(np.float32)
        return torch.from_numpy(values.reshape(meta["shape"]).copy())

    count = 1 + max(int(k.split(".")[2]) for k in header if k.startswith("model.layers."))
    return tensor, count


a, count = reader(a_dir)
b, _ = reader(b_dir)
total = time.perf_counter()
for i in range(layers or count):
    start = time.perf_counter()
    p = f"model.layers.{i}.mlp."
    gate = matching.match_wmats(a(p + "gate_proj.weight"), b(p + "gate_proj.weight"))
    up = matching.match_wmats(a(p + "up_proj.weight"), b(p + "up_proj.weight"))
    rho, pvalue = scipy.stats.spearmanr(gate.tolist(), up.tolist())
    print(f"layer {i}: rho {rho:.6f} p {pvalue:.6g} ({time.perf_counter() - start:.1f} s)", flush=True)
print(f"total {time.perf_counter() - total:.1f} s")

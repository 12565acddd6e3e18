#!/usr/bin/env python3
"""Writes the tiny random-weight checkpoints kaif's tests read, with reference outputs.

Run once on a machine with torch, transformers and safetensors (kaif's GPU machine has
them; no network is needed): python3 make_models.py OUTDIR
For every architecture kaif supports it writes OUTDIR/<name>/ with config.json and
model.safetensors (float32) made by transformers' own save_pretrained, and
reference.json: the input ids and the logits transformers computes for them (float32,
CPU, eager attention). It also writes a sharded checkpoint (model.safetensors.index.json
+ shards) and safetensors/dtypes.safetensors holding one tensor of every dtype with the
float values torch reads from it.
"""
import json
import os
import sys

import torch
import transformers
from safetensors.torch import save_file

OUT = sys.argv[1] if len(sys.argv) > 1 else "."
torch.manual_seed(0)
COMMON = dict(vocab_size=256, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
              num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256)


def configs():
    c = transformers
    yield "llama3", c.LlamaConfig(**COMMON, rope_theta=500000.0, tie_word_embeddings=False,
                                  rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                                "high_freq_factor": 4.0, "original_max_position_embeddings": 64})
    yield "llama2", c.LlamaConfig(**COMMON, rope_theta=10000.0, tie_word_embeddings=False)
    yield "llama-linear-rope", c.LlamaConfig(**COMMON, rope_scaling={"rope_type": "linear", "factor": 2.0})
    yield "llama-dynamic-rope", c.LlamaConfig(**COMMON, rope_scaling={"rope_type": "dynamic", "factor": 2.0})
    yield "mistral", c.MistralConfig(**COMMON, sliding_window=None, head_dim=16)
    yield "qwen2", c.Qwen2Config(**COMMON, tie_word_embeddings=True, rope_theta=1000000.0)
    yield "qwen2-yarn", c.Qwen2Config(**COMMON, tie_word_embeddings=True,
                                      rope_scaling={"rope_type": "yarn", "factor": 4.0,
                                                    "original_max_position_embeddings": 64})
    if hasattr(c, "Qwen3Config"):
        yield "qwen3", c.Qwen3Config(**COMMON, head_dim=16, tie_word_embeddings=True)
    if hasattr(c, "Gemma2Config"):
        yield "gemma2", c.Gemma2Config(**COMMON, head_dim=16, query_pre_attn_scalar=16, sliding_window=4,
                                       final_logit_softcapping=30.0, attn_logit_softcapping=50.0)
    if hasattr(c, "Gemma3TextConfig"):
        yield "gemma3", c.Gemma3TextConfig(**COMMON, head_dim=16, query_pre_attn_scalar=16, sliding_window=4,
                                           sliding_window_pattern=2)
    if hasattr(c, "Exaone4Config"):
        yield "exaone4", c.Exaone4Config(**COMMON, head_dim=16, sliding_window=4, sliding_window_pattern=2)


def save_model(name, config):
    path = os.path.join(OUT, name)
    config._attn_implementation = "eager"
    model = transformers.AutoModelForCausalLM.from_config(config, torch_dtype=torch.float32, attn_implementation="eager")
    # Random norm weights too (from_config leaves them at one), so every tensor matters.
    with torch.no_grad():
        for pname, p in model.named_parameters():
            if "norm" in pname:
                p.copy_(1.0 + 0.1 * torch.randn_like(p))
    model.eval()
    model.save_pretrained(path, safe_serialization=True)
    inputs = [[1, 17, 42, 99, 7, 200, 3, 64, 128, 5, 250, 31], [2, 2, 9, 14]]
    logits = []
    with torch.no_grad():
        for ids in inputs:
            out = model(torch.tensor([ids]))
            logits.append(out.logits[0].float().tolist())
    with open(os.path.join(path, "reference.json"), "w") as f:
        json.dump({"transformers": transformers.__version__, "torch": torch.__version__, "input_ids": inputs,
                   "logits": logits}, f)
    return model


def main():
    made = []
    for name, config in configs():
        try:
            model = save_model(name, config)
            made.append(name)
        except Exception as e:  # an architecture this transformers lacks
            print(f"skipped {name}: {e}")
            continue
        if name == "llama3":
            model.save_pretrained(os.path.join(OUT, "llama3-sharded"), safe_serialization=True, max_shard_size="100KB")
    dtypes = {
        "f32": torch.tensor([[0.0, -1.5, 3.25], [1e-30, 65504.0, -2.0]], dtype=torch.float32),
        "f16": torch.tensor([0.0, -1.5, 3.25, 6e-8, 65504.0, -0.0], dtype=torch.float16),
        "bf16": torch.tensor([0.0, -1.5, 3.25, 1e-30, 3e38, -7.0], dtype=torch.bfloat16),
        "f64": torch.tensor([0.125, -3.0], dtype=torch.float64),
        "i8": torch.tensor([-128, 0, 127], dtype=torch.int8),
        "u8": torch.tensor([0, 1, 255], dtype=torch.uint8),
        "i32": torch.tensor([-5, 7], dtype=torch.int32),
        "i64": torch.tensor([[-9, 11]], dtype=torch.int64),
        "bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(2.5, dtype=torch.float32),
        "empty": torch.zeros((0, 4), dtype=torch.float32),
    }
    if hasattr(torch, "float8_e4m3fn"):
        dtypes["f8_e4m3"] = torch.tensor([0.0, 1.0, -2.5, 448.0, 0.015625, 0.001953125]).to(torch.float8_e4m3fn)
        dtypes["f8_e5m2"] = torch.tensor([0.0, 1.0, -2.5, 57344.0, 1.52587890625e-05]).to(torch.float8_e5m2)
    os.makedirs(os.path.join(OUT, "safetensors"), exist_ok=True)
    save_file(dtypes, os.path.join(OUT, "safetensors", "dtypes.safetensors"), metadata={"format": "pt", "note": "kaif"})
    expected = {k: {"shape": list(v.shape), "values": v.double().flatten().tolist()} for k, v in dtypes.items()}
    with open(os.path.join(OUT, "safetensors", "dtypes.expected.json"), "w") as f:
        json.dump(expected, f)
    print("made", made)


if __name__ == "__main__":
    main()

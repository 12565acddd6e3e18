#!/usr/bin/env python3
"""Writes llama2-f32.gguf and llama2-q8_0.gguf: the llama2 fixture of ../models
(transformers' weights) as llama.cpp's converter lays it out, for the engine's GGUF tests.

Like the converter, it renames tensors, stores llama.cpp's metadata keys and permutes the
query and key rows of each head so that rotary pairs are adjacent: row (h, i, j) of the
result is row (h, j, i) of the original, for i < head_dim / 2 and j in {0, 1}. Norms stay
F32; matrices are F32 or Q8_0 (quantized by gguf-py). Run with Debian's python3-numpy:
  PYTHONPATH=<llama.cpp>/gguf-py /usr/bin/python3 make_engine_gguf.py
"""
import json
import struct

import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q
from gguf.quants import quantize


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        out[name] = np.frombuffer(data[b:e], dtype=np.float32).reshape(info["shape"])
    return out


def pair_rows(w, heads):
    rows, cols = w.shape
    half = rows // heads // 2
    return w.reshape(heads, 2, half, cols).transpose(0, 2, 1, 3).reshape(rows, cols)


config = json.load(open("../models/llama2/config.json"))
weights = read_safetensors("../models/llama2/model.safetensors")
names = {"model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
         "lm_head.weight": "output.weight"}
parts = {"input_layernorm": "attn_norm", "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k",
         "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output", "post_attention_layernorm": "ffn_norm",
         "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down"}

for suffix, qtype in (("f32", Q.F32), ("q8_0", Q.Q8_0)):
    g = gguf.GGUFWriter(f"llama2-{suffix}.gguf", arch="llama")
    g.add_block_count(config["num_hidden_layers"])
    g.add_context_length(config["max_position_embeddings"])
    g.add_embedding_length(config["hidden_size"])
    g.add_feed_forward_length(config["intermediate_size"])
    g.add_head_count(config["num_attention_heads"])
    g.add_head_count_kv(config["num_key_value_heads"])
    g.add_rope_freq_base(config.get("rope_theta", config.get("rope_parameters", {}).get("rope_theta", 10000.0)))
    g.add_layer_norm_rms_eps(config["rms_norm_eps"])
    g.add_vocab_size(config["vocab_size"])
    g.add_bos_token_id(config["bos_token_id"])
    g.add_eos_token_id(config["eos_token_id"])
    for name, array in weights.items():
        target = names.get(name)
        if target is None:
            layer = name.split(".")[2]
            part = ".".join(name.split(".")[3:-1])
            target = f"blk.{layer}.{parts[part]}.weight"
        if target.endswith("attn_q.weight"):
            array = pair_rows(array, config["num_attention_heads"])
        if target.endswith("attn_k.weight"):
            array = pair_rows(array, config["num_key_value_heads"])
        if array.ndim == 2 and qtype == Q.Q8_0:
            g.add_tensor(target, quantize(np.ascontiguousarray(array), qtype), raw_dtype=qtype)
        else:
            g.add_tensor(target, np.ascontiguousarray(array))
    g.write_header_to_file()
    g.write_kv_data_to_file()
    g.write_tensors_to_file()
    g.close()
    print(f"wrote llama2-{suffix}.gguf")

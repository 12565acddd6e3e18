#!/usr/bin/env python3
"""Writes tiny.gguf and tiny.expected.json for kaif's GGUF reader tests, llama3-tiny.gguf
for `kaif model info`, and llama2-f32.gguf / llama2-q8_0.gguf for the engine.

The file is written by llama.cpp's own gguf-py (GGUFWriter), and the expected float
values come from gguf-py's numpy dequantizers, so the test checks kaif against an
implementation it shares no code with. Run where gguf-py and numpy are importable:
  PYTHONPATH=<llama.cpp>/gguf-py /usr/bin/python3 make_gguf.py   (Debian's python3-numpy)
"""
import json

import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q
from gguf.quants import dequantize, quantize

rng = np.random.default_rng(7)
w = gguf.GGUFWriter("tiny.gguf", arch="llama")
w.add_uint8("test.u8", 200)
w.add_int8("test.i8", -100)
w.add_uint16("test.u16", 60000)
w.add_int16("test.i16", -30000)
w.add_uint32("test.u32", 4000000000)
w.add_int32("test.i32", -2000000000)
w.add_uint64("test.u64", 18000000000000000000)
w.add_int64("test.i64", -9000000000000000000)
w.add_float32("test.f32", 0.5)
w.add_float64("test.f64", -1.25)
w.add_bool("test.bool", True)
w.add_string("test.string", "한국어 UTF-8 ✓")
w.add_array("test.ints", [1, -2, 3])
w.add_array("test.strings", ["<s>", "</s>", "안녕"])
w.add_array("test.nested", [[1, 2], [3]])
w.add_custom_alignment(64)



def add(name, values, qtype):
    if qtype == Q.F32:
        w.add_tensor(name, values)
    elif qtype == Q.F16:
        w.add_tensor(name, values.astype(np.float16))
    else:
        w.add_tensor(name, quantize(values, qtype), raw_dtype=qtype)


add("f32", rng.standard_normal((2, 3)).astype(np.float32), Q.F32)
add("f16", rng.standard_normal((4, 8)).astype(np.float32), Q.F16)
add("bf16", rng.standard_normal((2, 16)).astype(np.float32), Q.BF16)
add("q8_0", rng.standard_normal((2, 64)).astype(np.float32), Q.Q8_0)
add("q4_0", rng.standard_normal((3, 32)).astype(np.float32), Q.Q4_0)


def add_raw(name, qtype, blocks, block_bytes, make_block):
    raw = np.concatenate([make_block() for _ in range(blocks)]).astype(np.uint8)
    w.add_tensor(name, raw.reshape(1, -1), raw_dtype=qtype)


def q4_k_block():
    # gguf-py has no Q4_K quantizer: random nibbles and scales with sane f16 d and dmin.
    head = np.array([rng.uniform(0.001, 0.1), rng.uniform(0.001, 0.1)], dtype=np.float16).view(np.uint8)
    return np.concatenate([head, rng.integers(0, 256, 12 + 128, dtype=np.uint8)])


def q6_k_block():
    body = rng.integers(0, 256, 128 + 64, dtype=np.uint8)
    scales = rng.integers(-128, 128, 16, dtype=np.int8).view(np.uint8)
    d = np.array([rng.uniform(0.0001, 0.01)], dtype=np.float16).view(np.uint8)
    return np.concatenate([body, scales, d])


add_raw("q4_k", Q.Q4_K, 2, 144, q4_k_block)
add_raw("q6_k", Q.Q6_K, 2, 210, q6_k_block)

w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()

# Expected values: what gguf-py reads back from the file and dequantizes.
expected = {}
for t in gguf.GGUFReader("tiny.gguf").tensors:
    values = dequantize(t.data, t.tensor_type)
    expected[t.name] = {"shape": [int(d) for d in reversed(t.shape)],
                        "values": np.asarray(values, dtype=np.float32).astype(float).flatten().tolist()}
with open("tiny.expected.json", "w") as f:
    json.dump(expected, f)
print("wrote tiny.gguf", {k: v["shape"] for k, v in expected.items()})

# A real model in GGUF: the llama3 fixture of ../models (transformers' weights) under
# llama.cpp's tensor names and metadata keys, half of it in F16, for `kaif model info`.
import struct


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


config = json.load(open("../models/llama3/config.json"))
weights = read_safetensors("../models/llama3/model.safetensors")
NAMES = {"model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
         "lm_head.weight": "output.weight"}
PARTS = {"input_layernorm": "attn_norm", "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k",
         "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output", "post_attention_layernorm": "ffn_norm",
         "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down"}


def llama_cpp_name(name):
    """A Hugging Face tensor name under llama.cpp's naming."""
    if name in NAMES:
        return NAMES[name]
    layer = name.split(".")[2]
    return f"blk.{layer}.{PARTS['.'.join(name.split('.')[3:-1])]}.weight"


def llama_writer(path, config):
    """A GGUFWriter with llama.cpp's metadata keys for a Llama config.json."""
    g = gguf.GGUFWriter(path, arch="llama")
    g.add_block_count(config["num_hidden_layers"])
    g.add_context_length(config["max_position_embeddings"])
    g.add_embedding_length(config["hidden_size"])
    g.add_feed_forward_length(config["intermediate_size"])
    g.add_head_count(config["num_attention_heads"])
    g.add_head_count_kv(config["num_key_value_heads"])
    g.add_rope_freq_base(config["rope_parameters"]["rope_theta"])
    g.add_layer_norm_rms_eps(config["rms_norm_eps"])
    g.add_vocab_size(config["vocab_size"])
    return g


g = llama_writer("llama3-tiny.gguf", config)
for name, array in weights.items():
    target = llama_cpp_name(name)
    # Matrices in F16, norms in F32, as llama.cpp's converter does.
    g.add_tensor(target, array.astype(np.float16) if array.ndim == 2 else array)
g.write_header_to_file()
g.write_kv_data_to_file()
g.write_tensors_to_file()
g.close()
print("wrote llama3-tiny.gguf")


# For the engine: the llama2 fixture as llama.cpp's converter lays it out, in F32 and in
# Q8_0 (llama2-f32.gguf, llama2-q8_0.gguf). Like the converter, it permutes the query and
# key rows of each head so that rotary pairs are adjacent: row (h, i, j) of the result is
# row (h, j, i) of the original, for i < head_dim / 2 and j in {0, 1}. Norms stay F32.
def pair_rows(w, heads):
    rows, cols = w.shape
    half = rows // heads // 2
    return w.reshape(heads, 2, half, cols).transpose(0, 2, 1, 3).reshape(rows, cols)


config = json.load(open("../models/llama2/config.json"))
weights = read_safetensors("../models/llama2/model.safetensors")

for suffix, qtype in (("f32", Q.F32), ("q8_0", Q.Q8_0)):
    g = llama_writer(f"llama2-{suffix}.gguf", config)
    g.add_bos_token_id(config["bos_token_id"])
    g.add_eos_token_id(config["eos_token_id"])
    for name, array in weights.items():
        target = llama_cpp_name(name)
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

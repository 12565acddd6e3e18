#!/usr/bin/env python3
"""Writes tiny.gguf and tiny.expected.json for kaif's GGUF reader tests.

The file is written by llama.cpp's own gguf-py (GGUFWriter), and the expected float
values come from gguf-py's numpy dequantizers, so the test checks kaif against an
implementation it shares no code with. Run where gguf-py and numpy are importable:
  PYTHONPATH=<llama.cpp>/gguf-py python3 make_gguf.py
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

#!/usr/bin/env python3
"""Writes one random-weight Llama model twice, for kaif and for llama.cpp, plus a
multiple-choice task set both can score, for bench/engine_peer.sh.

  OUT/kaif/{config.json, model.safetensors}   F16, Hugging Face names
  OUT/model-f16.gguf                          the same F16 values, llama.cpp's layout
                                              (query/key rows paired), Llama 2's vocabulary
  OUT/mc.bin                                  llama-perplexity --multiple-choice tasks
  OUT/mc.json                                 the same tasks as token ids, for kaif

The tasks are 5-shot: one fixed block of five solved examples, then a question and four
answers. Texts are made of words that are single tokens of Llama 2's vocabulary, so both
programs see the same token ids without sharing a tokenizer.

Needs Debian's python3-numpy and llama.cpp's gguf-py (its vocab-only model file too):
  PYTHONPATH=LLAMA/gguf-py /usr/bin/python3 make_engine_peer_model.py LLAMA OUT
"""
import json
import os
import struct
import sys

import numpy as np
import gguf

LLAMA, OUT = sys.argv[1], sys.argv[2]
HIDDEN, LAYERS, HEADS, KV_HEADS, FFN, CONTEXT = 768, 12, 12, 4, 2048, 2048
HEAD_DIM = HIDDEN // HEADS
TASKS, SHOTS, CHOICES = 1000, 5, 4

vocab = gguf.GGUFReader(os.path.join(LLAMA, "models", "ggml-vocab-llama-spm.gguf"))
fields = {}
for name, field in vocab.fields.items():
    if name.startswith("tokenizer."):
        fields[name] = field
tokens = [bytes(fields["tokenizer.ggml.tokens"].parts[i]).decode("utf-8")
          for i in fields["tokenizer.ggml.tokens"].data]
scores = [float(fields["tokenizer.ggml.scores"].parts[i][0]) for i in fields["tokenizer.ggml.scores"].data]
types = [int(fields["tokenizer.ggml.token_type"].parts[i][0]) for i in fields["tokenizer.ggml.token_type"].data]
VOCAB = len(tokens)

rng = np.random.default_rng(2026)
weights = {"model.embed_tokens.weight": (VOCAB, HIDDEN), "model.norm.weight": (HIDDEN,), "lm_head.weight": (VOCAB, HIDDEN)}
for i in range(LAYERS):
    p = f"model.layers.{i}."
    weights.update({p + "input_layernorm.weight": (HIDDEN,), p + "post_attention_layernorm.weight": (HIDDEN,),
                    p + "self_attn.q_proj.weight": (HEADS * HEAD_DIM, HIDDEN),
                    p + "self_attn.k_proj.weight": (KV_HEADS * HEAD_DIM, HIDDEN),
                    p + "self_attn.v_proj.weight": (KV_HEADS * HEAD_DIM, HIDDEN),
                    p + "self_attn.o_proj.weight": (HIDDEN, HEADS * HEAD_DIM),
                    p + "mlp.gate_proj.weight": (FFN, HIDDEN), p + "mlp.up_proj.weight": (FFN, HIDDEN),
                    p + "mlp.down_proj.weight": (HIDDEN, FFN)})
arrays = {}
for name, shape in weights.items():
    if len(shape) == 1:
        arrays[name] = (1 + 0.1 * rng.standard_normal(shape)).astype(np.float16)
    else:
        arrays[name] = (0.05 * rng.standard_normal(shape)).astype(np.float16)

os.makedirs(os.path.join(OUT, "kaif"), exist_ok=True)
config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": HIDDEN,
          "intermediate_size": FFN, "num_hidden_layers": LAYERS, "num_attention_heads": HEADS,
          "num_key_value_heads": KV_HEADS, "head_dim": HEAD_DIM, "max_position_embeddings": CONTEXT,
          "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "vocab_size": VOCAB, "tie_word_embeddings": False,
          "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu", "torch_dtype": "float16"}
json.dump(config, open(os.path.join(OUT, "kaif", "config.json"), "w"), indent=1)
header, offset = {}, 0
for name, a in arrays.items():
    header[name] = {"dtype": "F16", "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
    offset += a.nbytes
blob = json.dumps(header).encode()
blob += b" " * (-len(blob) % 8)
with open(os.path.join(OUT, "kaif", "model.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(blob)))
    f.write(blob)
    for a in arrays.values():
        f.write(a.tobytes())


def pair_rows(w, heads):
    rows, cols = w.shape
    return w.reshape(heads, 2, rows // heads // 2, cols).transpose(0, 2, 1, 3).reshape(rows, cols)


names = {"model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
         "lm_head.weight": "output.weight"}
parts = {"input_layernorm": "attn_norm", "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k",
         "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output", "post_attention_layernorm": "ffn_norm",
         "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down"}
g = gguf.GGUFWriter(os.path.join(OUT, "model-f16.gguf"), arch="llama")
g.add_block_count(LAYERS)
g.add_context_length(CONTEXT)
g.add_embedding_length(HIDDEN)
g.add_feed_forward_length(FFN)
g.add_head_count(HEADS)
g.add_head_count_kv(KV_HEADS)
g.add_rope_freq_base(10000.0)
g.add_layer_norm_rms_eps(1e-5)
g.add_vocab_size(VOCAB)
g.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
g.add_tokenizer_model("llama")
g.add_token_list(tokens)
g.add_token_scores(scores)
g.add_token_types(types)
g.add_bos_token_id(1)
g.add_eos_token_id(2)
g.add_unk_token_id(0)
for name, a in arrays.items():
    target = names.get(name)
    if target is None:
        layer = name.split(".")[2]
        target = f"blk.{layer}.{parts['.'.join(name.split('.')[3:-1])]}.weight"
    if target.endswith("attn_q.weight"):
        a = pair_rows(a, HEADS)
    if target.endswith("attn_k.weight"):
        a = pair_rows(a, KV_HEADS)
    g.add_tensor(target, np.ascontiguousarray(a if a.ndim == 2 else a.astype(np.float32)))
g.write_header_to_file()
g.write_kv_data_to_file()
g.write_tensors_to_file()
g.close()

# Words that are one token each ("▁word" in the vocabulary), lowercase ASCII.
words = [(t[1:], i) for i, t in enumerate(tokens) if t.startswith("▁") and 3 <= len(t) - 1 <= 8
         and t[1:].isascii() and t[1:].isalpha() and t[1:].islower()]
words = words[:3000]


def sentence(n):
    picks = [words[int(k)] for k in rng.integers(0, len(words), n)]
    return " ".join(w for w, _ in picks), [i for _, i in picks]


def example(n_question, solved):
    q_text, q_ids = sentence(n_question)
    answers = [sentence(int(rng.integers(1, 4))) for _ in range(CHOICES)]
    label = int(rng.integers(0, CHOICES))
    text, ids = q_text, q_ids
    if solved:
        text, ids = text + " " + answers[label][0], ids + answers[label][1]
    return text, ids, answers, label


shots = [example(60, True) for _ in range(SHOTS)]
prefix_text = " ".join(s[0] for s in shots)
prefix_ids = [i for s in shots for i in s[1]]
tasks_bin, tasks_json = [], []
for _ in range(TASKS):
    q_text, q_ids, answers, label = example(60, False)
    question = prefix_text + " " + q_text
    tasks_json.append({"context": [1] + prefix_ids + q_ids, "choices": [a[1] for a in answers], "label": label})
    b = struct.pack("<I", len(question.encode())) + question.encode()
    b += struct.pack("<I", CHOICES)
    for text, _ in answers:
        b += struct.pack("<I", len(text.encode())) + text.encode()
    b += struct.pack(f"<{CHOICES}i", *[int(k == label) for k in range(CHOICES)])
    b += struct.pack("<I", 0)  # no mc2 answers
    tasks_bin.append(b)
start = 4 + 4 * TASKS
positions, at = [], start
for b in tasks_bin:
    positions.append(at)
    at += len(b)
with open(os.path.join(OUT, "mc.bin"), "wb") as f:
    f.write(struct.pack("<I", TASKS))
    f.write(struct.pack(f"<{TASKS}I", *positions))
    for b in tasks_bin:
        f.write(b)
json.dump({"tasks": tasks_json}, open(os.path.join(OUT, "mc.json"), "w"))
print(f"vocab {VOCAB}, {sum(a.size for a in arrays.values()) / 1e6:.1f}M parameters; "
      f"{TASKS} tasks, few-shot block {len(prefix_ids)} tokens")

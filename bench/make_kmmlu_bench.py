#!/usr/bin/env python3
"""Writes a 5-shot KMMLU-shaped benchmark for `kaif eval`: a random-weight model with a real
vocabulary (Qwen3's tokenizer, 151,643 tokens) and Korean multiple-choice questions in
KMMLU's schema, for bench/eval_kmmlu.sh.

  OUT/model/{config.json, model.safetensors, tokenizer.json, tokenizer_config.json}
      Llama-shaped, hidden 512, 8 layers, 8 heads (2 key/value), BF16, tied embeddings
  OUT/data/HAERAE-HUB/KMMLU/Law/{dev,test}.jsonl
      5 solved examples and N questions made of Korean words (about 90 tokens each)

Needs Debian's python3-numpy.
  /usr/bin/python3 make_kmmlu_bench.py TOKENIZER_DIR OUT [N] [SEED]
(another SEED gives an independently initialised model of the same shape, for kaif verify)
"""
import json
import os
import shutil
import struct
import sys

import numpy as np

TOKENIZER, OUT = sys.argv[1], sys.argv[2]
N = int(sys.argv[3]) if len(sys.argv) > 3 else 500
SEED = int(sys.argv[4]) if len(sys.argv) > 4 else 11
HIDDEN, FFN, LAYERS, HEADS, KV_HEADS, VOCAB = 512, 1536, 8, 8, 2, 151936
model = os.path.join(OUT, "model")
os.makedirs(model, exist_ok=True)
for f in ("tokenizer.json", "tokenizer_config.json"):
    shutil.copy(os.path.join(TOKENIZER, f), model)
json.dump({"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": HIDDEN,
           "intermediate_size": FFN, "num_hidden_layers": LAYERS, "num_attention_heads": HEADS,
           "num_key_value_heads": KV_HEADS, "max_position_embeddings": 4096, "rms_norm_eps": 1e-6,
           "rope_theta": 1000000.0, "vocab_size": VOCAB, "tie_word_embeddings": True,
           "eos_token_id": 151645, "hidden_act": "silu", "torch_dtype": "bfloat16"},
          open(os.path.join(model, "config.json"), "w"), indent=1)
shapes = {"model.embed_tokens.weight": (VOCAB, HIDDEN), "model.norm.weight": (HIDDEN,)}
head = HIDDEN // HEADS
for i in range(LAYERS):
    p = f"model.layers.{i}."
    shapes.update({p + "input_layernorm.weight": (HIDDEN,), p + "post_attention_layernorm.weight": (HIDDEN,),
                   p + "self_attn.q_proj.weight": (HIDDEN, HIDDEN), p + "self_attn.k_proj.weight": (KV_HEADS * head, HIDDEN),
                   p + "self_attn.v_proj.weight": (KV_HEADS * head, HIDDEN), p + "self_attn.o_proj.weight": (HIDDEN, HIDDEN),
                   p + "mlp.gate_proj.weight": (FFN, HIDDEN), p + "mlp.up_proj.weight": (FFN, HIDDEN),
                   p + "mlp.down_proj.weight": (HIDDEN, FFN)})
rng = np.random.default_rng(SEED)
header, offset, arrays = {}, 0, {}
for name, shape in shapes.items():
    values = np.ones(shape, np.float32) if len(shape) == 1 else rng.standard_normal(shape, np.float32) * 0.05
    arrays[name] = (values.view(np.uint32) >> 16).astype(np.uint16).tobytes()
    header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [offset, offset + len(arrays[name])]}
    offset += len(arrays[name])
blob = json.dumps(header).encode()
blob += b" " * (-len(blob) % 8)
with open(os.path.join(model, "model.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(blob)) + blob)
    for name in shapes:
        f.write(arrays[name])

WORDS = ("법률 계약 행위 권리 의무 국가 국민 헌법 민법 형법 재판 법원 판결 조항 효력 무효 취소 동의 "
         "대리인 미성년자 소유권 채권 채무 손해 배상 책임 규정 해석 절차 기간 신청 청구 이유 경우 "
         "다음 중 옳은 것은 아닌 것은 관한 설명으로 대한 따른 의한 있다 없다 한다 된다").split()
words = np.random.default_rng(5)


def sentence(n):
    return " ".join(words.choice(WORDS, n)) + "?"


data = os.path.join(OUT, "data", "HAERAE-HUB", "KMMLU", "Law")
os.makedirs(data, exist_ok=True)
for split, count in (("dev", 5), ("test", N)):
    with open(os.path.join(data, f"{split}.jsonl"), "w", encoding="utf-8") as f:
        for _ in range(count):
            doc = {"question": sentence(30), "A": sentence(5), "B": sentence(5), "C": sentence(5), "D": sentence(5),
                   "answer": int(words.integers(1, 5)), "Category": "Law", "Human Accuracy": 0.5}
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
print(f"model {offset / 1e6:.0f} MB, {N} questions")

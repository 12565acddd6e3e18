#!/usr/bin/env python3
"""Writes N arena battles among M models (JSON lines, FastChat's export format): pairs
drawn uniformly, outcomes from Bradley-Terry strengths (normal, sd 1 on the natural
scale), 10% ties and 5% "both bad". For the ratings benchmark.
  /usr/bin/python3 make_arena_battles.py OUT.jsonl [N] [M] [SEED]
"""
import json
import math
import random
import sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
m = int(sys.argv[3]) if len(sys.argv) > 3 else 100
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
strength = [rng.gauss(0, 1) for _ in range(m)]
with open(out, "w") as f:
    for _ in range(n):
        a, b = rng.sample(range(m), 2)
        u = rng.random()
        if u < 0.05:
            winner = "tie (bothbad)"
        elif u < 0.15:
            winner = "tie"
        else:
            winner = "model_a" if rng.random() < 1 / (1 + math.exp(strength[b] - strength[a])) else "model_b"
        f.write(json.dumps({"model_a": f"model-{a:03d}", "model_b": f"model-{b:03d}", "winner": winner}) + "\n")

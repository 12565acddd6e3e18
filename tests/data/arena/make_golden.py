#!/usr/bin/env python3
"""Writes battles.jsonl (seeded synthetic arena battles in FastChat's export format, with
ties, "both bad" and style metadata) and, given a FastChat checkout, fastchat_ratings.json:
the ratings of FastChat's own fastchat/serve/monitor/rating_systems.py on those battles
(Bradley-Terry, style control, a 1000-round bootstrap). Needs Debian's python3-numpy,
python3-scipy, python3-pandas and python3-tqdm for the FastChat part.
  /usr/bin/python3 make_golden.py OUT_DIR [FASTCHAT_DIR]
"""
import json
import math
import os
import random
import sys

out = sys.argv[1]
rng = random.Random(2026)
# (name, strength on the natural scale, verbosity, markdown habit)
models = [("mixtral-8x7b-instruct-v0.1", 0.0, 1.0, 0.2), ("hanbit-7b", 0.3, 1.6, 0.6), ("saebyeok-13b", 0.5, 0.8, 0.1),
          ("nuri-2b", -0.6, 0.7, 0.0), ("gaon-32b", 0.9, 1.2, 0.9), ("dasol-8b", 0.1, 2.2, 0.5),
          ("frontier-a", 1.2, 1.0, 0.4), ("frontier-b", 1.0, 1.4, 0.8)]
battles = []
for _ in range(2000):
    (a, sa, va, ma), (b, sb, vb, mb) = rng.sample(models, 2)
    tokens_a, tokens_b = int(rng.lognormvariate(math.log(300 * va), 0.4)), int(rng.lognormvariate(math.log(300 * vb), 0.4))
    style = {"sum_assistant_a_tokens": tokens_a, "sum_assistant_b_tokens": tokens_b}
    for side, habit in (("a", ma), ("b", mb)):
        style[f"header_count_{side}"] = {f"h{i}": int(rng.random() < habit) * rng.randint(0, 2) for i in range(1, 4)}
        style[f"list_count_{side}"] = {"ordered": rng.randint(0, int(6 * habit)), "unordered": rng.randint(0, int(8 * habit))}
        style[f"bold_count_{side}"] = {"**": rng.randint(0, int(5 * habit)), "__": 0}
    # Voters like strength, and a little length.
    z = (sa - sb) + 0.3 * math.tanh((tokens_a - tokens_b) / 300)
    u = rng.random()
    winner = ("tie (bothbad)" if u < 0.05 else "tie" if u < 0.15
              else "model_a" if rng.random() < 1 / (1 + math.exp(-z)) else "model_b")
    battles.append({"model_a": a, "model_b": b, "winner": winner, "conv_metadata": style})
with open(os.path.join(out, "battles.jsonl"), "w") as f:
    for b in battles:
        f.write(json.dumps(b, ensure_ascii=False) + "\n")

if len(sys.argv) > 2:
    import pandas as pd
    # Imported by name, so that its bootstrap's worker processes can import it too.
    sys.path.insert(0, os.path.join(sys.argv[2], "fastchat", "serve", "monitor"))
    import rating_systems as rs
    df = pd.DataFrame(battles)
    bt = rs.compute_bt(df)
    style, params = rs.compute_style_control(df)
    boot = rs.compute_bootstrap_bt(df, num_round=1000, num_cpu=2)
    golden = {
        "bt": bt.to_dict(),
        "style_control": style.to_dict(),
        "style_params": list(params),
        "bootstrap_2.5": boot.quantile(0.025).to_dict(),
        "bootstrap_97.5": boot.quantile(0.975).to_dict(),
    }
    with open(os.path.join(out, "fastchat_ratings.json"), "w") as f:
        json.dump(golden, f, indent=1, sort_keys=True)

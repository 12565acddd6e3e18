#!/usr/bin/env python3
"""Writes the INVENTED example results of examples/k-ai-2025 (results/stage1..3).

The numbers are made up to exercise every rule of the example program: a team that
fails the independence gate with a top-4 score, a team eliminated on score, a sixth
team joining at stage 2. Deterministic: rerunning gives the same files.
Usage: python3 make_example_results.py   (writes next to this script)
"""
import json
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
NOTE = "INVENTED EXAMPLE DATA for the kaif example program; not a real evaluation"

# Per team: strength per stage (None = not taking part), open-source level affects nothing here.
TEAMS = {
    "hanbit":   {"sha": "5b1e0c1f9a52d4b7e3c8f60a2d9e7b41c0a3f5e6d7b8c9a0e1f2a3b4c5d6e7f8", "params": 32e9,
                 "flops": 3.2e24, "strength": [0.92, 0.95, 0.97]},
    "saebyeol": {"sha": "9d3c2b1a0f9e8d7c6b5a49382716f5e4d3c2b1a0f9e8d7c6b5a4938271605f4e", "params": 14e9,
                 "flops": 1.1e24, "strength": [0.88, 0.90, 0.91]},
    "gaon":     {"sha": "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9", "params": 8e9,
                 "flops": 0.5e24, "strength": [0.83, 0.84, None]},
    "nuri":     {"sha": "f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f", "params": 72e9,
                 "flops": 4.0e24, "strength": [0.87, None, None]},
    "dasom":    {"sha": None, "params": 7e9, "flops": 0.3e24, "strength": [0.70, None, None]},
    "mirae":    {"sha": "1234abcd5678ef901234abcd5678ef901234abcd5678ef901234abcd5678ef90", "params": 20e9,
                 "flops": 1.5e24, "strength": [None, 0.86, 0.85]},
}
CHOSEN = {"hanbit": ["click", "kobest"], "saebyeol": ["kobest", "kormedmcqa"], "gaon": ["click", "kormedmcqa"],
          "nuri": ["kobest", "click"], "dasom": ["kormedmcqa", "kobest"], "mirae": ["click", "kobest"]}
# Best frontier score per global benchmark at each stage's evaluation date (see program.toml).
FRONTIER = [
    {"mmlu_pro": 86.1, "gpqa_diamond": 84.8, "math500": 97.6, "livecodebench": 72.5, "ifeval": 89.3},
    {"mmlu_pro": 88.0, "gpqa_diamond": 87.5, "math500": 98.1, "livecodebench": 78.0, "ifeval": 91.0},
    {"mmlu_pro": 89.2, "gpqa_diamond": 88.4, "math500": 98.5, "livecodebench": 81.0, "ifeval": 92.1},
]
ITEMS = {"ko_national": 2000, "kmmlu": 35030, "haerae": 1538, "mmlu_pro": 12032, "gpqa_diamond": 198,
         "math500": 500, "livecodebench": 880, "ifeval": 541, "click": 1995, "kobest": 6546, "kormedmcqa": 3009}
KOREAN_BASE = {"ko_national": 78.0, "kmmlu": 70.0, "haerae": 82.0, "click": 76.0, "kobest": 88.0, "kormedmcqa": 72.0}


def score(p_percent, n):
    p = max(0.5, min(99.5, p_percent))
    return round(p, 2), round(100 * math.sqrt(p / 100 * (1 - p / 100) / n), 3)


def envelope(team, stage, kind, body):
    t = TEAMS[team]
    model = {"parameters": t["params"], "training_compute_flops": t["flops"]}
    if t["sha"]:
        model["weights_sha256"] = t["sha"]
    doc = {"schema": "kaif.results/1", "kind": kind, "team": team, "stage": stage, "model": model,
           "producer": {"name": "kaif example generator", "version": "1"}, "note": NOTE}
    doc[kind] = body
    return doc


def write(stage_dir, name, doc):
    with open(os.path.join(stage_dir, name), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=2)
        f.write("\n")


def main():
    for stage in (1, 2, 3):
        stage_dir = os.path.join(HERE, "results", f"stage{stage}")
        os.makedirs(stage_dir, exist_ok=True)
        for old in os.listdir(stage_dir):
            os.remove(os.path.join(stage_dir, old))
        rng = random.Random(2025 * 10 + stage)
        for team, t in TEAMS.items():
            s = t["strength"][stage - 1]
            if s is None:
                continue
            bench = {}
            for b, best in FRONTIER[stage - 1].items():
                value, se = score(best * s + rng.uniform(-2, 2), ITEMS[b])
                bench[b] = {"score": value, "stderr": se, "n": ITEMS[b]}
            for b in ["ko_national", "kmmlu", "haerae"] + CHOSEN[team]:
                value, se = score(KOREAN_BASE[b] * (0.6 + 0.45 * s) + rng.uniform(-3, 3), ITEMS[b])
                bench[b] = {"score": value, "stderr": se, "n": ITEMS[b]}
            write(stage_dir, f"{team}.benchmarks.json", envelope(team, stage, "benchmarks", {k: bench[k] for k in sorted(bench)}))

            categories = {}
            for c, n in [("harmful_content", 6000), ("bias_discrimination", 5000), ("privacy", 4000),
                         ("misinformation", 3500), ("illegal_activity", 2500)]:
                rate = min(0.995, 0.80 + 0.2 * s + rng.uniform(-0.02, 0.02))
                categories[c] = {"items": n, "passed": int(n * rate)}
            write(stage_dir, f"{team}.safety.json", envelope(team, stage, "safety", {"categories": categories}))

            battles = rng.randint(8000, 15000)
            rating = round(1000 + 900 * (s - 0.85) + rng.uniform(-15, 15), 1)
            write(stage_dir, f"{team}.arena-public.json", envelope(
                team, stage, "arena", {"pool": "public", "rating": rating,
                                       "stderr": round(400 / math.sqrt(battles) * 1.6, 2), "battles": battles}))

            experts = [round(min(35, max(0, 35 * s + rng.uniform(-3, 2.5))), 1) for _ in range(10)]
            write(stage_dir, f"{team}.expert-review.json", envelope(
                team, stage, "expert", {"panel": "technical_review", "max_score": 35, "scores": experts}))
            plans = [round(min(10, max(0, 10 * (0.5 + 0.5 * s) + rng.uniform(-1.5, 1))), 1) for _ in range(5)]
            write(stage_dir, f"{team}.expert-plans.json", envelope(
                team, stage, "expert", {"panel": "plans", "max_score": 10, "scores": plans}))

            scale = (s - 0.6) * 4 * stage
            counts = {"fine_tune": int(40 * scale + rng.randint(0, 9)), "adapter": int(25 * scale),
                      "quantization": int(60 * scale + rng.randint(0, 20)), "merge": int(4 * scale)}
            write(stage_dir, f"{team}.derivatives.json", envelope(team, stage, "derivatives", {"counts": counts}))

            if team == "nuri":
                verdict = {"verdict": "derived", "p_value": 1e-9, "closest_model": "open-vision-encoder-2b (example)",
                           "detail": "vision encoder weights match a third-party open model after permutation "
                                     "alignment (centred correlation 0.998); language model weights independent"}
            else:
                verdict = {"verdict": "independent", "p_value": round(rng.uniform(0.2, 0.9), 3),
                           "closest_model": "none within the calibrated threshold",
                           "detail": "no component matched any reference open model"}
            write(stage_dir, f"{team}.independence.json", envelope(team, stage, "independence", verdict))


if __name__ == "__main__":
    main()

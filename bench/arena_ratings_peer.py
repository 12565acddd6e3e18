#!/usr/bin/env python3
"""FastChat's rating code on a battles file, timed the way kaif times itself: the
Bradley-Terry fit and the bootstrap, without reading the file. FASTCHAT is a checkout of
github lm-sys/FastChat; needs Debian's python3-numpy, -scipy, -pandas, -tqdm.
  /usr/bin/python3 arena_ratings_peer.py FASTCHAT BATTLES.jsonl [ROUNDS]
"""
import json
import os
import sys
import time

import pandas as pd

sys.path.insert(0, os.path.join(sys.argv[1], "fastchat", "serve", "monitor"))
import rating_systems as rs  # noqa: E402

battles = pd.read_json(sys.argv[2], lines=True)
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
start = time.perf_counter()
ratings = rs.compute_bt(battles)
fit = time.perf_counter() - start
start = time.perf_counter()
boot = rs.compute_bootstrap_bt(battles, num_round=rounds, num_cpu=os.cpu_count())
bootstrap = time.perf_counter() - start
print(json.dumps({"fit_seconds": fit, "bootstrap_seconds": bootstrap, "top": ratings.head(3).to_dict(),
                  "top_97.5": boot.quantile(0.975).head(3).to_dict()}))

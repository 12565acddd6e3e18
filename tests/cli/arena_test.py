#!/usr/bin/env python3
"""kaif arena serve through the real binary and real HTTP.

Three tiny models battle: two on the native engine (committed weights) and one behind
`kaif serve` as an OpenAI-compatible endpoint, streamed. A second arena battles against a
faulty endpoint (this file's FaultyEndpoint: it hangs, fails mid-stream or names its
maker, depending on the prompt) to test what the arena does with backends that misbehave.
A third takes votes under load and is killed with SIGKILL: every acknowledged vote must be
in the database afterwards.

With KAIF_TEST_POSTGRES_URL set (tests/support/with_postgres.sh), only the PostgreSQL
part runs: two arena processes on one database, a battle started on one and voted on the
other, and the kill -9 test against PostgreSQL.

Usage: arena_test.py KAIF SOURCE_DIR SCRATCH_DIR
"""
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KAIF, SRC, SCRATCH = (os.path.abspath(a) for a in sys.argv[1:4])
MODELS = os.path.join(SRC, "tests/data/models")
ADMIN = "admin-" + "7" * 32
POSTGRES = os.environ.get("KAIF_TEST_POSTGRES_URL", "")
checks = 0
failures = []
children = []


def check(name, condition, detail=""):
    global checks
    checks += 1
    if not condition:
        failures.append(name)
        print(f"FAIL: {name} {detail}"[:2000], flush=True)


def stop_children():
    for p in children:
        if p.poll() is None:
            p.kill()
            p.wait()


def start(args, log_name, env=None, pattern=r"listening on (http://\S+?)/?(?:\s|$)"):
    """Starts a kaif server and waits for its "listening on" line; returns (process, url)."""
    log_path = os.path.join(SCRATCH, log_name)
    log = open(log_path, "w")
    proc = subprocess.Popen([KAIF] + args, stdout=log, stderr=subprocess.STDOUT,
                            env=dict(os.environ, **(env or {})))
    children.append(proc)
    for _ in range(600):
        text = open(log_path).read()
        m = re.search(pattern, text)
        if m:
            return proc, m.group(1).rstrip("/")
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    print(open(log_path).read())
    raise SystemExit(f"FAIL: {' '.join(args)} did not start")


class Client:
    def __init__(self, url, voter="ab" * 12, bearer=None):
        m = re.match(r"http://([^:/]+):(\d+)", url)
        self.host, self.port = m.group(1), int(m.group(2))
        self.voter, self.bearer = voter, bearer

    def headers(self, extra=None):
        h = {"Content-Type": "application/json", "X-Kaif-Voter": self.voter}
        if self.bearer:
            h["Authorization"] = "Bearer " + self.bearer
        h.update(extra or {})
        return h

    def request(self, method, path, body=None, raw=None, headers=None, timeout=60):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        conn.request(method, path, body=data, headers=self.headers(headers))
        r = conn.getresponse()
        text = r.read().decode("utf-8", "replace")
        conn.close()
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        return r.status, parsed, text, dict(r.getheaders())

    def events(self, path, body, on_event=None, timeout=60):
        """POSTs and reads the server-sent events; returns [(event, data)]."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        conn.request("POST", path, body=json.dumps(body).encode(), headers=self.headers())
        r = conn.getresponse()
        if r.status != 200:
            text = r.read().decode()
            conn.close()
            return r.status, [("error", text)]
        out, name = [], None
        while True:
            line = r.readline()
            if not line:
                break
            line = line.decode("utf-8").rstrip("\r\n")
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
                out.append((name, data))
                if on_event:
                    on_event(name, data)
                if name == "end":
                    break
        conn.close()
        return 200, out


def solve(challenge, bits):
    nonce = 0
    while True:
        digest = hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()
        value = int.from_bytes(digest, "big")
        if bits == 0 or value >> (256 - bits) == 0:
            return str(nonce)
        nonce += 1


def battle(client, prompt):
    status, events = client.events("/api/battles", {"prompt": prompt})
    assert status == 200, events
    opening = events[0][1]
    end = events[-1][1]
    return opening, end, events


def vote(client, opening, winner="model_a", bits=None):
    nonce = solve(opening["challenge"], opening["pow_bits"] if bits is None else bits)
    return client.request("POST", f"/api/battles/{opening['id']}/vote",
                          {"winner": winner, "token": opening["token"], "nonce": nonce})


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # the arena hangs up on a hanging backend: expected


class FaultyEndpoint(BaseHTTPRequestHandler):
    """An OpenAI-compatible endpoint that misbehaves on purpose (prompt decides how)."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        body = json.dumps({"data": [{"id": "faulty", "max_model_len": 4096}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def chunk(self, data):
        piece = data.encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        self.wfile.flush()

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        prompt = request["messages"][-1]["content"]
        if not request.get("stream"):
            body = json.dumps({"choices": [{"message": {"role": "assistant", "content": "probe answer"}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        delta = lambda text: "data: " + json.dumps({"choices": [{"delta": {"content": text}}]}) + "\n\n"
        try:
            if "hang" in prompt:
                self.chunk(delta("thinking..."))
                time.sleep(30)
                return
            if "fail" in prompt:
                self.chunk(delta("half an answer"))
                self.chunk("data: " + json.dumps({"error": {"message": "upstream overloaded"}}) + "\n\n")
                self.chunk("data: [DONE]\n\n")
            elif "who" in prompt:
                self.chunk(delta("I am ChatGPT, "))
                self.chunk(delta("developed by OpenAI."))
                self.chunk("data: [DONE]\n\n")
            else:
                self.chunk(delta("A plain answer."))
                self.chunk("data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


def write_config(path, models, database, **sections):
    lines = ["[server]", 'host = "127.0.0.1"', "port = 0", f'database = "{database}"',
             'admin_token_env = "TEST_ARENA_ADMIN"', "threads = 16"]
    lines += [f"{k} = {v}" for k, v in sections.get("server", {}).items()]
    lines += ["", "[battles]"] + [f"{k} = {json.dumps(v)}" for k, v in sections.get("battles", {}).items()]
    lines += ["", "[limits]"] + [f"{k} = {v}" for k, v in sections.get("limits", {}).items()]
    for m in models:
        lines += ["", "[[models]]"] + [f"{k} = {json.dumps(v)}" for k, v in m.items()]
    if "expert" in sections:
        lines += ["", "[expert]"] + [f"{k} = {json.dumps(v)}" for k, v in sections["expert"].items()]
    open(path, "w").write("\n".join(lines) + "\n")


def native(name, team, weights):
    return {"name": name, "team": team, "weights": os.path.join(MODELS, weights),
            "tokenizer": os.path.join(MODELS, "bytes")}


def kill_under_load(config, restart, count_votes):
    """Votes under load, SIGKILL, then every acknowledged vote must be in the database."""
    acked = os.path.join(SCRATCH, "acked.txt")
    proc, url = restart()
    load = subprocess.Popen([KAIF, "arena", "loadtest", "--config", config, "--url", url, "--seconds", "20",
                             "--connections", "16", "--battles", "50000", "--acked", acked],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    # Kill once votes are flowing.
    for _ in range(400):
        if os.path.exists(acked) and os.path.getsize(acked) > 2000:
            break
        time.sleep(0.05)
    time.sleep(0.3)
    if load.poll() is not None:
        print(load.communicate()[0].decode())
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    out = load.communicate(timeout=120)[0].decode()
    ids = [int(line) for line in open(acked).read().split()] if os.path.exists(acked) else []
    check("load ran before the kill", len(ids) > 100, out)
    stored = count_votes(ids)
    check("every acknowledged vote survived kill -9", stored == len(ids), f"{stored} of {len(ids)} acknowledged votes stored")
    proc, url = restart()
    status, body, _, _ = Client(url).request("GET", "/health")
    check("the arena restarts after kill -9", status == 200)
    proc.terminate()
    proc.wait()
    return len(ids)


def sqlite_votes(database):
    def count(ids):
        db = sqlite3.connect(database)
        stored = set(r[0] for r in db.execute("SELECT battle_id FROM votes"))
        db.close()
        return sum(1 for i in ids if i in stored)
    return count


def postgres_part():
    """Two arena processes on one PostgreSQL, and kill -9 there."""
    config = os.path.join(SCRATCH, "pg.toml")
    models = [native("hanbit-tiny", "hanbit", "llama3"), native("gaon-tiny", "gaon", "qwen2")]
    write_config(config, models, POSTGRES, battles={"pow_bits": 4, "max_tokens": 12},
                 limits={"votes_per_client": 0, "votes_per_network": 0})
    env = {"TEST_ARENA_ADMIN": ADMIN, "KAIF_ARENA_SECRET": "shared-secret-of-the-processes"}
    p1, url1 = start(["arena", "serve", "--config", config], "pg1.log", env)
    p2, url2 = start(["arena", "serve", "--config", config], "pg2.log", env)
    one, two = Client(url1), Client(url2)
    for i in range(6):
        opening, end, _ = battle(one, f"PostgreSQL 대결 {i}: 서울의 날씨는?")
        check("battle on process 1 is votable", end["votable"], end)
        status, reveal, text, _ = vote(two, opening, ["model_a", "model_b", "tie"][i % 3])
        check("a battle started on one process is voted on the other", status == 200, text)
        status, _, text, _ = vote(one, opening)
        check("the vote is taken once across processes", status == 409, text)
    s1, b1, _, _ = one.request("GET", "/api/leaderboard?mode=public")
    s2, b2, _, _ = two.request("GET", "/api/leaderboard?mode=public")
    check("both processes count the same votes", b1["votes"] == b2["votes"] == 6, (b1, b2))
    p1.terminate(), p2.terminate()
    p1.wait(), p2.wait()

    load_config = os.path.join(SCRATCH, "pg-load.toml")
    write_config(load_config, models, POSTGRES, battles={"pow_bits": 0},
                 limits={"votes_per_client": 0, "votes_per_network": 0})

    def restart():
        return start(["arena", "serve", "--config", load_config], "pg-kill.log", env)

    def count(ids):
        out = subprocess.run([KAIF, "arena", "export", "--config", config, "--out", os.path.join(SCRATCH, "pg-export.json")],
                             capture_output=True, text=True)
        check("export from PostgreSQL", out.returncode == 0, out.stdout + out.stderr)
        exported = json.load(open(os.path.join(SCRATCH, "pg-export.json")))
        stored = set(b["battle_id"] for key in ("battles", "excluded_battles") for b in exported[key])
        return sum(1 for i in ids if i in stored)

    kill_under_load(load_config, restart, count)


def main():
    shutil.rmtree(SCRATCH, ignore_errors=True)
    os.makedirs(SCRATCH)
    if POSTGRES:
        postgres_part()
        return

    # --- The main arena: two native models and kaif serve as a streaming endpoint. ---
    serve, serve_url = start(["serve", "--model", os.path.join(MODELS, "mistral"), "--tokenizer",
                              os.path.join(MODELS, "bytes"), "--port", "0", "--served-model-name", "nuri",
                              "--threads", "1"], "serve.log", pattern=r"listening on (http://\S+)/v1")
    prompts = os.path.join(SCRATCH, "expert_prompts.jsonl")
    with open(prompts, "w") as f:
        for text in ["조선 시대 과거 제도를 설명하세요.", "민법상 계약 해제와 해지의 차이는?", "Explain recall."]:
            f.write(json.dumps({"text": text, "category": "test"}, ensure_ascii=False) + "\n")
    config = os.path.join(SCRATCH, "arena.toml")
    models = [native("hanbit-tiny", "hanbit", "llama3"), native("gaon-tiny", "gaon", "qwen2"),
              {"name": "nuri-endpoint", "team": "nuri", "endpoint": serve_url, "endpoint_model": "nuri"}]
    database = os.path.join(SCRATCH, "arena.sqlite")
    write_config(config, models, database, battles={"pow_bits": 8, "max_tokens": 16, "max_turns": 3,
                                                    "max_prompt_chars": 300},
                 limits={"votes_per_client": 1000, "battles_per_client": 1000}, expert={"prompts": prompts},
                 server={"idle_timeout_seconds": 2})
    out = subprocess.run([KAIF, "arena", "expert", "add", "--config", config, "alice"], capture_output=True, text=True)
    check("expert add", out.returncode == 0, out.stderr)
    expert_token = out.stdout.strip()
    env = {"TEST_ARENA_ADMIN": ADMIN}
    arena, url = start(["arena", "serve", "--config", config], "arena.log", env)
    c = Client(url)

    status, body, _, _ = c.request("GET", "/health")
    check("health", status == 200 and body == {"status": "ok"}, body)
    status, _, page, headers = c.request("GET", "/")
    check("the page", status == 200 and 'lang="ko"' in page and "text/html" in headers.get("Content-Type", ""))
    status, cfg, _, _ = c.request("GET", "/api/config")
    check("config", status == 200 and cfg["pow_bits"] == 8 and cfg["rubric"][0]["ko"] == "정확성", cfg)
    status, listed, _, _ = c.request("GET", "/api/models")
    identities = {m["name"]: m["identity"] for m in listed["models"]}
    check("models pinned: weights hash", identities.get("hanbit-tiny", "").startswith("weights sha256:"), identities)
    check("models pinned: endpoint probes", "probes sha256:" in identities.get("nuri-endpoint", ""), identities)

    # A battle, streamed; the vote and its checks.
    opening, end, events = battle(c, "대한민국의 수도는 어디인가요?")
    kinds = [e for e, _ in events]
    check("battle streams deltas of both sides", {d["side"] for e, d in events if e == "delta"} <= {0, 1} and
          kinds.count("answered") == 2 and end["votable"], kinds)
    bid = opening["id"]
    status, _, text, _ = c.request("POST", f"/api/battles/{bid}/vote", {"winner": "model_a", "token": "0" * 32, "nonce": "1"})
    check("wrong token or work refused", status == 403, text)
    status, _, text, _ = c.request("POST", f"/api/battles/{bid}/vote",
                                   {"winner": "model_a", "token": opening["token"], "nonce": "x"})
    check("missing proof of work refused", status == 403 and "proof of work" in text, text)
    status, _, text, _ = c.request("POST", f"/api/battles/{bid}/vote", {"winner": "nobody", "token": opening["token"]})
    check("unknown winner refused", status == 400, text)
    status, reveal, text, _ = vote(c, opening, "model_b")
    check("vote and reveal", status == 200 and reveal["model_a"] != reveal["model_b"] and reveal["team_a"], text)
    status, _, text, _ = vote(c, opening, "model_a")
    check("replayed vote refused", status == 409 and "already" in text, text)
    status, _, text, _ = c.request("POST", "/api/battles/999999/vote", {"winner": "tie", "token": "a" * 32, "nonce": "0"})
    check("vote on an unknown battle", status in (403, 404), text)

    # Bad input: clear errors, never a crash.
    status, _, text, _ = c.request("POST", "/api/battles", raw=b'{"prompt": "unterminated')
    check("malformed JSON", status == 400 and "JSON" in text, text)
    status, _, text, _ = c.request("POST", "/api/battles", raw=b'{"prompt": "\xff\xfe bad utf-8"}')
    check("invalid UTF-8", status == 400, text)
    status, _, text, _ = c.request("POST", "/api/battles", {"prompt": "가" * 301})
    check("oversized prompt", status == 413 and "300" in text, text)
    status, _, text, _ = c.request("POST", "/api/battles", raw=b"x" * (2 << 20))
    check("oversized body", status == 413, text)
    status, _, text, _ = c.request("POST", "/api/battles", {"prompt": "a\u0000b"})
    check("NUL in a prompt", status == 400 and "NUL" in text, text)
    status, _, text, _ = c.request("POST", "/api/battles", {"prompt": "   "})
    check("empty prompt", status == 400, text)
    status, _, text, _ = c.request("GET", "/api/battles")
    check("wrong method", status == 405, text)
    status, _, text, _ = c.request("GET", "/api/leaderboard?mode=secret")
    check("bad leaderboard mode", status == 400, text)
    injection = "'); DROP TABLE votes; -- 로버트"
    opening_i, end_i, _ = battle(c, injection)
    check("SQL injection is just a prompt", end_i["votable"])
    vote(c, opening_i, "tie")

    # Multi-turn, and its limit.
    # Short turns: the endpoint model's window is 256 byte tokens.
    opening, end, _ = battle(c, "How is kimchi made?")
    status, turn2 = c.events(f"/api/battles/{opening['id']}/turns", {"prompt": "More detail.", "token": opening["token"]})
    check("second turn streams", status == 200 and turn2[0][1]["turn"] == 1 and turn2[-1][1]["votable"], turn2[:2])
    status, turn3 = c.events(f"/api/battles/{opening['id']}/turns", {"prompt": "Last one.", "token": opening["token"]})
    check("third turn", status == 200 and turn3[-1][1]["votable"], turn3)
    status, turn4 = c.events(f"/api/battles/{opening['id']}/turns", {"prompt": "하나 더?", "token": opening["token"]})
    check("at most max_turns", status == 409, turn4)
    status, _, text, _ = vote(c, opening, "model_a")
    check("multi-turn vote", status == 200, text)

    # Duplicate prompts are flagged (and excluded from the ratings).
    _, end1, _ = battle(c, "Write a haiku about the sea at Busan in autumn.")
    _, end2, _ = battle(c, "write a haiku about the sea at busan, in autumn!")
    check("near-duplicate prompt flagged", "duplicate_prompt" in end2["flags"] and "duplicate_prompt" not in end1["flags"],
          (end1, end2))

    # Enough votes for ratings.
    for i in range(24):
        o, e, _ = battle(c, f"질문 {i}번: 서로 다른 주제 {i * 7919 % 1000}에 대해 써 주세요.")
        if e["votable"]:
            vote(c, o, ["model_a", "model_b", "tie", "model_a", "tie (bothbad)"][i % 5])
    status, board, text, _ = c.request("GET", "/api/leaderboard?mode=public")
    check("public leaderboard", status == 200 and len(board["models"]) == 3 and board["models"][0]["lower"] <= board["models"][0]["rating"],
          text[:500])
    names = [f["name"] for f in board.get("filters", [])]
    check("filter effects reported", names == ["duplicate_prompt", "identity_revealed", "flagged_voter"], names)

    # Experts.
    expert = Client(url, bearer=expert_token)
    status, body, text, _ = expert.request("POST", "/api/expert/login")
    check("expert login", status == 200 and body["expert"] == "alice", text)
    status, _, text, _ = Client(url, bearer="f" * 48).request("POST", "/api/expert/login")
    check("unknown expert token", status == 401, text)
    judged = 0
    for _ in range(3):
        status, events = expert.events("/api/expert/next", {})
        check("expert task streams", status == 200, events[:1])
        if status != 200:
            break
        o = events[0][1]
        sides = 1 if o["kind"] == "single" else 2
        scores = {r["id"]: [3] * sides for r in cfg["rubric"]}
        bad = dict(scores)
        bad["accuracy"] = [9] * sides
        status, _, text, _ = expert.request("POST", f"/api/battles/{o['id']}/vote", {"winner": "model_a", "token": o["token"], "scores": bad})
        check("rubric score out of range refused", status == 400, text)
        status, reveal, text, _ = expert.request("POST", f"/api/battles/{o['id']}/vote",
                                                 {"winner": "model_a", "token": o["token"], "scores": scores})
        check("expert judgement", status == 200, text)
        judged += status == 200
    status, _, text, _ = expert.request("POST", "/api/expert/next", {})
    check("every prompt judged once per expert", status == 409, text)
    status, board, text, _ = c.request("GET", "/api/leaderboard?mode=expert")
    check("expert leaderboard has rubric means", status == 200 and len(board.get("rubric", [])) > 0, text[:300])

    # Admin.
    status, _, text, _ = c.request("POST", "/api/admin/withdraw", {"model": "gaon-tiny"})
    check("admin needs its token", status == 403, text)
    admin = Client(url, bearer=ADMIN)
    status, _, text, _ = admin.request("POST", "/api/admin/withdraw", {"model": "gaon-tiny"})
    check("withdraw", status == 200, text)
    late = {"name": "nuri-late", "team": "nuri", "endpoint": serve_url, "endpoint_model": "nuri"}
    status, body, text, _ = admin.request("POST", "/api/admin/models", late)
    check("register an endpoint model at run time", status == 200 and "probes sha256:" in body.get("identity", ""), text)
    status, _, text, _ = admin.request("POST", "/api/admin/models", late)
    check("registered once", status == 409, text)
    status, _, text, _ = admin.request("POST", "/api/admin/models", dict(late, name="nowhere", endpoint="http://127.0.0.1:9/v1"))
    check("an unreachable endpoint is not registered", status == 502, text)
    for i in range(4):
        o, e, _ = battle(c, f"철회 이후 {i}")
        status, reveal, text, _ = vote(c, o, "tie")
        check("a withdrawn model takes no battles",
              status == 200 and "gaon-tiny" not in (reveal["model_a"], reveal["model_b"]), text)
    status, listed, _, _ = c.request("GET", "/api/models")
    check("withdrawn models stay listed", any(m["name"] == "gaon-tiny" and m["withdrawn_at"] for m in listed["models"]))
    status, frozen, text, _ = admin.request("POST", "/api/admin/freeze", {"round": "2026-h2"})
    check("freeze a round", status == 200 and frozen["public"]["votes"] > 0, text[:300])
    status, exported, text, _ = admin.request("GET", "/api/admin/export")
    check("export", status == 200 and exported["format"] == "kaif.arena-export/1", text[:300])
    check("withdrawn model's votes stay in the export",
          any("gaon-tiny" in (b["model_a"], b["model_b"]) for b in exported["battles"]))
    check("the injection prompt is stored verbatim",
          any(t["prompt"] == injection for b in exported["battles"] + exported["excluded_battles"] for t in b["turns"]))
    export_file = os.path.join(SCRATCH, "export.json")
    out = subprocess.run([KAIF, "arena", "export", "--config", config, "--out", export_file], capture_output=True, text=True)
    check("kaif arena export", out.returncode == 0, out.stderr)
    out = subprocess.run([KAIF, "arena", "ratings", export_file, "--json", os.path.join(SCRATCH, "ratings.json")],
                         capture_output=True, text=True)
    check("kaif arena ratings reads the export", out.returncode == 0, out.stderr)
    # The frozen round's export makes the teams' results documents for kaif round.
    round_file = os.path.join(SCRATCH, "round.json")
    out = subprocess.run([KAIF, "arena", "export", "--config", config, "--round", "2026-h2", "--out", round_file],
                         capture_output=True, text=True)
    check("export of a frozen round", out.returncode == 0, out.stderr)
    docs = os.path.join(SCRATCH, "docs")
    out = subprocess.run([KAIF, "arena", "ratings", round_file, "--stage", "1", "--out", docs], capture_output=True, text=True)
    written = sorted(os.listdir(docs)) if os.path.isdir(docs) else []
    check("the round's results documents", out.returncode == 0 and "hanbit.arena-public.json" in written, out.stderr + str(written))
    out = subprocess.run([KAIF, "arena", "export", "--config", config, "--round", "nope", "--out", round_file],
                         capture_output=True, text=True)
    check("unknown round", out.returncode == 2 and "no frozen round nope" in out.stderr, out.stderr)
    status, _, text, _ = admin.request("POST", "/api/admin/withdraw", {"model": "nobody"})
    check("withdrawing an unknown model", status == 404, text)
    status, board, _, _ = c.request("GET", "/api/leaderboard?mode=public")
    time.sleep(2.1)  # past the leaderboard cache
    status, board, _, _ = c.request("GET", "/api/leaderboard?mode=public")
    if out.returncode == 0:
        recomputed = {m["model"]: m["rating"] for m in json.load(open(os.path.join(SCRATCH, "ratings.json")))["models"]}
        shown = {m["model"]: m["rating"] for m in board["models"]}
        check("the export recomputes the leaderboard",
              shown.keys() == recomputed.keys() and all(abs(shown[k] - recomputed[k]) < 0.11 for k in shown), (shown, recomputed))

    # Slow clients are cut off; the server keeps serving.
    slow = socket.create_connection((c.host, c.port))
    slow.sendall(b"POST /api/battles HTTP/1.1\r\nHost: x\r\n")
    time.sleep(3)
    try:
        slow.sendall(b"X-Slow: 1\r\n")
        closed = slow.recv(100) == b""
    except OSError:
        closed = True
    check("slowloris connection closed", closed)
    status, _, _, _ = c.request("GET", "/health")
    check("still serving", status == 200)

    status, _, metrics, _ = c.request("GET", "/metrics")
    check("metrics", status == 200 and 'kaif_arena_votes_total{mode="public",result="accepted"}' in metrics and
          "kaif_arena_request_seconds_bucket" in metrics, metrics[:300])
    arena.terminate()
    arena.wait()
    check("SIGTERM stops the arena", arena.returncode == 0, arena.returncode)

    # --- An arena against a faulty endpoint. ---
    faulty = QuietServer(("127.0.0.1", 0), FaultyEndpoint)
    faulty.daemon_threads = True
    threading.Thread(target=faulty.serve_forever, daemon=True).start()
    config2 = os.path.join(SCRATCH, "faulty.toml")
    write_config(config2, [native("hanbit-tiny", "hanbit", "llama3"),
                           {"name": "faulty", "team": "nowhere", "endpoint": f"http://127.0.0.1:{faulty.server_port}/v1",
                            "endpoint_model": "faulty"}],
                 os.path.join(SCRATCH, "faulty.sqlite"), battles={"pow_bits": 0, "max_tokens": 8, "backend_timeout_seconds": 6},
                 limits={"votes_per_client": 4, "battles_per_client": 1000})
    arena2, url2 = start(["arena", "serve", "--config", config2], "faulty.log", env)
    c2 = Client(url2)
    # A hanging backend: the battle is not votable, and a vote while it streams is refused.
    early = {}

    def vote_early(name, data):
        if name == "battle":
            early["opening"] = data
        if name == "delta" and "opening" in early and "status" not in early:
            o = early["opening"]
            early["status"] = c2.request("POST", f"/api/battles/{o['id']}/vote",
                                         {"winner": "model_a", "token": o["token"], "nonce": "0"})[0]
    status, events = c2.events("/api/battles", {"prompt": "please hang"}, on_event=vote_early)
    check("vote before the answers finished refused", early.get("status") == 409, early)
    check("a hanging backend fails the battle", any(e == "failed" for e, _ in events) and not events[-1][1]["votable"], events)
    status, events = c2.events("/api/battles", {"prompt": "please fail"})
    check("a backend failing mid-stream fails the battle", any(e == "failed" for e, _ in events) and not events[-1][1]["votable"])
    opening, end, _ = battle(c2, "who are you")
    check("an answer naming its maker is flagged", "identity_revealed" in end["flags"], end)
    status, reveal, text, _ = vote(c2, opening)
    check("its vote is taken but excluded", status == 200 and "identity_revealed" in reveal["flags"], text)
    statuses = [c2.request("POST", "/api/battles/1/vote", {"winner": "tie", "token": "0" * 32, "nonce": "0"})[0] for _ in range(6)]
    check("votes are rate limited per client", 429 in statuses, statuses)
    status, _, metrics, _ = c2.request("GET", "/metrics")
    check("backend errors in metrics", 'kaif_arena_backend_errors_total{model="faulty"}' in metrics, metrics[-600:])
    arena2.terminate()
    arena2.wait()
    faulty.shutdown()

    # --- kill -9 under load (SQLite). ---
    config3 = os.path.join(SCRATCH, "load.toml")
    database3 = os.path.join(SCRATCH, "load.sqlite")
    write_config(config3, [native("hanbit-tiny", "hanbit", "llama3"), native("gaon-tiny", "gaon", "qwen2")], database3,
                 battles={"pow_bits": 0}, limits={"votes_per_client": 0, "votes_per_network": 0})
    kill_under_load(config3, lambda: start(["arena", "serve", "--config", config3], "load.log", env),
                    sqlite_votes(database3))
    serve.terminate()
    serve.wait()


try:
    main()
finally:
    stop_children()
print(f"arena_test: {checks - len(failures)} of {checks} checks passed")
sys.exit(1 if failures else 0)

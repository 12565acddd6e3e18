#!/usr/bin/env bash
# kaif serve and kaif eval --endpoint against each other, through the real binary: the
# tiny Llama served over HTTP gives the same log-likelihoods, generations and metrics as
# kaif eval --model on the same weights; bad requests get 400s and the server keeps
# running; a rerun resumes from the cache; the API key is written nowhere; SIGTERM stops
# the server cleanly.
# Usage: endpoint_test.sh KAIF SOURCE_DIR SCRATCH_DIR
set -uo pipefail
kaif=$(realpath "$1") src=$(realpath "$2") scratch=$3
rm -rf "$scratch" && mkdir -p "$scratch" && cd "$scratch" || exit 1
failures=0 checks=0

# Every command's output also goes to all.out, which the API key must not appear in.
check() {  # check NAME COMMAND...: the command must succeed
  checks=$((checks + 1))
  local code=0
  "${@:2}" >"$scratch/last.out" 2>&1 || code=$?
  cat "$scratch/last.out" >>"$scratch/all.out"
  if [ "$code" -ne 0 ]; then
    failures=$((failures + 1)); echo "FAIL: $1"; sed 's/^/  /' "$scratch/last.out" | head -20
  fi
}
expect_exit() {  # expect_exit NAME CODE PATTERN COMMAND...: exit code and a message fragment
  checks=$((checks + 1))
  "${@:4}" >"$scratch/last.out" 2>&1
  local code=$?
  cat "$scratch/last.out" >>"$scratch/all.out"
  if [ "$code" -ne "$2" ] || ! grep -qF -- "$3" "$scratch/last.out"; then
    failures=$((failures + 1)); echo "FAIL: $1 (exit $code, want $2 and '$3')"; sed 's/^/  /' "$scratch/last.out" | head -20
  fi
}
# http METHOD PATH [BODY]: one request over bash's /dev/tcp; prints the whole response.
http() {
  local body=${3-}
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf '%s %s HTTP/1.1\r\nHost: kaif\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
    "$1" "$2" "${#body}" "$body" >&3
  cat <&3
  exec 3<&-
}
expect_http() {  # expect_http NAME STATUS PATTERN METHOD PATH [BODY]
  checks=$((checks + 1))
  http "${@:4}" >"$scratch/last.out" 2>&1
  if ! head -1 "$scratch/last.out" | grep -q "^HTTP/1.1 $2 " || ! grep -qF -- "$3" "$scratch/last.out"; then
    failures=$((failures + 1)); echo "FAIL: $1 (want $2 and '$3')"; sed 's/^/  /' "$scratch/last.out" | head -20
  fi
}

models=$src/tests/data/models
evaldata=$src/tests/data/eval
bytes=(--tokenizer "$models/bytes")
# A key the client sends (kaif serve ignores it); it must not be written anywhere.
export OPENAI_API_KEY=sk-kaif-endpoint-test-5e2b7c91d4

"$kaif" serve --model "$models/llama3" "${bytes[@]}" --port 0 --served-model-name tiny --threads 1 2>serve.log &
server=$!
trap 'kill "$server" 2>/dev/null' EXIT
for _ in $(seq 1 400); do grep -q "listening on" serve.log && break; sleep 0.05; done
url=$(sed -n 's/.*listening on \(http[^ ]*\) .*/\1/p' serve.log)
port=$(echo "$url" | sed -n 's/.*:\([0-9]*\)\/v1$/\1/p')
[ -n "$port" ] || { echo "FAIL: kaif serve did not start"; cat serve.log; exit 1; }

# The API, and bad requests: each a 400 with a message, and the server keeps running.
expect_http health 200 '"status":"ok"' GET /health
expect_http models 200 '"max_model_len":256' GET /v1/models
expect_http echo 200 '"token_logprobs":[null,' POST /v1/completions \
  '{"model": "tiny", "prompt": [72, 105, 33], "max_tokens": 0, "echo": true, "logprobs": 1}'
expect_http chat 200 '"chat.completion"' POST /v1/chat/completions \
  '{"messages": [{"role": "user", "content": "hi"}], "max_tokens": 2}'
expect_http bad_json 400 'the request body is not JSON' POST /v1/completions '{"prompt": [1, 2'
expect_http no_prompt 400 "'prompt' is required" POST /v1/completions '{"max_tokens": 2}'
expect_http bad_field 400 "'max_tokens' must be an integer" POST /v1/completions '{"prompt": "a", "max_tokens": "x"}'
expect_http id_out_of_range 400 'token id 9999 is outside the vocabulary of 256' POST /v1/completions \
  '{"prompt": [1, 9999], "max_tokens": 1}'
expect_http too_long 400 'window is 256' POST /v1/completions \
  "{\"prompt\": [$(seq -s, 1 300 | sed 's/[0-9]\+/7/g')], \"max_tokens\": 0, \"echo\": true, \"logprobs\": 1}"
expect_http wrong_model 404 "the model 'other' does not exist" POST /v1/completions '{"prompt": "a", "model": "other"}'
expect_http unknown_path 404 'no such path: /v2/x' GET /v2/x
expect_http wrong_method 405 'takes POST' GET /v1/completions
expect_http oversize 413 'larger than the limit' POST /v1/completions "$(head -c 34000000 /dev/zero | tr '\0' ' ')"
expect_http still_serving 200 '"status":"ok"' GET /health

# The same tasks on the weights and on the endpoint: identical samples and metrics.
mc_task=(--tasks "$evaldata/tasks/kmmlu_law_sample.yaml" --data-dir "$evaldata/data")
mc=("${mc_task[@]}" --num-fewshot 1)
gen=(--tasks "$evaldata/tasks/gsm8k_sample.yaml" --data-dir "$evaldata/data")
endpoint=(--endpoint "$url" --endpoint-model tiny "${bytes[@]}" --concurrency 3)
check native_mc "$kaif" eval --model "$models/llama3" "${bytes[@]}" "${mc[@]}" --out native_mc
check endpoint_mc "$kaif" eval "${endpoint[@]}" "${mc[@]}" --out endpoint_mc
check same_loglikelihoods cmp native_mc/samples_kmmlu_law_sample.jsonl endpoint_mc/samples_kmmlu_law_sample.jsonl
check same_mc_metrics diff <(jq -S .results native_mc/results.json) <(jq -S .results endpoint_mc/results.json)
check endpoint_model_block jq -e --arg url "$url" '.kaif.backend == "endpoint" and .model.endpoint == $url
  and .model.model_name == "tiny" and (.model.tokenizer_sha256 | length) == 64 and .kaif.max_length == 256' \
  endpoint_mc/results.json
check native_gen "$kaif" eval --model "$models/llama3" "${bytes[@]}" "${gen[@]}" --out native_gen
check endpoint_gen "$kaif" eval "${endpoint[@]}" "${gen[@]}" --out endpoint_gen
check same_generations cmp native_gen/samples_gsm8k_sample.jsonl endpoint_gen/samples_gsm8k_sample.jsonl
check same_gen_metrics diff <(jq -S .results native_gen/results.json) <(jq -S .results endpoint_gen/results.json)
# Contexts longer than the window are cut from the left the same way on both sides.
check native_mc_cut "$kaif" eval --model "$models/llama3" "${bytes[@]}" "${mc_task[@]}" --num-fewshot 2 --out native_mc_cut
check endpoint_mc_cut "$kaif" eval "${endpoint[@]}" "${mc_task[@]}" --num-fewshot 2 --out endpoint_mc_cut
check contexts_cut grep -q truncated_context_tokens endpoint_mc_cut/samples_kmmlu_law_sample.jsonl
check same_cut_loglikelihoods cmp native_mc_cut/samples_kmmlu_law_sample.jsonl endpoint_mc_cut/samples_kmmlu_law_sample.jsonl
check native_gen_cut "$kaif" eval --model "$models/llama3" "${bytes[@]}" "${gen[@]}" --num-fewshot 3 --out native_gen_cut
check endpoint_gen_cut "$kaif" eval "${endpoint[@]}" "${gen[@]}" --num-fewshot 3 --out endpoint_gen_cut
check prompts_cut grep -q truncated_context_tokens endpoint_gen_cut/samples_gsm8k_sample.jsonl
check same_cut_generations cmp native_gen_cut/samples_gsm8k_sample.jsonl endpoint_gen_cut/samples_gsm8k_sample.jsonl

# Generation through chat completions (the model's template) runs too.
check endpoint_chat "$kaif" eval "${endpoint[@]}" --chat "${gen[@]}" --num-fewshot 0 --out endpoint_chat
check endpoint_chat_api jq -e '.kaif.api == "chat" and (.results.gsm8k_sample | has("exact_match,strict-match"))' \
  endpoint_chat/results.json

# A rerun is answered from the cache, without a request to the server.
served=$(grep -c 'POST /v1/completions 200' serve.log)
check endpoint_rerun "$kaif" eval "${endpoint[@]}" "${mc[@]}" --out endpoint_mc
check rerun_from_cache jq -e '.kaif.cached_requests == .kaif.requests and .kaif.requests > 0' endpoint_mc/results.json
check rerun_sent_nothing test "$(grep -c 'POST /v1/completions 200' serve.log)" -eq "$served"
check rerun_same_samples cmp native_mc/samples_kmmlu_law_sample.jsonl endpoint_mc/samples_kmmlu_law_sample.jsonl

# Credentials in the URL are dropped; errors name the URL and the server's message.
check url_credentials "$kaif" eval --endpoint "http://user:$OPENAI_API_KEY@127.0.0.1:$port/v1" --endpoint-model tiny \
  "${bytes[@]}" "${mc[@]}" --out url_credentials --limit 2
expect_exit wrong_model_name 2 "answered 404: the model 'nope' does not exist" "$kaif" eval --endpoint "$url" \
  --endpoint-model nope "${bytes[@]}" "${mc[@]}" --out wrong_model --no-cache
expect_exit url_credentials_in_error 2 "POST http://127.0.0.1:$port/v1/completions answered 404" "$kaif" eval \
  --endpoint "http://user:$OPENAI_API_KEY@127.0.0.1:$port/v1" --endpoint-model nope "${bytes[@]}" "${mc[@]}" --out x --no-cache
expect_exit both_backends 2 "exactly one of --model and --endpoint" "$kaif" eval --endpoint "$url" --endpoint-model tiny \
  --model "$models/llama3" "${mc[@]}" --out x
expect_exit no_endpoint_model 2 "--endpoint needs --endpoint-model" "$kaif" eval --endpoint "$url" "${mc[@]}" --out x
expect_exit not_a_url 2 "is not an http:// or https:// URL" "$kaif" eval --endpoint "localhost:$port" --endpoint-model tiny \
  "${mc[@]}" --out x
expect_exit mc_needs_tokenizer 2 "need the served model's tokenizer" "$kaif" eval --endpoint "$url" --endpoint-model tiny \
  "${mc[@]}" --out no_tokenizer --no-cache
expect_exit unreachable 1 "cannot reach the endpoint" "$kaif" eval --endpoint "http://127.0.0.1:1/v1" \
  --endpoint-model tiny "${bytes[@]}" "${mc[@]}" --out x --max-retries 1

# SIGTERM: a clean stop.
kill -TERM "$server"
wait "$server"
code=$?
trap - EXIT
check serve_exit_code test "$code" -eq 0
check serve_logged_stop grep -q "SIGTERM: stopping" serve.log
check serve_logged_requests grep -q "POST /v1/completions 400 .*: 'prompt' is required" serve.log

# The API key appears in no file written (results, samples, caches, the server's log)
# nor in any message printed (all.out).
# grep exits 1 when it finds nothing (2 would be an error of its own); the second check
# shows the first can fail.
check key_written_nowhere sh -c 'grep -rlaF --exclude=last.out -- "$OPENAI_API_KEY" .; [ $? -eq 1 ]'
check key_check_finds_a_planted_key sh -c 'echo "$OPENAI_API_KEY" >planted; grep -qraF --exclude=last.out -- "$OPENAI_API_KEY" .'

echo "$((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]

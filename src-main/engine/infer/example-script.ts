// example.mjs shipped in every bundle: a dependency-light demo of running model.onnx with onnxruntime-node,
// including a compact BERT WordPiece tokenizer with char offsets (enough for ordinary text; the app's own
// tokenizer matches Hugging Face exactly on every input).

/** The example script's source. */
export const EXAMPLE_MJS = String.raw`// Run: npm install onnxruntime-node && node example.mjs "Text to analyse" ["another text" ...]
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';

const here = dirname(fileURLToPath(import.meta.url));
const labels = JSON.parse(readFileSync(join(here, 'labels.json'), 'utf8'));
const config = JSON.parse(readFileSync(join(here, 'tokenizer_config.json'), 'utf8'));
const vocabList = readFileSync(join(here, 'vocab.txt'), 'utf8').split('\n');
if (vocabList.at(-1) === '') vocabList.pop();
const vocab = new Map(vocabList.map((t, i) => [t, i]));
const lower = config.do_lower_case !== false;
const id = (t) => vocab.get(t);

const isPunct = (c) => /[\p{P}\p{S}]/u.test(c) && (/\p{P}/u.test(c) || /[$+<=>^\x60|~]/.test(c));
const isCjk = (c) => /[\u4E00-\u9FFF\u3400-\u4DBF\uF900-\uFAFF\u{20000}-\u{2FA1F}]/u.test(c);

// Words with [start, end) offsets into the original text: split on whitespace, punctuation and CJK chars.
function words(text) {
  const out = [];
  let start = -1;
  const flush = (end) => { if (start >= 0) out.push([start, end]); start = -1; };
  for (let i = 0; i < text.length; ) {
    const c = String.fromCodePoint(text.codePointAt(i));
    if (/\s/u.test(c) || /[\p{Cc}\p{Cf}]/u.test(c) || c === '\uFFFD') flush(i);
    else if (isPunct(c) || isCjk(c)) { flush(i); out.push([i, i + c.length]); }
    else if (start < 0) start = i;
    i += c.length;
  }
  flush(text.length);
  return out;
}

function normalise(w) {
  const s = lower ? w.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '') : w;
  return s.replace(/[\p{Cc}\p{Cf}]/gu, '');
}

function wordPiece(w) {
  if ([...w].length > 100) return [id('[UNK]')];
  const ids = [];
  for (let start = 0; start < w.length; ) {
    let end = w.length;
    let found;
    while (start < end) {
      const piece = (start > 0 ? '##' : '') + w.slice(start, end);
      if (vocab.has(piece)) { found = vocab.get(piece); break; }
      end--;
    }
    if (found === undefined) return [id('[UNK]')];
    ids.push(found);
    start = end;
  }
  return ids;
}

function encode(text, maxLength = labels.maxLength) {
  const ids = [id('[CLS]')];
  const wordOf = [null];
  const spans = words(text);
  spans.forEach(([s, e], w) => {
    const n = normalise(text.slice(s, e));
    if (n === '') return;
    for (const t of wordPiece(n)) { ids.push(t); wordOf.push(w); }
  });
  ids.length = Math.min(ids.length, maxLength - 1);
  wordOf.length = ids.length;
  ids.push(id('[SEP]'));
  wordOf.push(null);
  return { ids, wordOf, spans };
}

const softmax = (xs) => { const m = Math.max(...xs); const e = xs.map((x) => Math.exp(x - m)); const s = e.reduce((a, b) => a + b, 0); return e.map((x) => x / s); };

// The most probable tag sequence in which I-X only follows B-X or I-X (the app decodes the same way).
function bioViterbi(logp, tags) {
  const ok = (from, to) => !tags[to].startsWith('I-') || (from !== null && tags[from] !== 'O' && tags[from].slice(2) === tags[to].slice(2));
  let score = tags.map((_, k) => (logp.length > 0 && ok(null, k) ? logp[0][k] : -Infinity));
  const back = [];
  for (let i = 1; i < logp.length; i++) {
    const from = tags.map((_, k) => score.reduce((b, s, j) => (ok(j, k) && (b < 0 || s > score[b]) ? j : b), -1));
    score = tags.map((_, k) => score[from[k]] + logp[i][k]);
    back.push(from);
  }
  const path = logp.length > 0 ? [score.indexOf(Math.max(...score))] : [];
  for (let i = back.length - 1; i >= 0; i--) path.unshift(back[i][path[0]]);
  return path;
}

const texts = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['John Smith flew from Paris to New York on Monday.'];
const session = await ort.InferenceSession.create(join(here, 'model.onnx'));
const results = [];
for (const text of texts) {
  const { ids, wordOf, spans } = encode(text);
  const t = ids.length;
  const i64 = (xs) => new ort.Tensor('int64', BigInt64Array.from(xs, BigInt), [1, t]);
  const out = await session.run({ input_ids: i64(ids), attention_mask: i64(ids.map(() => 1)), token_type_ids: i64(ids.map(() => 0)) });
  const result = { text };
  if (labels.classification.length > 0) {
    const probs = softmax(Array.from(out.class_logits.data));
    result.label = labels.classification[probs.indexOf(Math.max(...probs))];
    result.classProbs = Object.fromEntries(labels.classification.map((l, i) => [l, probs[i]]));
  }
  if (labels.ner.length > 0) {
    const k = labels.ner.length;
    const logits = out.token_logits.data;
    const words = []; // [sub-token position, word] of each word's first sub-word: it decides the word's tag
    for (let p = 0; p < t; p++) if (wordOf[p] !== null && wordOf[p] !== wordOf[p - 1]) words.push([p, wordOf[p]]);
    const path = bioViterbi(words.map(([p]) => softmax(Array.from(logits.subarray(p * k, (p + 1) * k))).map(Math.log)), labels.ner);
    const entities = [];
    let cur = null;
    for (let i = 0; i < words.length; i++) {
      const w = words[i][1];
      const tag = labels.ner[path[i]];
      const type = tag === 'O' ? null : tag.slice(2);
      if (cur && (type === null || tag.startsWith('B-') || type !== cur.type)) { entities.push(cur); cur = null; }
      if (type !== null && cur === null) cur = { type, start: spans[w][0], end: spans[w][1] };
      else if (cur) cur.end = spans[w][1];
    }
    if (cur) entities.push(cur);
    result.entities = entities.map((e) => ({ ...e, text: text.slice(e.start, e.end) }));
  }
  results.push(result);
}
console.log(JSON.stringify(results, null, 2));
`;

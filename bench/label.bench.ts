// Silver labeler speed on AG News texts (../shared/data/ag_news/train.csv, first N rows). Prints JSON with
// words/s per labeler and, as a same-run reference, the speed of plain word tokenisation over the same
// texts, so ratios stay comparable on a busy machine. Run: npx tsx bench/label.bench.ts [rows]
import { existsSync } from 'node:fs';
import { tokenizeWords } from '../src-main/data/align';
import { importFile } from '../src-main/data/import';
import {
  compromiseLabeler,
  entityLabeler,
  newsRulesLabeler,
  silverLabeler,
  winkLabeler,
  type Labeler,
} from '../src-main/data/silver';

const path = new URL('../../shared/data/ag_news/train.csv', import.meta.url).pathname;
if (!existsSync(path)) {
  console.error(`bench/label: ${path} is missing; put the shared data beside the repo (../shared/data).`);
  process.exit(2);
}
const rows = Number(process.argv[2] ?? 2000);
const texts: string[] = [];
for await (const ev of importFile(path)) {
  if (ev.kind === 'example') texts.push(ev.example.text);
  if (texts.length >= rows) break;
}
const words = texts.reduce((n, t) => n + tokenizeWords(t).length, 0);

function time(fn: (t: string) => unknown): number {
  for (const t of texts.slice(0, 400)) fn(t); // warm-up: JIT and lazily loaded lexicons
  const t0 = performance.now();
  for (const t of texts) fn(t);
  return (performance.now() - t0) / 1000;
}

const reference = time((t) => tokenizeWords(t));
const labelers: readonly Labeler[] = [
  newsRulesLabeler(),
  entityLabeler(),
  winkLabeler(),
  silverLabeler(),
  compromiseLabeler(),
];
const results = labelers.map((l) => {
  const seconds = time((t) => l.label(t));
  return {
    labeler: l.id,
    seconds: Number(seconds.toFixed(3)),
    wordsPerSec: Math.round(words / seconds),
    timesTokenizer: Number((seconds / reference).toFixed(1)),
  };
});
console.log(
  JSON.stringify({ texts: texts.length, words, tokenizerWordsPerSec: Math.round(words / reference), results }, null, 1),
);

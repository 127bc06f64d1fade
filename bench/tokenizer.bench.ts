/**
 * Tokenizer throughput: our WordPiece vs Hugging Face tokenizers (single thread), measured in the same run.
 * Usage: npx tsx bench/tokenizer.bench.ts [limit]   -> prints one JSON object.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  WordPieceTokenizer,
  AG_NEWS_TRAIN,
  CONLL_VALID,
  MINILM_DIR,
  allExist,
  readAgNewsTexts,
  readConllSentences,
} from '../src-main/engine/tokenizer';

interface Rate {
  readonly texts: number;
  readonly tokens: number;
  readonly seconds: number;
  readonly tokensPerSec: number;
}

function measure(run: () => number, texts: number): Rate {
  run(); // warm-up: JIT and the WordPiece word cache (encodeFirstPass reports a cold cache)
  const t0 = performance.now();
  const tokens = run();
  const seconds = (performance.now() - t0) / 1000;
  return { texts, tokens, seconds, tokensPerSec: tokens / seconds };
}

function pythonRate(limit: number): Rate | { readonly skipped: string } {
  const py = join(import.meta.dirname, '../.venv/bin/python');
  if (!existsSync(py)) return { skipped: '.venv/bin/python missing' };
  const r = spawnSync(py, [join(import.meta.dirname, '../scripts/ref/tokenizer_ref.py'), 'bench', String(limit)], {
    encoding: 'utf8',
  });
  if (r.status !== 0) return { skipped: `python bench failed: ${r.stderr.trim().split('\n').pop() ?? ''}` };
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Rate;
}

function main(): void {
  if (!allExist(MINILM_DIR, AG_NEWS_TRAIN)) {
    console.log(JSON.stringify({ skipped: `${MINILM_DIR} or ${AG_NEWS_TRAIN} missing` }));
    return;
  }
  const all = readAgNewsTexts(AG_NEWS_TRAIN);
  const limit = Math.min(all.length, Number(process.argv[2] ?? all.length));
  const texts = all.slice(0, limit);
  const t0 = performance.now();
  const tok = WordPieceTokenizer.fromDir(MINILM_DIR);
  const loadMs = performance.now() - t0;
  const fresh = WordPieceTokenizer.fromDir(MINILM_DIR);
  const c0 = performance.now();
  const coldTokens = texts.reduce((n, t) => n + fresh.encode(t).ids.length, 0);
  const coldSeconds = (performance.now() - c0) / 1000;
  const encodeFirstPass: Rate = {
    texts: texts.length,
    tokens: coldTokens,
    seconds: coldSeconds,
    tokensPerSec: coldTokens / coldSeconds,
  };
  const encode = measure(() => texts.reduce((n, t) => n + tok.encode(t).ids.length, 0), texts.length);
  const batch = measure(() => {
    let n = 0;
    for (let i = 0; i < texts.length; i += 32)
      n += tok.encodeBatch(texts.slice(i, i + 32), { maxLength: 128 }).inputIds.length;
    return n;
  }, texts.length);
  const conll = existsSync(CONLL_VALID) ? readConllSentences(CONLL_VALID) : [];
  const words = measure(() => conll.reduce((n, ws) => n + tok.encodeWords(ws).ids.length, 0), conll.length);
  const hf = pythonRate(limit);
  console.log(
    JSON.stringify(
      {
        bench: 'tokenizer',
        data: 'ag_news/train.csv text column',
        loadMs,
        encodeFirstPass,
        encode,
        encodeBatch32Max128PaddedTokens: batch,
        encodeWordsConllValid: words,
        hfTokenizersSingleThread: hf,
        ratioEncodeVsHf: 'tokensPerSec' in hf ? encode.tokensPerSec / hf.tokensPerSec : null,
      },
      null,
      2,
    ),
  );
}

main();

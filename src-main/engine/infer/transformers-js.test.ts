// The export bundle's per-head folders must load in @huggingface/transformers (transformers.js) with local
// files only and agree with our predictor: the JS ecosystem's way to run the model without this app.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WordPieceTokenizer } from '../tokenizer';
import { exportCheckpoint, loadPredictor } from './load';
import { writeTinyCheckpoint } from './testing';
import { sessionFeeds } from './runner';

const root = mkdtempSync(join(tmpdir(), 'mts-tjs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CLASSES = ['World', 'Sports', 'Business', 'Sci/Tech'];
const TAGS = ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC'];
const TEXTS = ['John Smith flew from Paris to London on Monday.', 'Stocks fell as the bank raised rates.'];

function tinyCheckpoint(): string {
  return writeTinyCheckpoint(root, {
    classes: CLASSES,
    tags: TAGS,
    maxPositions: 64,
    maxLength: 48,
    seed: 5,
    headSeed: 13,
  });
}

describe('export bundle in transformers.js', () => {
  it('runs both heads offline with the same outputs as our predictor', async () => {
    const ckpt = tinyCheckpoint();
    const out = join(root, 'bundle');
    await exportCheckpoint(ckpt, out, { name: 'tiny', baseModel: 'tiny', data: 'none', preset: 'full', metrics: {} });
    const { pipeline, env } = await import('@huggingface/transformers');
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = `${out}/`;
    const loaded = await loadPredictor(ckpt);
    try {
      const ours = await loaded.predictor.predict(TEXTS);
      const classify = await pipeline('text-classification', 'classification', {
        dtype: 'fp32',
        local_files_only: true,
      });
      for (let i = 0; i < TEXTS.length; i++) {
        const o = ours[i]!;
        if (!o.ok) throw new Error(o.error.message);
        const theirs = (await classify(TEXTS[i]!, { top_k: null })) as { label: string; score: number }[];
        for (const c of o.classProbs) {
          const t = theirs.find((x) => x.label === c.label);
          expect(t, `class ${c.label} in transformers.js output`).toBeDefined();
          expect(Math.abs(t!.score - c.prob)).toBeLessThan(1e-4);
        }
      }
      // Token head: transformers.js's per-token tag and score must equal the argmax of our token logits.
      const tagger = await pipeline('token-classification', 'ner', { dtype: 'fp32', local_files_only: true });
      const tokens = (await tagger(TEXTS[0]!, { ignore_labels: [] })) as {
        entity: string;
        score: number;
        index: number;
      }[];
      const enc = WordPieceTokenizer.fromDir(ckpt).encode(TEXTS[0]!);
      const seq = enc.ids.length;
      const feeds = {
        inputIds: BigInt64Array.from(enc.ids, BigInt),
        attentionMask: BigInt64Array.from(enc.ids, () => 1n),
        tokenTypeIds: new BigInt64Array(seq),
        batch: 1,
        seq,
      };
      const out = await loaded.session.run(sessionFeeds(loaded.session, feeds), ['token_logits']);
      const logits = out['token_logits']!.data as Float32Array; // [1, T, L]
      expect(tokens).toHaveLength(seq - 2);
      for (const t of tokens) {
        const row = Array.from(logits.subarray(t.index * TAGS.length, (t.index + 1) * TAGS.length));
        const max = Math.max(...row);
        const probs = row.map((x) => Math.exp(x - max) / row.reduce((a, y) => a + Math.exp(y - max), 0));
        const best = probs.indexOf(Math.max(...probs));
        expect(t.entity).toBe(TAGS[best]);
        expect(Math.abs(t.score - probs[best]!)).toBeLessThan(1e-4);
      }
    } finally {
      await loaded.release();
    }
  });

  it("loads the int8 classification graph as transformers.js's q8 model, agreeing with our int8 predictor", async () => {
    const ckpt = tinyCheckpoint();
    const out = join(root, 'bundle-int8');
    await exportCheckpoint(
      ckpt,
      out,
      { name: 'tiny', baseModel: 'tiny', data: 'none', preset: 'full', metrics: {} },
      { int8: true },
    );
    const { pipeline, env } = await import('@huggingface/transformers');
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = `${out}/`;
    const loaded = await loadPredictor(ckpt, { precision: 'int8' });
    try {
      const ours = await loaded.predictor.predict(TEXTS);
      const classify = await pipeline('text-classification', 'classification', { dtype: 'q8', local_files_only: true });
      for (let i = 0; i < TEXTS.length; i++) {
        const o = ours[i]!;
        if (!o.ok) throw new Error(o.error.message);
        const theirs = (await classify(TEXTS[i]!, { top_k: null })) as { label: string; score: number }[];
        for (const c of o.classProbs) {
          expect(Math.abs(theirs.find((x) => x.label === c.label)!.score - c.prob)).toBeLessThan(1e-4);
        }
      }
    } finally {
      await loaded.release();
    }
  });
});

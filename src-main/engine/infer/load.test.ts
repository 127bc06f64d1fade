import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSession } from '../runtime';
import { WordPieceTokenizer } from '../tokenizer';
import { exportCheckpoint, loadPredictor } from './load';
import { writeTinyCheckpoint } from './testing';
import { Predictor } from './predictor';
import { sessionForward } from './runner';

const PYTHON = resolve('.venv/bin/python');
const HAS_PYTHON =
  existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch, transformers, onnxruntime, tokenizers']).status === 0;
const root = mkdtempSync(join(tmpdir(), 'mts-load-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CLASSES = ['World', 'Sports', 'Business', 'Sci/Tech'];
const TAGS = ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC', 'B-ORG', 'I-ORG'];

function tinyCheckpoint(): string {
  return writeTinyCheckpoint(root, {
    classes: CLASSES,
    tags: TAGS,
    maxPositions: 160,
    maxLength: 48,
    seed: 3,
    headSeed: 11,
  });
}

describe('checkpoint -> predictor and export', () => {
  it('predicts from a saved checkpoint exactly as the exported bundle does', async () => {
    const ckpt = tinyCheckpoint();
    const texts = [
      'John Smith said on Monday that Google shares rose in New York.',
      'Paris '.repeat(80),
      'Bush and the president met in London',
    ];
    const loaded = await loadPredictor(ckpt, { embeddings: true });
    const out = join(root, 'bundle');
    try {
      const report = await exportCheckpoint(ckpt, out, {
        name: 'tiny',
        baseModel: 'tiny',
        data: 'none',
        preset: 'full',
        metrics: {},
      });
      expect(JSON.parse(readFileSync(join(out, 'labels.json'), 'utf8'))).toMatchObject({
        classification: CLASSES,
        ner: TAGS,
        maxLength: 48,
      });
      expect(Math.max(...report.parity.map((p) => p.maxAbsDiff))).toBeLessThan(1e-4);
      const mine = await loaded.predictor.predict(texts);
      const session = await createSession(join(out, 'model.onnx'));
      try {
        const theirs = await new Predictor(
          WordPieceTokenizer.fromDir(out),
          sessionForward(session),
          { classification: CLASSES, ner: TAGS },
          { maxLength: 48, embeddings: true },
        ).predict(texts);
        mine.forEach((p, i) => {
          const q = theirs[i]!;
          if (!p.ok || !q.ok) throw new Error('both should predict');
          expect(q.label).toBe(p.label);
          expect(q.entities.map((e) => [e.start, e.end, e.type])).toEqual(
            p.entities.map((e) => [e.start, e.end, e.type]),
          );
          q.classProbs.forEach((c, j) => expect(c.prob).toBeCloseTo(p.classProbs[j]!.prob, 5));
          expect(q.embedding!.length).toBe(32);
        });
        const long = mine[1]!;
        expect(long.ok && long.truncated).toBe(true);
      } finally {
        await session.release();
      }
    } finally {
      await loaded.release();
    }
  });

  it.skipIf(!HAS_PYTHON)(
    'passes the Python check: HF layout loads, per-head ONNX = model.onnx = PyTorch BertModel + heads (needs .venv)',
    async () => {
      const ckpt = join(root, 'ckpt');
      if (!existsSync(ckpt)) tinyCheckpoint();
      const out = join(root, 'bundle-py');
      await exportCheckpoint(ckpt, out, { name: 'tiny', baseModel: 'tiny', data: 'none', preset: 'full', metrics: {} });
      const r = spawnSync(PYTHON, [resolve('scripts/ref/export_check.py'), out, '--checkpoint', ckpt], {
        encoding: 'utf8',
        env: { ...process.env, TRANSFORMERS_VERBOSITY: 'error', HF_HUB_OFFLINE: '1' },
      });
      const report = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
        ok: boolean;
        failures: string[];
        torch: { maxAbsDiff: Record<string, number> };
      };
      console.info(`export_check: ${JSON.stringify(report.torch)}`);
      expect(report.failures).toEqual([]);
      expect(r.status).toBe(0);
      expect(Object.keys(report.torch.maxAbsDiff).sort()).toEqual([
        'class_logits',
        'sentence_embedding',
        'token_logits',
      ]);
    },
    120_000,
  );
});

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WordPieceTokenizer } from '../tokenizer';
import { CheckpointError, type MtsMeta, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { loadBertEncoder } from './hf-config';
import { writeTinyBert } from './testing';
import { initHeads } from './init';
import { readSafetensors } from './safetensors';

const REPO = join(import.meta.dirname, '../../../');
const MINILM_DIR = join(REPO, '../shared/models/all-MiniLM-L6-v2');
const PYTHON = join(REPO, '.venv/bin/python');
const haveTransformers = (() => {
  const lib = join(REPO, '.venv/lib');
  if (!existsSync(PYTHON) || !existsSync(lib)) return false;
  return readdirSync(lib).some((py) => existsSync(join(lib, py, 'site-packages/transformers')));
})();

const meta: MtsMeta = {
  version: 1,
  heads: {
    classification: { labels: ['World', 'Sports', 'Business', 'Sci/Tech'] },
    ner: { labels: ['O', 'B-PER', 'I-PER'] },
  },
  pooling: 'mean',
  maxLength: 128,
  extra: { run: 'test' },
};

const root = mkdtempSync(join(tmpdir(), 'mts-ckpt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tinyInput(seed: number) {
  const tiny = writeTinyBert(join(root, `base-${seed}`), { seed });
  const { config, params } = loadBertEncoder(tiny.dir);
  const heads = initHeads(config.dims.hiddenSize, 4, 3, seed);
  return { config, meta, params: new Map([...params, ...heads]), tokenizerDir: tiny.dir };
}

describe('checkpoint save/load', () => {
  it('round-trips encoder, heads, meta and tokenizer', () => {
    const input = tinyInput(1);
    const dir = join(root, 'ckpt-a');
    saveCheckpoint(dir, input);
    expect(readdirSync(dir).sort()).toEqual([
      'config.json',
      'model.safetensors',
      'special_tokens_map.json',
      'tokenizer_config.json',
      'vocab.txt',
    ]);
    const loaded = loadCheckpoint(dir);
    expect(loaded.meta).toEqual(meta);
    expect(loaded.config.dims).toEqual(input.config.dims);
    expect([...loaded.params.keys()].sort()).toEqual([...input.params.keys()].sort());
    for (const [name, t] of input.params) expect(loaded.params.get(name)?.data).toEqual(t.data);
    const names = readSafetensors(join(dir, 'model.safetensors')).names();
    expect(names).toContain('classifier.weight');
    expect(names).toContain('ner_classifier.bias');
    expect(names).toContain('encoder.layer.1.output.dense.weight');
    const text = 'The market played running.';
    expect(WordPieceTokenizer.fromDir(dir).encode(text).ids).toEqual(
      WordPieceTokenizer.fromDir(input.tokenizerDir).encode(text).ids,
    );
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).model_type).toBe('bert');
  });

  it('replaces an existing checkpoint only with a complete one and leaves no temp folders', () => {
    const dir = join(root, 'ckpt-b');
    saveCheckpoint(dir, tinyInput(2));
    const second = tinyInput(3);
    saveCheckpoint(dir, second);
    expect(loadCheckpoint(dir).params.get('embeddings.word_embeddings.weight')?.data).toEqual(
      second.params.get('embeddings.word_embeddings.weight')?.data,
    );
    expect(readdirSync(root).filter((n) => n.startsWith('.ckpt-b'))).toEqual([]);
    // A save that fails while writing (tokenizer folder vanished) keeps the previous checkpoint.
    const broken = { ...tinyInput(4), tokenizerDir: join(root, 'missing') };
    expect(() => saveCheckpoint(dir, broken)).toThrow(CheckpointError);
    expect(loadCheckpoint(dir).params.get('embeddings.word_embeddings.weight')?.data).toEqual(
      second.params.get('embeddings.word_embeddings.weight')?.data,
    );
  });

  it('recovers the previous version after a crash between the two renames', () => {
    const dir = join(root, 'ckpt-c');
    const input = tinyInput(5);
    saveCheckpoint(dir, input);
    renameSync(dir, join(root, '.ckpt-c.old-123-crash')); // the state a crash right after "set aside" leaves
    expect(loadCheckpoint(dir).meta).toEqual(meta);
    expect(readdirSync(root).filter((n) => n.startsWith('.ckpt-c'))).toEqual([]);
  });

  it('refuses inconsistent inputs before touching the disk', () => {
    const input = tinyInput(6);
    const dir = join(root, 'ckpt-d');
    const fewerLabels = {
      ...input,
      meta: { ...meta, heads: { ...meta.heads, classification: { labels: ['a', 'b'] } } },
    };
    expect(() => saveCheckpoint(dir, fewerLabels)).toThrow(/heads.classification.weight/);
    const missing = new Map(input.params);
    missing.delete('encoder.layer.0.attention.self.key.bias');
    expect(() => saveCheckpoint(dir, { ...input, params: missing })).toThrow(/encoder.layer.0.attention.self.key.bias/);
    const extra = new Map([...input.params, ['stray', { data: new Float32Array(1), shape: [1] }]]);
    expect(() => saveCheckpoint(dir, { ...input, params: extra })).toThrow(/unexpected tensors stray/);
    expect(() => saveCheckpoint(dir, { ...input, meta: { ...meta, heads: { ner: { labels: ['O', 'O'] } } } })).toThrow(
      /unique/,
    );
    expect(existsSync(dir)).toBe(false);
    expect(() => loadCheckpoint(join(root, 'base-6'))).toThrow(/"mts"/);
  });
});

const interopReady = haveTransformers && existsSync(MINILM_DIR);
describe.skipIf(!interopReady)(
  `transformers interop ${interopReady ? '' : '(skipped: needs .venv/bin/python with transformers and ../shared/models/all-MiniLM-L6-v2)'}`,
  () => {
    it('BertModel.from_pretrained reads a saved MiniLM checkpoint with identical outputs', () => {
      const { config, params } = loadBertEncoder(MINILM_DIR);
      const heads = initHeads(config.dims.hiddenSize, 4, 3, 0);
      const dir = join(root, 'minilm-ckpt');
      saveCheckpoint(dir, { config, meta, params: new Map([...params, ...heads]), tokenizerDir: MINILM_DIR });
      const r = spawnSync(PYTHON, [join(REPO, 'scripts/ref/checkpoint_interop.py'), dir, MINILM_DIR], {
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
        maxAbsDiff: number;
        tokenizerIdsEqual: boolean;
        missingKeys: string[];
        unexpectedKeys: string[];
      };
      console.log(`[checkpoint interop] ${JSON.stringify(out)}`);
      expect(out.maxAbsDiff).toBeLessThan(1e-6);
      expect(out.tokenizerIdsEqual).toBe(true);
      // The pooler is not saved (the engine does not use it), so transformers initialises it: harmless here.
      expect(out.missingKeys.filter((k) => !k.startsWith('pooler.'))).toEqual([]);
      expect(out.unexpectedKeys.sort()).toEqual([
        'classifier.bias',
        'classifier.weight',
        'ner_classifier.bias',
        'ner_classifier.weight',
      ]);
    });
  },
);

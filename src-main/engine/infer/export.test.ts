import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type BertDims, randomTensors, type MultiTaskSpec, encoderParamSpecs, headParamSpecs } from '../model';
import { WordPieceTokenizer } from '../tokenizer';
import { BundleWriter, filesOnDisk } from './bundle-writer';
import { formatSize } from './bundle-files';
import { ExportParityError, ExportPathError } from './errors';
import { exportBundle, type ExportSource } from './export';
import { Predictor } from './predictor';
import { createInferenceSession, sessionForward } from './runner';
import { TINY_LABELS, TINY_VOCAB, writeTinyTokenizerDir } from './testing';

const DIMS: BertDims = {
  vocabSize: TINY_VOCAB.length,
  hiddenSize: 32,
  numLayers: 2,
  numHeads: 4,
  intermediateSize: 64,
  maxPositions: 160,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
};
const SPEC: MultiTaskSpec = { dims: DIMS, numClasses: 3, numNerLabels: 5, pooling: 'mean' };
const STORE = randomTensors([...encoderParamSpecs(DIMS), ...headParamSpecs(32, 3, 5)], 7, 0.3);
const HF_CONFIG = {
  model_type: 'bert',
  vocab_size: DIMS.vocabSize,
  hidden_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  intermediate_size: 64,
  max_position_embeddings: 160,
  type_vocab_size: 2,
  layer_norm_eps: 1e-12,
  hidden_act: 'gelu',
};
const CARD = {
  name: 'tiny-test',
  baseModel: 'random tiny BERT',
  data: 'none (random weights)',
  preset: 'full',
  metrics: { 'dev accuracy': 0.25 },
};

// Bundles go under a folder with node_modules linked in, so example.mjs can import onnxruntime-node.
const root = mkdtempSync(join(tmpdir(), 'mts-export-'));
symlinkSync(resolve('node_modules'), join(root, 'node_modules'));
const tokDir = join(root, 'tok');
execFileSync('mkdir', [tokDir]);
writeTinyTokenizerDir(tokDir);
const SOURCE: ExportSource = {
  spec: SPEC,
  store: STORE,
  labels: TINY_LABELS,
  tokenizerDir: tokDir,
  hfConfig: HF_CONFIG,
};

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('exportBundle', () => {
  it('with int8, adds quantized graphs checked against the in-app int8 predictor and reports their drift', async () => {
    const out = join(root, 'bundle-int8');
    const report = await exportBundle(SOURCE, out, CARD, { int8: true });
    const int8 = report.parity.filter((p) => p.file.includes('int8') || p.file.includes('quantized'));
    expect(int8.map((p) => `${p.file}:${p.output}`)).toEqual([
      'model.int8.onnx:class_logits',
      'model.int8.onnx:token_logits',
      'model.int8.onnx:sentence_embedding',
      'classification/onnx/model_quantized.onnx:logits',
      'ner/onnx/model_quantized.onnx:logits',
    ]);
    for (const p of int8) expect(p.maxAbsDiff).toBeLessThan(1e-4);
    const drift = report.int8Drift!;
    expect(drift.sameClass).toBeGreaterThanOrEqual(0.5);
    expect(drift.sameTag).toBeGreaterThan(0.8);
    expect(drift.sameTag).toBeLessThanOrEqual(1);
    const size = (f: string): number => statSync(join(out, f)).size;
    expect(size('model.int8.onnx_data')).toBeLessThan(size('model.onnx_data'));
    // The head folders' int8 weights are the root's file (hard link), not a copy.
    expect(statSync(join(out, 'ner/onnx/model_quantized.onnx_data')).ino).toBe(
      statSync(join(out, 'model.int8.onnx_data')).ino,
    );
  });

  it('writes the bundle, passes parity, and example.mjs reproduces the predictor', async () => {
    const out = join(root, 'bundle');
    const report = await exportBundle(SOURCE, out, CARD);
    expect(report.parity.map((p) => `${p.file}:${p.output}`)).toEqual([
      'model.onnx:class_logits',
      'model.onnx:token_logits',
      'model.onnx:sentence_embedding',
      'classification/onnx/model.onnx:logits',
      'ner/onnx/model.onnx:logits',
    ]);
    for (const p of report.parity) expect(p.maxAbsDiff).toBeLessThan(1e-4);
    for (const f of [
      'model.onnx',
      'labels.json',
      'README.md',
      'example.mjs',
      'tokenizer.json',
      'vocab.txt',
      'ner/config.json',
      'ner/tokenizer.json',
      'classification/onnx/model.onnx',
    ]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    expect(readdirSync(root).filter((n) => n.includes('.tmp-'))).toEqual([]);
    const cfg = JSON.parse(readFileSync(join(out, 'ner/config.json'), 'utf8')) as {
      id2label: Record<string, string>;
      label2id: Record<string, number>;
      model_type: string;
    };
    expect(cfg.model_type).toBe('bert');
    expect(cfg.id2label['3']).toBe('B-LOC');
    expect(cfg.label2id['I-PER']).toBe(2);
    // The card is generated from the files written: each listed with its size, rounded metrics, no int8 promised.
    const card = readFileSync(join(out, 'README.md'), 'utf8');
    expect(card).toContain('| dev accuracy | 25.0 % |');
    for (const f of filesOnDisk(
      out,
      report.files.filter((n) => n !== 'README.md'),
    )) {
      expect(card, f.name).toContain(
        f.sameAs === undefined
          ? `- \`${f.name}\` (${formatSize(f.bytes)})`
          : `- \`${f.name}\`: hard link of \`${f.sameAs}\` (same ${formatSize(f.bytes)}, no extra space)`,
      );
    }
    expect(card).toContain('no int8 graphs');
    expect(card).toContain("Only `onnx/model.onnx` (float32) is shipped per head, hence `dtype: 'fp32'`.");
    expect(card).not.toMatch(/int8\.onnx|model_quantized|q8/);
    // The generated tokenizer.json (the source folder has only vocab.txt) tokenizes like ours.
    const regenerated = new WordPieceTokenizer((await import('../tokenizer')).loadTokenizerSpec(join(out, 'ner')));
    expect(Array.from(regenerated.encode('John Smiths lives in Paris!').ids)).toEqual(
      Array.from(WordPieceTokenizer.fromDir(tokDir).encode('John Smiths lives in Paris!').ids),
    );

    const texts = ['John Smith lives in Paris.', 'the bank of france said on monday'];
    const printed = JSON.parse(
      execFileSync(process.execPath, [join(out, 'example.mjs'), ...texts], { encoding: 'utf8' }),
    ) as {
      label: string;
      classProbs: Record<string, number>;
      entities: { start: number; end: number; type: string; text: string }[];
    }[];
    const session = await createInferenceSession(SPEC, STORE);
    try {
      const preds = await new Predictor(
        WordPieceTokenizer.fromDir(tokDir),
        sessionForward(session),
        TINY_LABELS,
      ).predict(texts);
      preds.forEach((p, i) => {
        if (!p.ok) throw new Error(p.error.message);
        expect(printed[i]!.label).toBe(p.label);
        for (const c of p.classProbs) expect(printed[i]!.classProbs[c.label]).toBeCloseTo(c.prob, 4);
        expect(printed[i]!.entities).toEqual(
          p.entities.map(({ start, end, type, text }) => ({ type, start, end, text })),
        );
      });
      expect(preds.some((p) => p.ok && p.entities.length > 0)).toBe(true);
    } finally {
      await session.release();
    }
  });

  it('fails the export and leaves no folder when the exported graph disagrees with the in-app predictor', async () => {
    const perturbed = new Map(STORE);
    const w = STORE.get('heads.ner.bias')!;
    perturbed.set('heads.ner.bias', { data: w.data.map((x) => x + 1e-3), shape: w.shape });
    const session = await createInferenceSession(SPEC, perturbed);
    const out = join(root, 'bad');
    try {
      await expect(exportBundle(SOURCE, out, CARD, { reference: sessionForward(session) })).rejects.toThrow(
        ExportParityError,
      );
    } finally {
      await session.release();
    }
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(root).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('refuses an existing folder unless overwrite is set, then replaces it', async () => {
    const out = join(root, 'again');
    await exportBundle(SOURCE, out, CARD);
    await expect(exportBundle(SOURCE, out, CARD)).rejects.toThrow(/already exists/);
    const report = await exportBundle(SOURCE, out, { ...CARD, name: 'second' }, { overwrite: true });
    expect(report.outDir).toBe(out);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain('# second');
  });
});

describe('exportBundle with one head', () => {
  it('exports a classification-only model without an NER folder, and its predictor returns no entities', async () => {
    const spec: MultiTaskSpec = { ...SPEC, numNerLabels: 0 };
    const store = new Map([...STORE].filter(([name]) => !name.startsWith('heads.ner')));
    const labels = { classification: TINY_LABELS.classification, ner: [] };
    const out = join(root, 'cls-only');
    const report = await exportBundle({ ...SOURCE, spec, store, labels }, out, CARD);
    expect(report.parity.map((p) => `${p.file}:${p.output}`)).toEqual([
      'model.onnx:class_logits',
      'model.onnx:sentence_embedding',
      'classification/onnx/model.onnx:logits',
    ]);
    expect(existsSync(join(out, 'ner'))).toBe(false);
    const session = await createInferenceSession(spec, store);
    try {
      const [p] = await new Predictor(WordPieceTokenizer.fromDir(tokDir), sessionForward(session), labels).predict([
        'John in Paris',
      ]);
      expect(p).toMatchObject({ ok: true, entities: [], truncated: false });
    } finally {
      await session.release();
    }
  });

  it('refuses labels that do not match the model heads', async () => {
    await expect(
      exportBundle({ ...SOURCE, labels: { ...TINY_LABELS, ner: ['O'] } }, join(root, 'mismatch'), CARD),
    ).rejects.toThrow(/do not match the model/);
    expect(existsSync(join(root, 'mismatch'))).toBe(false);
  });
});

describe('BundleWriter', () => {
  it('rejects file names that escape the bundle', () => {
    const w = new BundleWriter(join(root, 'w'), false);
    try {
      for (const bad of ['../x', '/etc/passwd', 'a/../../x', '', 'a\0b'])
        expect(() => w.write(bad, 'x'), bad).toThrow(ExportPathError);
      w.write('a/b/../c.txt', 'ok');
      expect(w.files).toEqual(['a/c.txt']);
    } finally {
      w.abort();
    }
    expect(existsSync(join(root, 'w'))).toBe(false);
  });

  it('refuses an output folder whose parent does not exist', () => {
    expect(() => new BundleWriter(join(root, 'nope', 'deeper'), false)).toThrow(/does not exist/);
  });
});

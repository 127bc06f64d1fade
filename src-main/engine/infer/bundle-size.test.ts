// The export bundle holds one copy of the weights per precision: every graph reads one external-data file, the
// head folders' files are hard links to it. Measured by inode (links once), and every entry point still loads
// and predicts what the app predicts, also after a copy that turns the links into plain files (a zip, an upload).
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../model';
import { createSession } from '../runtime';
import { WordPieceTokenizer } from '../tokenizer';
import { padBatch } from './batching';
import { filesOnDisk, uniqueBytes } from './bundle-writer';
import { maxAbsDiff, type ExportReport } from './export';
import { checkpointModel, exportCheckpoint, loadPredictor } from './load';
import { Predictor } from './predictor';
import { sessionFeeds, sessionForward } from './runner';
import { writeTinyCheckpoint } from './testing';

const root = mkdtempSync(join(tmpdir(), 'mts-bundle-size-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CLASSES = ['World', 'Sports', 'Business'];
const TAGS = ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC'];
const TEXTS = ['John Smith flew from Paris to London on Monday.', 'Stocks fell as the bank raised rates.', 'a'];
const HEADS = [
  { head: 'classification', output: 'class_logits' },
  { head: 'ner', output: 'token_logits' },
] as const;

let ckpt = '';
let out = '';
let report: ExportReport;
/** float32 bytes of every parameter the checkpoint holds: one copy of the weights. */
let weights = 0;

beforeAll(async () => {
  ckpt = writeTinyCheckpoint(root, {
    classes: CLASSES,
    tags: TAGS,
    maxPositions: 64,
    maxLength: 48,
    seed: 3,
    headSeed: 9,
  });
  const { store } = checkpointModel(loadCheckpoint(ckpt));
  weights = [...store.values()].reduce((n, t) => n + t.data.byteLength, 0);
  out = join(root, 'bundle');
  report = await exportCheckpoint(
    ckpt,
    out,
    { name: 'tiny', baseModel: 'tiny', data: 'none', preset: 'full', metrics: {} },
    { int8: true },
  );
});

const isFp32Model = (n: string): boolean => /(^|\/)model\.onnx(_data)?$/.test(n);
const isInt8Model = (n: string): boolean => /(model\.int8|model_quantized)\.onnx(_data)?$/.test(n);

describe('export bundle size', () => {
  it('holds the float32 weights once and the int8 weights once, counted by inode', () => {
    const files = filesOnDisk(out, report.files);
    const fp32 = files.filter((f) => isFp32Model(f.name));
    const int8 = files.filter((f) => isInt8Model(f.name));
    const data = statSync(join(out, 'model.onnx_data'));
    const int8Data = statSync(join(out, 'model.int8.onnx_data'));
    // The one weights file holds the large tensors (1 KiB and up) of all graphs: at most one copy of the weights.
    expect(data.size).toBeLessThanOrEqual(weights);
    expect(data.size).toBeGreaterThan(0.8 * weights);
    for (const { head } of HEADS) {
      expect(statSync(join(out, head, 'onnx', 'model.onnx_data')).ino).toBe(data.ino);
      expect(statSync(join(out, head, 'onnx', 'model_quantized.onnx_data')).ino).toBe(int8Data.ino);
      expect(statSync(join(out, head, 'tokenizer.json')).ino).toBe(statSync(join(out, 'tokenizer.json')).ino);
    }
    expect(data.nlink).toBe(3);
    // Besides the one weights file, each precision's bytes are its graph files: structure and tensors under 1 KiB.
    const graphs = (list: typeof files): number =>
      list.filter((f) => f.name.endsWith('.onnx')).reduce((n, f) => n + f.bytes, 0);
    expect(uniqueBytes(fp32)).toBe(data.size + graphs(fp32));
    expect(uniqueBytes(int8)).toBe(int8Data.size + graphs(int8));
    for (const f of fp32.filter((g) => g.name.endsWith('.onnx'))) expect(f.bytes, f.name).toBeLessThan(data.size / 3);
    // Without the links (what a zip stores) the same files are three copies: the measurement can tell.
    expect(fp32.reduce((n, f) => n + f.bytes, 0)).toBeGreaterThan(2.5 * weights);
    expect(report.bytesOnDisk).toBe(uniqueBytes(files));
    expect(report.bytesAsCopies).toBe(files.reduce((n, f) => n + f.bytes, 0));
    // The links save two copies of each weights file (two head folders).
    expect(report.bytesAsCopies - report.bytesOnDisk).toBeGreaterThanOrEqual(2 * (data.size + int8Data.size));
    // The card states the measured bytes on disk.
    const card = readFileSync(join(out, 'README.md'), 'utf8');
    expect(card).toMatch(/\d+ files, [\d.]+ (KiB|MiB) on disk besides this card: float32 weights/);
    expect(card).toContain('hard link of `model.onnx_data`');
  });

  it('every entry point predicts what the app predicts, before and after a copy without hard links', async () => {
    const copy = join(root, 'copied');
    cpSync(out, copy, { recursive: true });
    expect(statSync(join(copy, 'ner', 'onnx', 'model.onnx_data')).nlink).toBe(1);
    const tok = WordPieceTokenizer.fromDir(ckpt);
    const feeds = padBatch(
      TEXTS.map((t) => tok.encode(t, { maxLength: 48 }).ids),
      tok.padId,
    );
    for (const precision of ['fp32', 'int8'] as const) {
      const app = await loadPredictor(ckpt, { precision });
      try {
        const want = await app.session.run(sessionFeeds(app.session, feeds));
        const mine = await app.predictor.predict(TEXTS);
        for (const dir of [out, copy]) {
          // Our predictor on the multi-task graph.
          const file = precision === 'fp32' ? 'model.onnx' : 'model.int8.onnx';
          const session = await createSession(join(dir, file));
          try {
            const predictor = new Predictor(
              WordPieceTokenizer.fromDir(dir),
              sessionForward(session),
              {
                classification: CLASSES,
                ner: TAGS,
              },
              { maxLength: 48 },
            );
            const theirs = await predictor.predict(TEXTS);
            theirs.forEach((q, i) => {
              const p = mine[i]!;
              if (!p.ok || !q.ok) throw new Error('both should predict');
              expect(q.label).toBe(p.label);
              expect(q.entities).toEqual(p.entities);
            });
          } finally {
            await session.release();
          }
          // Each head folder through onnxruntime-node, as transformers.js loads it.
          for (const { head, output } of HEADS) {
            const name = precision === 'fp32' ? 'model.onnx' : 'model_quantized.onnx';
            const s = await createSession(join(dir, head, 'onnx', name));
            try {
              const got = (await s.run(sessionFeeds(s, feeds)))['logits']!.data as Float32Array;
              expect(maxAbsDiff(got, want[output]!.data as Float32Array), `${dir} ${head} ${precision}`).toBeLessThan(
                1e-4,
              );
            } finally {
              await s.release();
            }
          }
        }
      } finally {
        await app.release();
      }
    }
  });
});

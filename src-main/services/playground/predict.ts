// The Playground: one text through a run's best checkpoint, and the run's dev examples closest to it.
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import type { ClassProb, PredictedEntity, PredictionOk } from '../../engine/infer';
import type { Db } from '../../store/db';
import { getRun } from '../../store/repos/runs';
import { ServiceError } from '../api/errors';
import { IdSchema } from '../projects/ids';
import { runCheckpointDir } from '../train/artifacts';
import { readSource } from '../train/data';
import { runSources } from '../train/run-info';
import { predictorCache, type LoadedModel, type PredictorCache } from './cache';
import { cachedPredictions } from './dev-cache';

/** Exactly one of runId and checkpointDir; predictText refuses anything else (invalid_input). */
export const PredictTextInput = z.object({
  runId: IdSchema.optional(),
  /** Absolute path of a checkpoint folder (config.json with our `mts` keys), instead of a run. */
  checkpointDir: z.string().min(1).optional(),
  text: z.string().max(100_000),
  /** 'int8' runs the encoder's dense layers in int8 (faster on CPU, slightly different numbers). */
  precision: z.enum(['fp32', 'int8']).default('fp32'),
});
export type PredictTextInput = z.output<typeof PredictTextInput>;

export const NearestExamplesInput = z.object({
  runId: IdSchema,
  text: z.string().min(1).max(100_000),
  k: z.int().min(1).max(100).default(5),
});
export type NearestExamplesInput = z.output<typeof NearestExamplesInput>;

/** One WordPiece token with its [start, end) in the text; specials ([CLS], [SEP]) have start = end = 0. */
export interface TokenView {
  readonly token: string;
  readonly start: number;
  readonly end: number;
  readonly special: boolean;
  /** Within the first maxLength tokens, which the classifier reads (NER covers every token). */
  readonly classified: boolean;
}

export interface PlaygroundPrediction {
  readonly checkpointDir: string;
  readonly label: string | null;
  readonly classProbs: readonly ClassProb[];
  readonly entities: readonly PredictedEntity[];
  readonly tokens: readonly TokenView[];
  readonly truncated: boolean;
  readonly precision: 'fp32' | 'int8';
  /** Time of the forward pass and decoding for this text, model already loaded. */
  readonly predictMs: number;
}

export interface NearExample {
  readonly exampleId: number;
  readonly text: string;
  readonly classLabel: string | null;
  /** Cosine similarity of the sentence embeddings, in [-1, 1]. */
  readonly similarity: number;
}

export interface NearestResult {
  readonly devExamples: number;
  readonly neighbours: readonly NearExample[];
}

/** Runtime dependencies; tests pass their own cache. */
export interface PlaygroundRuntime {
  readonly cache?: PredictorCache;
}

/** Class probabilities, entities with offsets and confidences, and the WordPiece tokens of one text. */
export async function predictText(
  db: Db,
  { runId, checkpointDir, text, precision }: PredictTextInput,
  rt: PlaygroundRuntime = {},
): Promise<PlaygroundPrediction> {
  const dir = modelDir(db, runId, checkpointDir);
  return (rt.cache ?? predictorCache).use(
    dir,
    async (model) => {
      const t0 = performance.now();
      const p = await predictOne(model, text);
      const predictMs = performance.now() - t0;
      return {
        checkpointDir: dir,
        label: p.label,
        classProbs: p.classProbs,
        entities: p.entities,
        tokens: tokenViews(model, text),
        truncated: p.truncated,
        precision,
        predictMs,
      };
    },
    precision,
  );
}

/** The run's dev examples most similar to `text` (cosine of sentence embeddings; the dev set is embedded once). */
export async function nearestExamples(
  db: Db,
  { runId, text, k }: NearestExamplesInput,
  rt: PlaygroundRuntime = {},
): Promise<NearestResult> {
  const sources = runSources(db, getRun(db, runId));
  const dir = runCheckpointDir(db, runId);
  const dev = readSource(db, sources.classification.dev).map((e) => ({
    exampleId: e.id,
    text: e.text,
    classLabel: e.label ?? null,
  }));
  return (rt.cache ?? predictorCache).use(dir, async (model) => {
    const index = await devIndex(model, dev);
    const query = normalise(requiredEmbedding(await predictOne(model, text)));
    const scored = index.items.map((item, i) => ({ ...item, similarity: dot(query, index.vectors, i) }));
    scored.sort((a, b) => b.similarity - a.similarity);
    return { devExamples: index.items.length, neighbours: scored.slice(0, k) };
  });
}

/** Predicts one text, turning a refused text (empty, too long) into invalid_input with the predictor's reason. */
export async function predictOne(model: LoadedModel, text: string): Promise<PredictionOk> {
  const [p] = await model.loaded.predictor.predict([text]);
  if (!p!.ok) throw new ServiceError('invalid_input', p!.error.message);
  return p!;
}

// The run's best checkpoint, or a checkpoint folder named directly: exactly one of the two.
function modelDir(db: Db, runId: number | undefined, checkpointDir: string | undefined): string {
  if ((runId === undefined) === (checkpointDir === undefined)) {
    throw new ServiceError('invalid_input', 'Cannot predict: give exactly one of runId or checkpointDir.', [
      'runId: give exactly one of runId or checkpointDir',
    ]);
  }
  return runId !== undefined ? runCheckpointDir(db, runId) : checkedCheckpointDir(checkpointDir!);
}

function checkedCheckpointDir(dir: string): string {
  if (!isAbsolute(dir))
    throw new ServiceError('path_rejected', `Checkpoint folder "${dir}" is relative; pass an absolute path.`);
  if (!existsSync(join(dir, 'config.json')) || !existsSync(join(dir, 'model.safetensors'))) {
    throw new ServiceError(
      'not_found',
      `"${dir}" is not a checkpoint folder (config.json and model.safetensors); choose a run's best/ folder.`,
    );
  }
  return dir;
}

function tokenViews(model: LoadedModel, text: string): TokenView[] {
  const enc = model.tokenizer.encode(text);
  return Array.from(enc.ids, (id, i) => ({
    token: model.tokenizer.idToToken(id),
    start: enc.offsets[i]![0],
    end: enc.offsets[i]![1],
    special: enc.wordIds[i] === null,
    classified: enc.ids.length <= model.maxLength || i <= model.maxLength - 2,
  }));
}

interface DevItem {
  readonly exampleId: number;
  readonly text: string;
  readonly classLabel: string | null;
}

interface DevIndex {
  readonly items: readonly DevItem[];
  /** Unit-length embeddings, row-major [N, H]. */
  readonly vectors: Float32Array;
}

async function devIndex(model: LoadedModel, items: readonly DevItem[]): Promise<DevIndex> {
  const predictions = await cachedPredictions(
    model,
    items.map((i) => ({ id: i.exampleId, text: i.text })),
  );
  const kept: DevItem[] = [];
  const rows: Float32Array[] = [];
  predictions.forEach((p, i) => {
    if (!p.ok || !p.embedding) return; // a dev text the predictor refuses (e.g. no known tokens) has no neighbour role
    kept.push(items[i]!);
    rows.push(normalise(p.embedding));
  });
  const hidden = rows[0]?.length ?? 0;
  const vectors = new Float32Array(rows.length * hidden); // [N, H]
  rows.forEach((r, i) => vectors.set(r, i * hidden));
  return { items: kept, vectors };
}

function requiredEmbedding(p: PredictionOk): Float32Array {
  if (!p.embedding)
    throw new ServiceError(
      'internal',
      'The predictor returned no sentence embedding although it was loaded with embeddings on.',
    );
  return p.embedding;
}

function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  const s = n > 0 ? 1 / Math.sqrt(n) : 0;
  return v.map((x) => x * s);
}

function dot(q: Float32Array, rows: Float32Array, row: number): number {
  let s = 0;
  const at = row * q.length;
  for (let j = 0; j < q.length; j++) s += q[j]! * rows[at + j]!;
  return s;
}

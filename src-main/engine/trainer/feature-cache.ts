// The frozen encoder's outputs, computed once: last hidden states [T, H] per example as float16 in one file per
// split under the run folder, read back per batch with positioned reads (the file stays in the page cache,
// not in the process: RSS does not grow with the data). key.json names the model weights, data, max length
// and pooling it was computed for; a cache that does not match is rebuilt, never reused.
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { buildFeatureGraph, type BertDims, FEATURES_NAME, type ParamStore, type PoolingMode } from '../model';
import { createSession, type Device, hostTensor, type HostTensor } from '../runtime';
import { type TrainExample, trainingFeeds } from './example';

/** Bump when the file layout or the feature graph changes: older caches are then rebuilt. */
const FORMAT_VERSION = 1;
const BYTES_PER_VALUE = 2; // float16

export type FeatureSplitName = 'train' | 'dev';

/** What the features are a function of: a cache computed for anything else is rebuilt. */
export interface FeatureCacheIdentity {
  readonly dims: BertDims;
  /** The encoder's weights (hashed: their values, not their file). */
  readonly encoder: ParamStore;
  readonly train: readonly TrainExample[];
  readonly dev: readonly TrainExample[];
  readonly maxLength: number;
  readonly pooling: PoolingMode;
  /** How the encoder ran: fp32, or its dense layers in int8. */
  readonly precision: 'fp32' | 'int8';
}

/** Bytes the cache takes on disk for these examples (float16 per token and hidden unit). */
export function featureCacheBytes(examples: readonly TrainExample[], hiddenSize: number): number {
  return examples.reduce((n, e) => n + e.ids.length, 0) * hiddenSize * BYTES_PER_VALUE;
}

/** The cache key: a hash of the format, model shape and weights, tokenised data, max length, pooling, precision. */
export function featureCacheKey(id: FeatureCacheIdentity): string {
  const h = createHash('sha256');
  h.update(
    JSON.stringify({ v: FORMAT_VERSION, dims: id.dims, maxLength: id.maxLength, pooling: id.pooling, p: id.precision }),
  );
  for (const name of [...id.encoder.keys()].sort()) {
    const t = id.encoder.get(name)!;
    h.update(`${name}:${t.shape.join('x')}|`);
    h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  for (const [split, xs] of [
    ['train', id.train],
    ['dev', id.dev],
  ] as const) {
    h.update(`${split}:${xs.length}\n`);
    for (const e of xs) h.update(`${e.ids.join(',')}\n`);
  }
  return h.digest('hex');
}

/** One split's cached features, read per batch. */
export class FeatureSplit {
  private readonly index = new Map<TrainExample, { readonly offset: number; readonly length: number }>();

  private constructor(
    private readonly fd: number,
    examples: readonly TrainExample[],
    private readonly hidden: number,
  ) {
    let offset = 0;
    for (const e of examples) {
      this.index.set(e, { offset, length: e.ids.length });
      offset += e.ids.length * hidden; // elements
    }
  }

  /** Opens `path`, whose rows are `examples`' features in order. */
  static open(path: string, examples: readonly TrainExample[], hidden: number): FeatureSplit {
    return new FeatureSplit(openSync(path, 'r'), examples, hidden);
  }

  /**
   * The heads graph's batch: features [B, T, H] float16 (padding rows 0), attention_mask [B, T] and the
   * labels of `tasks`, padded to the longest example as trainingFeeds pads ids.
   */
  feeds(
    batch: readonly TrainExample[],
    tasks: { readonly classification: boolean; readonly ner: boolean },
  ): Record<string, HostTensor> {
    const seq = Math.max(1, ...batch.map((e) => e.ids.length));
    const h = this.hidden;
    const features = new Uint16Array(batch.length * seq * h); // [B, T, H], zero = +0.0 in float16
    batch.forEach((e, b) => {
      const at = this.index.get(e);
      if (!at)
        throw new RangeError(
          'an example that is not in this feature cache was asked for; the cache must be built from the same examples.',
        );
      const bytes = at.length * h * BYTES_PER_VALUE;
      const view = new Uint8Array(features.buffer, b * seq * h * BYTES_PER_VALUE, bytes);
      const read = readSync(this.fd, view, 0, bytes, at.offset * BYTES_PER_VALUE);
      if (read !== bytes)
        throw new Error(
          `the feature cache file is shorter than expected (read ${read} of ${bytes} bytes); delete it to rebuild.`,
        );
    });
    const { input_ids: _ids, ...rest } = trainingFeeds(batch, 0, tasks);
    return { [FEATURES_NAME]: hostTensor('float16', features, [batch.length, seq, h]), ...rest };
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** How the cache was obtained: reused from an earlier run of the same key, or computed now. */
export interface OpenedFeatureCache {
  readonly train: FeatureSplit;
  readonly dev: FeatureSplit;
  readonly reused: boolean;
  readonly seconds: number;
  readonly bytes: number;
  close(): void;
}

export interface FeatureCacheBuild {
  readonly dir: string;
  readonly identity: FeatureCacheIdentity;
  readonly device: Device;
  readonly threads?: number;
  /** Examples per encoder run while computing (sorted by length, so padding is minimal). */
  readonly batchSize: number;
  /** Checked between batches: a cancelled run stops building (the partial cache is not kept). */
  readonly cancelled?: () => boolean;
}

/** Thrown when the run is cancelled while its feature cache is being computed. */
export class FeatureCacheCancelled extends Error {
  override readonly name = 'FeatureCacheCancelled';
}

/** Reuses the cache in `dir` when its key matches, else (re)computes it; then opens both splits. */
export async function openFeatureCache(b: FeatureCacheBuild): Promise<OpenedFeatureCache> {
  const t0 = performance.now();
  const { identity: id } = b;
  const key = featureCacheKey(id);
  const h = id.dims.hiddenSize;
  const files = { train: join(b.dir, 'train.f16'), dev: join(b.dir, 'dev.f16'), key: join(b.dir, 'key.json') };
  const bytes = { train: featureCacheBytes(id.train, h), dev: featureCacheBytes(id.dev, h) };
  const reused = matches(files, key, bytes);
  if (!reused) {
    rmSync(b.dir, { recursive: true, force: true });
    mkdirSync(b.dir, { recursive: true });
    await computeFeatures(b, { train: files.train, dev: files.dev });
    // key.json last: a crash mid-build leaves no key, so the next run rebuilds.
    writeFileSync(`${files.key}.tmp`, JSON.stringify({ version: FORMAT_VERSION, key, bytes }, null, 2));
    renameSync(`${files.key}.tmp`, files.key);
  }
  const train = FeatureSplit.open(files.train, id.train, h);
  const dev = FeatureSplit.open(files.dev, id.dev, h);
  return {
    train,
    dev,
    reused,
    seconds: (performance.now() - t0) / 1000,
    bytes: bytes.train + bytes.dev,
    close: () => {
      train.close();
      dev.close();
    },
  };
}

function matches(
  files: { train: string; dev: string; key: string },
  key: string,
  bytes: { train: number; dev: number },
): boolean {
  if (!existsSync(files.key) || !existsSync(files.train) || !existsSync(files.dev)) return false;
  try {
    const saved = JSON.parse(readFileSync(files.key, 'utf8')) as { key?: unknown };
    return saved.key === key && statSync(files.train).size === bytes.train && statSync(files.dev).size === bytes.dev;
  } catch {
    return false; // a damaged key file: rebuild
  }
}

/** Runs the frozen encoder (eval mode) over both splits in length order and writes each example's rows. */
async function computeFeatures(b: FeatureCacheBuild, paths: { train: string; dev: string }): Promise<void> {
  const { identity: id } = b;
  // The weights are initializers, so ORT prepacks them for its GEMMs (fed as inputs they are not: the features of
  // AG News took 162 s instead of 142 s); int8 quantizes them into the graph at build time.
  const int8 = id.precision === 'int8';
  const session = await createSession(buildFeatureGraph(id.dims, id.encoder, int8 ? { quantize: 'int8' } : {}).bytes, {
    device: b.device,
    threads: b.threads,
  });
  try {
    for (const split of ['train', 'dev'] as const) {
      const examples = id[split];
      const fd = openSync(`${paths[split]}.tmp`, 'w');
      try {
        await writeSplit(session, examples, fd, id.dims.hiddenSize, b);
      } finally {
        closeSync(fd);
      }
      renameSync(`${paths[split]}.tmp`, paths[split]);
    }
  } finally {
    await session.release();
  }
}

async function writeSplit(
  session: Awaited<ReturnType<typeof createSession>>,
  examples: readonly TrainExample[],
  fd: number,
  h: number,
  b: FeatureCacheBuild,
): Promise<void> {
  const offsets: number[] = [];
  let total = 0;
  for (const e of examples) {
    offsets.push(total);
    total += e.ids.length * h;
  }
  const order = examples.map((_, i) => i).sort((x, y) => examples[x]!.ids.length - examples[y]!.ids.length);
  for (let start = 0; start < order.length; start += b.batchSize) {
    if (b.cancelled?.()) throw new FeatureCacheCancelled('the run was cancelled while computing the feature cache');
    const idx = order.slice(start, start + b.batchSize);
    const batch = idx.map((i) => examples[i]!);
    const seq = Math.max(...batch.map((e) => e.ids.length));
    const ids = new BigInt64Array(batch.length * seq); // [B, T], pad id 0 (masked)
    const mask = new BigInt64Array(batch.length * seq); // [B, T]
    batch.forEach((e, r) => e.ids.forEach((id, t) => ((ids[r * seq + t] = BigInt(id)), (mask[r * seq + t] = 1n))));
    const out = await session.run({
      input_ids: hostTensor('int64', ids, [batch.length, seq]),
      attention_mask: hostTensor('int64', mask, [batch.length, seq]),
    });
    const feats = out[FEATURES_NAME]!.data as Uint16Array; // [B, T, H] float16
    idx.forEach((i, r) => {
      const n = examples[i]!.ids.length * h;
      const view = new Uint8Array(feats.buffer, feats.byteOffset + r * seq * h * BYTES_PER_VALUE, n * BYTES_PER_VALUE);
      writeSync(fd, view, 0, view.byteLength, offsets[i]! * BYTES_PER_VALUE);
    });
  }
}

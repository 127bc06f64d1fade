// Training the heads on a frozen encoder's cached features (feature-cache.ts): whether a run uses the cache
// (config, freeze preset, free disk), and the Stepper that makes the heads-only session look like the whole
// model to the hooks (best/ and resume/ save the full model, as an uncached run does).
import { rmSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { encoderFrozen, encoderParamSpecs, headParamSpecs, type MultiTaskSpec, trainingPartition } from '../model';
import type { Device, TrainingState } from '../runtime';
import type { TrainerConfig } from './config';
import type { TrainEvent } from './events';
import type { TrainExample } from './example';
import {
  featureCacheBytes,
  FeatureCacheCancelled,
  type FeatureSplit,
  openFeatureCache,
  type OpenedFeatureCache,
} from './feature-cache';
import { type PreparedStepper, prepareStepper, type Stepper, type StepperSpec } from './stepper';
import type { TrainerData, TrainerModel, TrainerRun } from './types';

/**
 * How the frozen encoder computes the cached features: fp32 (exactly the encoder the uncached run uses, less
 * its dropout). int8 is supported by the feature graph; see the README's measurement for why not the default.
 */
export const FEATURE_PRECISION: 'fp32' | 'int8' = 'fp32';

/** The run folder's feature cache (derived data: removed when the run ends complete, kept for --resume). */
export function featureCacheDir(outDir: string): string {
  return join(outDir, 'feature-cache');
}

/** Free bytes for an unprivileged writer on the file system holding `dir` (fs.statfs). */
export function statfsFreeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

/** Kept free beside the cache: checkpoints (best/, resume/) are written to the same disk. */
const DISK_RESERVE_BYTES = 512 * 1024 * 1024;

/** Whether a run trains on cached features; `message` says why not when the user asked for it or it was cut. */
export type FeatureCacheDecision =
  | { readonly use: true; readonly bytes: number; readonly dir: string }
  | { readonly use: false; readonly message: string | null };

/**
 * 'off': never. 'auto' / 'on': when no encoder parameter trains (heads-only, or the embeddings and every
 * layer frozen) and the disk holding the run folder has room for the cache (`freeBytes`, fs.statfs unless a
 * test injects one) plus a reserve for checkpoints; otherwise uncached training with a message saying why.
 */
export function decideFeatureCache(
  cfg: TrainerConfig,
  spec: MultiTaskSpec,
  data: { readonly train: readonly TrainExample[]; readonly dev: readonly TrainExample[] },
  outDir: string,
  freeBytes: (dir: string) => number = statfsFreeBytes,
): FeatureCacheDecision {
  const bytes = plannedFeatureCacheBytes(cfg, spec, data);
  if (bytes === null) {
    const asked = cfg.featureCache === 'on';
    return {
      use: false,
      message: asked
        ? `the feature cache needs a frozen encoder, but preset '${cfg.freeze.preset}' trains encoder layers; training without it. Use --preset heads-only (or freeze the embeddings and every layer) to cache.`
        : null,
    };
  }
  if (spec.numNerLabels > 0 && data.train.some((e) => e.nerWeights !== undefined)) {
    return {
      use: false,
      message:
        'the frozen encoder feature cache does not carry per-token NER weights (silver confidence) yet; training without it (every epoch runs the encoder again, slower). ' +
        'Drop --silver-min-confidence / --silver-weights, or pass --feature-cache off to silence this.',
    };
  }
  const dir = featureCacheDir(outDir);
  const free = freeBytes(outDir);
  if (free < bytes + DISK_RESERVE_BYTES) {
    return {
      use: false,
      message:
        `not enough disk for the frozen encoder's feature cache: it needs ${mib(bytes)} MiB (+ ${mib(DISK_RESERVE_BYTES)} MiB kept free for checkpoints) in ${outDir}, ` +
        `which has ${mib(free)} MiB free; training without the cache (every epoch runs the encoder again, slower, same results). ` +
        'Free some space or choose another --out to cache.',
    };
  }
  return { use: true, bytes, dir };
}

/**
 * Bytes the run's feature cache will take on disk (train + dev features, float16), or null when the run does
 * not cache: featureCache 'off', or an encoder parameter trains. The free-space check happens at start.
 */
export function plannedFeatureCacheBytes(
  cfg: Pick<TrainerConfig, 'featureCache' | 'freeze' | 'lossWeights'>,
  spec: MultiTaskSpec,
  data: { readonly train: readonly TrainExample[]; readonly dev: readonly TrainExample[] },
): number | null {
  if (cfg.featureCache === 'off' || !encoderFrozen(trainingPartition(spec, cfg.freeze, cfg.lossWeights))) return null;
  const h = spec.dims.hiddenSize;
  return featureCacheBytes(data.train, h) + featureCacheBytes(data.dev, h);
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 1 : 0);
}

/**
 * The heads-only session as the whole model: parameters and resume state carry the frozen encoder's weights
 * too (unchanged, from `encoder`), and a state loaded from resume/ (full model) feeds the heads only.
 */
export function withFrozenEncoder(inner: Stepper, encoder: ReadonlyMap<string, Float32Array | Float64Array>): Stepper {
  const headsOnly = (m: ReadonlyMap<string, Float32Array | Float64Array>): Map<string, Float32Array | Float64Array> =>
    new Map([...m].filter(([name]) => !encoder.has(name)));
  return {
    get step() {
      return inner.step;
    },
    run: (batches) => inner.run(batches),
    residency: inner.residency,
    readState: async (): Promise<TrainingState> => {
      const s = await inner.readState();
      return { ...s, params: new Map([...encoder, ...s.params]) };
    },
    readParameters: async () => new Map([...encoder, ...(await inner.readParameters())]),
    parameterFeeds: () => inner.parameterFeeds(),
    loadState: (state) =>
      inner.loadState({
        step: state.step,
        params: headsOnly(state.params),
        m: headsOnly(state.m),
        v: headsOnly(state.v),
      }),
    get liveDeviceTensors() {
      return inner.liveDeviceTensors;
    },
    release: () => inner.release(),
  };
}

/**
 * The run's steppers: `full` (the whole model: the uncached run's, and what 'auto' times per device) and
 * `heads` (the graph on cached features when the cache is used; else `full`). Only the run's own stepper
 * adopts the weight arrays; `encoder` holds the frozen encoder's (unchanged by training).
 */
export function prepareSteppers(
  cache: FeatureCacheDecision,
  spec: StepperSpec,
): { full: PreparedStepper; heads: PreparedStepper; encoder: ReadonlyMap<string, Float32Array | Float64Array> } {
  const model = spec.graph.model;
  // Everything that is not the encoder goes to the heads' graph: the heads and any learned task weights.
  const encoderNames = new Set(encoderParamSpecs(model.dims).map((p) => p.name));
  const encoder = new Map([...spec.params].filter(([name]) => encoderNames.has(name)));
  const full = prepareStepper({ ...spec, adoptParams: !cache.use && (spec.adoptParams ?? false) });
  if (!cache.use) return { full, heads: full, encoder };
  const heads = prepareStepper({
    ...spec,
    graph: { ...spec.graph, input: 'features' },
    params: new Map([...spec.params].filter(([name]) => !encoderNames.has(name))),
  });
  return { full, heads, encoder };
}

/** What buildFeatures needs from the run. */
export interface FeatureBuild {
  readonly model: TrainerModel;
  readonly data: TrainerData;
  readonly cfg: TrainerConfig;
  readonly run: TrainerRun;
  readonly device: Device;
  readonly dir: string;
  readonly emit: (event: TrainEvent) => void;
}

/**
 * Opens the run's feature cache (reused when its key matches, computed otherwise) and says so in a message
 * event; undefined when the run was cancelled while computing (the partial cache is removed).
 */
export async function buildFeatures(b: FeatureBuild): Promise<OpenedFeatureCache | undefined> {
  const { model, data, cfg } = b;
  const n = data.train.length + data.dev.length;
  b.emit({
    type: 'message',
    level: 'info',
    message: `frozen encoder: computing its features once for ${n} examples (or reusing them), then the heads train on them.`,
  });
  const heads = new Set(
    headParamSpecs(model.config.dims.hiddenSize, data.classLabels.length, data.nerTags.length).map((p) => p.name),
  );
  const encoder = new Map([...model.params].filter(([name]) => !heads.has(name)));
  try {
    const opened = await openFeatureCache({
      dir: b.dir,
      identity: {
        dims: model.config.dims,
        encoder,
        train: data.train,
        dev: data.dev,
        maxLength: cfg.maxLength,
        pooling: cfg.pooling,
        precision: FEATURE_PRECISION,
      },
      device: b.device,
      ...(cfg.threads !== undefined && { threads: cfg.threads }),
      batchSize: cfg.evalBatchSize,
      cancelled: () => b.run.signal?.aborted === true,
    });
    const what = `${data.train.length} train + ${data.dev.length} dev examples, ${mib(opened.bytes)} MiB in ${b.dir}`;
    b.emit({
      type: 'message',
      level: 'info',
      message: opened.reused
        ? `frozen encoder: reusing its cached features (${what}); the heads train on them.`
        : `frozen encoder: computed its features once in ${opened.seconds.toFixed(1)} s (${what}); the heads train on them, without the encoder's dropout.`,
    });
    return opened;
  } catch (err) {
    if (!(err instanceof FeatureCacheCancelled)) throw err;
    rmSync(b.dir, { recursive: true, force: true });
    return undefined;
  }
}

/** One split of a cache that must exist by the time a step or an evaluation reads it. */
export function splitOf(cache: OpenedFeatureCache | undefined, split: 'train' | 'dev'): FeatureSplit {
  if (!cache)
    throw new Error(
      `the feature cache was not computed (the run was cancelled), so the ${split} features cannot be read.`,
    );
  return cache[split];
}

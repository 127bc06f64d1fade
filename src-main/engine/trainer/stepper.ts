import {
  type EmbeddingUpdates,
  lazyEmbeddingUpdates,
  type ModelAccumulationGraphs,
  type ModelTrainingGraph,
  type ModelTrainingSpec,
  type ParamPartition,
  buildModelAccumulationGraphs,
  buildModelTrainingGraph,
  trainingSpecPartition,
} from '../model';
import type { AdamWConfig, LrSchedule } from '../optim';
import type { Device, FeedTensor, HostTensor, MicroResult, Residency, StepTransfer, TrainingState } from '../runtime';
import { AccumulatingSession, TrainingSession } from '../runtime';
import type { StepLosses } from './events';
import { IGNORE, type TrainExample } from './example';

type Batch = Readonly<Record<string, HostTensor>>;

/** One optimizer step as the trainer sees it, whatever the number of micro-batches. */
export interface OptimizerStep {
  readonly lr: number;
  /** Mean of the micro-batch losses (the objective the step descended). */
  readonly loss: number;
  readonly gradNorm: number;
  readonly applied: boolean;
  /** Per micro-batch loss and extra outputs (loss parts), in order. */
  readonly micro: readonly MicroResult[];
  /** Bytes the step moved between host and device (0 on the CPU EP). */
  readonly transfer: StepTransfer;
}

/** The session behind the trainer: a single training graph (k = 1) or the accumulating pair (k > 1). */
export interface Stepper {
  /** Optimizer steps taken so far. */
  readonly step: number;
  /** Runs one optimizer step over 1..k micro-batches. */
  run(batches: readonly Batch[]): Promise<OptimizerStep>;
  /** Where parameters and moments live between steps ('device': on the GPU, read back on demand). */
  readonly residency: Residency;
  /** Copies of parameters, moments and step (read back from the device when they live there). */
  readState(): Promise<TrainingState>;
  /** Copies of the parameters. */
  readParameters(): Promise<ReadonlyMap<string, Float32Array | Float64Array>>;
  /** The current parameters as feeds for an eval session on the same device (no copy; valid until the next step). */
  parameterFeeds(): Record<string, FeedTensor>;
  loadState(state: TrainingState): Promise<void>;
  /** Device tensors alive now (0 with host residency): a leak shows as growth. */
  readonly liveDeviceTensors: number;
  release(): Promise<void>;
}

export interface StepperSpec {
  readonly graph: ModelTrainingSpec;
  /** Micro-batches per optimizer step; 1 keeps the single forward + backward + AdamW graph. */
  readonly gradAccumulation: number;
  readonly adamw: AdamWConfig;
  readonly schedule: LrSchedule;
  readonly params: ReadonlyMap<string, Float32Array | Float64Array>;
  /** The session takes the params arrays as its own buffers (see TrainingSessionInit.adoptParams). */
  readonly adoptParams?: boolean;
  readonly seed: number;
  readonly threads?: number;
}

/** What prepareStepper gives the trainer: per-device counts and notes, and openers. */
export interface PreparedStepper {
  /** Parameters the device's graph updates (DirectML leaves the word-embedding table frozen). */
  readonly trainableCount: (device: Device) => number;
  /** What the run changes for the device, said in the 'started' event (empty: nothing). */
  readonly notes: (device: Device) => readonly string[];
  readonly open: (device: Device) => Promise<Stepper>;
  /** A throw-away stepper for timing on `device`: copies the weights, never adopts them. */
  readonly openForCalibration: (device: Device) => Promise<Stepper>;
}

/**
 * Builds the training graph(s) once per kind of graph a device needs (deviceGraphSpec), on first use; `open`
 * loads them on a device (called again per candidate device by chooseDevice). k = 1 is exactly the
 * single-graph TrainingSession the trainer always used.
 */
export function prepareStepper(input: StepperSpec): PreparedStepper {
  const lazyRefused = input.gradAccumulation > 1 && lazyEmbeddingUpdates(input.graph);
  const spec = lazyRefused ? { ...input, graph: { ...input.graph, embeddingUpdates: 'dense' as const } } : input;
  const base = trainingSpecPartition(spec.graph); // refuses a preset that trains nothing, before any device
  const graphSpec = (device: Device): ModelTrainingSpec => deviceGraphSpec(spec.graph, device);
  const partition = (device: Device): ParamPartition => trainingSpecPartition(graphSpec(device));
  // The run's session and the calibration's throw-away ones share the graphs.
  const graphs: Graphs = {
    single: memoByGraph(graphSpec, buildModelTrainingGraph),
    accumulated: memoByGraph(graphSpec, buildModelAccumulationGraphs),
  };
  const prepared = prepareWith(spec, graphs);
  const calibration = prepareWith({ ...spec, adoptParams: false }, graphs);
  return {
    trainableCount: (device) => partition(device).trainableCount,
    notes: (device) => [...deviceNotes(base, partition(device)), ...(lazyRefused ? [LAZY_WITH_ACCUMULATION] : [])],
    open: prepared.open,
    openForCalibration: calibration.open,
  };
}

/**
 * The graph a device runs. A GPU generates its dropout masks in the graph (fed masks would cross the bus every
 * step); the CPU EP draws them faster on the host. DirectML has no scatter with reduction (DESIGN.md): its
 * embedding gradients are one-hot Gemms, which suit the position and token-type tables but not the word table
 * (an [ids, vocab] one-hot per step), so that table stays frozen there.
 */
export function deviceGraphSpec(spec: ModelTrainingSpec, device: Device): ModelTrainingSpec {
  const dml = device === 'dml';
  return {
    ...spec,
    dropoutMasks: device === 'cpu' ? 'host' : 'generated',
    embeddingGradient: dml ? 'one-hot' : 'scatter',
    freezeWordEmbeddings: (spec.freezeWordEmbeddings ?? false) || dml,
  };
}

// Lazy is the default, so the note must not read as if the user had asked for it.
const LAZY_WITH_ACCUMULATION =
  'This run updates the word-embedding table densely (AdamW on every row): lazy updates, the default, need one ' +
  'batch per optimizer step, which is not so with gradient accumulation.';

/**
 * The word-table update a run gets: lazy needs the single-step graph, so with k > 1 micro-batches it is dense
 * (prepareStepper says so in the device notes).
 */
export function effectiveEmbeddingUpdates(requested: EmbeddingUpdates, gradAccumulation: number): EmbeddingUpdates {
  return gradAccumulation > 1 ? 'dense' : requested;
}

/** Says which parameters the device's graph leaves frozen that the run's freeze settings train. */
function deviceNotes(base: ParamPartition, onDevice: ParamPartition): string[] {
  const frozen = new Set(onDevice.frozen.map((p) => p.name));
  const moved = base.trainable.filter((p) => frozen.has(p.name));
  if (moved.length === 0) return [];
  const count = moved.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  const names = moved.map((p) => `'${p.name}'`).join(', ');
  return [
    `On DirectML the word-embedding table (${names}, ${count.toLocaleString('en-US')} parameters) stays frozen: ` +
      'DirectML has no scatter-add for its gradient. The position and token-type embeddings train through a ' +
      'one-hot gradient; train on CUDA, WebGPU or the CPU to fine-tune the word embeddings too.',
  ];
}

/** The step graphs per device, built on first use: single (k = 1) or accumulating (k > 1). */
interface Graphs {
  readonly single: (device: Device) => ModelTrainingGraph;
  readonly accumulated: (device: Device) => ModelAccumulationGraphs;
}

function prepareWith(spec: StepperSpec, graphs: Graphs): { readonly open: (device: Device) => Promise<Stepper> } {
  const common = {
    adamw: spec.adamw,
    schedule: spec.schedule,
    params: spec.params,
    adoptParams: spec.adoptParams ?? false,
    seed: spec.seed,
    ...(spec.threads !== undefined && { threads: spec.threads }),
  };
  if (spec.gradAccumulation === 1) {
    return {
      open: async (device) => {
        const tg = graphs.single(device);
        return singleStepper(await TrainingSession.create({ bytes: tg.bytes, layout: tg.layout, device, ...common }));
      },
    };
  }
  return {
    open: async (device) => {
      const ag = graphs.accumulated(device);
      return accumulatingStepper(
        await AccumulatingSession.create({
          gradientBytes: ag.gradient.bytes,
          updateBytes: ag.update.bytes,
          layout: ag.layout,
          microBatches: spec.gradAccumulation,
          device,
          ...common,
        }),
      );
    },
  };
}

/** One build per distinct graph (mask source, embedding gradient, word table), on first use. */
function memoByGraph<T>(
  graphSpec: (device: Device) => ModelTrainingSpec,
  build: (spec: ModelTrainingSpec) => T,
): (device: Device) => T {
  const cache = new Map<string, T>();
  return (device) => {
    const s = graphSpec(device);
    const key = `${s.dropoutMasks}/${s.embeddingGradient}/${s.freezeWordEmbeddings}/${s.embeddingUpdates}`;
    let value = cache.get(key);
    if (value === undefined) {
      value = build(s);
      cache.set(key, value);
    }
    return value;
  };
}

function singleStepper(s: TrainingSession): Stepper {
  return stepperOver(s, async (batches) => {
    if (batches.length !== 1) {
      throw new RangeError(`a single-graph step takes exactly 1 batch, got ${batches.length}; set gradAccumulation.`);
    }
    const r = await s.trainStep(batches[0]!);
    const { lr, loss, gradNorm, applied, transfer } = r;
    return { lr, loss, gradNorm, applied, transfer, micro: [{ loss, outputs: r.outputs }] };
  });
}

function accumulatingStepper(s: AccumulatingSession): Stepper {
  return stepperOver(s, (batches) => s.trainStep(batches));
}

// What both session kinds share, under the Stepper names; `run` is the one part that differs.
function stepperOver(s: TrainingSession | AccumulatingSession, run: Stepper['run']): Stepper {
  return {
    get step() {
      return s.step;
    },
    run,
    residency: s.residency,
    readState: () => s.readState(),
    readParameters: () => s.readParameters(),
    parameterFeeds: () => s.parameterFeeds(),
    loadState: (state) => s.loadState(state),
    get liveDeviceTensors() {
      return s.liveDeviceTensors;
    },
    release: () => s.release(),
  };
}

/**
 * The step's losses for events: the total is the mean over micro-batches (what the step descended); a task's
 * loss is the mean over the micro-batches that carried labels for it (the graph outputs 0 for the others),
 * and is absent when none did.
 */
export function stepLosses(micro: readonly (readonly TrainExample[])[], r: OptimizerStep): StepLosses {
  const part = (name: string, has: (e: TrainExample) => boolean): number | undefined => {
    const values = r.micro.flatMap((m, i) => {
      const out = m.outputs[name];
      return out && micro[i]!.some(has) ? [Number(out.data[0])] : [];
    });
    return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
  };
  const classification = part('loss.classification', (e) => e.classLabel !== IGNORE);
  const ner = part('loss.ner', (e) => e.nerLabels !== undefined);
  return {
    total: r.loss,
    ...(classification !== undefined && { classification }),
    ...(ner !== undefined && { ner }),
  };
}

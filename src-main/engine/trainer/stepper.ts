import { type ModelTrainingSpec, buildModelAccumulationGraphs, buildModelTrainingGraph } from '../model';
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

/**
 * Builds the training graph(s) once; `open` loads them on a device (called again per candidate device by
 * openOnDevice). k = 1 is exactly the single-graph TrainingSession the trainer always used.
 */
export function prepareStepper(spec: StepperSpec): {
  readonly trainableCount: number;
  readonly open: (device: Device) => Promise<Stepper>;
  /** A throw-away stepper for timing on `device`: copies the weights, never adopts them. */
  readonly openForCalibration: (device: Device) => Promise<Stepper>;
} {
  const prepared = prepareWith(spec);
  const calibration = prepareWith({ ...spec, adoptParams: false });
  return { trainableCount: prepared.trainableCount, open: prepared.open, openForCalibration: calibration.open };
}

function prepareWith(spec: StepperSpec): {
  readonly trainableCount: number;
  readonly open: (device: Device) => Promise<Stepper>;
} {
  const common = {
    adamw: spec.adamw,
    schedule: spec.schedule,
    params: spec.params,
    adoptParams: spec.adoptParams ?? false,
    seed: spec.seed,
    ...(spec.threads !== undefined && { threads: spec.threads }),
  };
  // A GPU generates its dropout masks in the graph (fed masks would cross the bus every step); the CPU EP
  // draws them faster on the host. One graph per mask source, built on first use.
  const graphSpec = (device: Device): ModelTrainingSpec => ({
    ...spec.graph,
    dropoutMasks: device === 'cpu' ? 'host' : 'generated',
  });
  if (spec.gradAccumulation === 1) {
    const built = memoByMasks((d) => buildModelTrainingGraph(graphSpec(d)));
    return {
      trainableCount: built('cpu').partition.trainableCount,
      open: async (device) => {
        const tg = built(device);
        return singleStepper(await TrainingSession.create({ bytes: tg.bytes, layout: tg.layout, device, ...common }));
      },
    };
  }
  const built = memoByMasks((d) => buildModelAccumulationGraphs(graphSpec(d)));
  return {
    trainableCount: built('cpu').partition.trainableCount,
    open: async (device) => {
      const ag = built(device);
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

function memoByMasks<T>(build: (device: Device) => T): (device: Device) => T {
  const cache = new Map<'host' | 'generated', T>();
  return (device) => {
    const key = device === 'cpu' ? 'host' : 'generated';
    let value = cache.get(key);
    if (value === undefined) {
      value = build(device);
      cache.set(key, value);
    }
    return value;
  };
}

function singleStepper(s: TrainingSession): Stepper {
  return {
    get step() {
      return s.step;
    },
    run: async (batches) => {
      if (batches.length !== 1) {
        throw new RangeError(`a single-graph step takes exactly 1 batch, got ${batches.length}; set gradAccumulation.`);
      }
      const r = await s.trainStep(batches[0]!);
      return {
        lr: r.lr,
        loss: r.loss,
        gradNorm: r.gradNorm,
        applied: r.applied,
        micro: [{ loss: r.loss, outputs: r.outputs }],
        transfer: r.transfer,
      };
    },
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

function accumulatingStepper(s: AccumulatingSession): Stepper {
  return {
    get step() {
      return s.step;
    },
    run: (batches) => s.trainStep(batches),
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

import { dropoutSites } from '../dropout';
import type { Graph, Value } from '../onnx';
import { GRAD_NORM_OUTPUT } from '../optim';
import type { FrozenSpec, TrainableSpec, TrainingDType } from './types';
import { TrainingGraphError } from './errors';

/** Name of the (unscaled) loss output of every training and gradient graph. */
export const LOSS_OUTPUT = 'loss';

/** Declares every parameter (trainable first, then frozen) as a graph input of `dtype`. */
export function declareParams(
  g: Graph,
  trainable: readonly TrainableSpec[],
  frozen: readonly FrozenSpec[],
  dtype: TrainingDType,
): Map<string, Value> {
  const params = new Map<string, Value>();
  for (const p of [...trainable, ...frozen]) params.set(p.name, g.input(p.name, dtype, p.shape));
  return params;
}

/** Refuses duplicate parameter names and non-positive or fractional dims. */
export function checkNames(trainable: readonly TrainableSpec[], frozen: readonly FrozenSpec[]): void {
  const seen = new Set<string>();
  for (const p of [...trainable, ...frozen]) {
    if (seen.has(p.name)) {
      throw new TrainingGraphError(
        `parameter '${p.name}' is listed twice (trainable and frozen, or repeated); list each parameter once.`,
      );
    }
    seen.add(p.name);
    if (p.shape.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new TrainingGraphError(
        `parameter '${p.name}' has shape [${p.shape.join(', ')}]; parameter dims must be positive integers.`,
      );
    }
  }
}

/** The forward's loss must be a rank-0 value of the graph's float dtype. */
export function checkLoss(loss: Value, dtype: TrainingDType): void {
  if (loss.shape.length !== 0 || loss.dtype !== dtype) {
    throw new TrainingGraphError(
      `the forward's loss must be a rank-0 ${dtype} value, got '${loss.name}' [${loss.shape.join(', ')}] ${loss.dtype}; reduce it with reduceMean(..., keepDims=false).`,
    );
  }
}

/** Marks the forward's extra outputs, refusing names that clash with the step's own outputs. */
export function declareExtraOutputs(g: Graph, outputs: Readonly<Record<string, Value>> | undefined): string[] {
  const names: string[] = [];
  for (const [name, v] of Object.entries(outputs ?? {})) {
    if (name === LOSS_OUTPUT || name.endsWith('.new') || name === GRAD_NORM_OUTPUT) {
      throw new TrainingGraphError(`extra output name '${name}' clashes with a training output; rename it.`);
    }
    names.push(g.output(v, name).name);
  }
  return names;
}

/** The inputs the forward declared for its batch: every input that is neither a parameter nor a dropout mask. */
export function batchInputsOf(g: Graph, params: ReadonlyMap<string, Value>): readonly Value[] {
  const masks = new Set(dropoutSites(g).map((s) => s.maskInput));
  return g.inputs.filter((v) => !params.has(v.name) && !masks.has(v.name));
}

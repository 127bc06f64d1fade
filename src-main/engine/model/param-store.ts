import type { Graph, Value } from '../onnx';
import { formatShape } from '../onnx';
import { ParameterError } from './errors';
import type { ParamSpec } from './param-names';

/** One parameter's host copy: float32 data in row-major order and its shape. */
export interface ParamTensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** Parameter name -> host tensor. The source of truth between training steps and in checkpoints. */
export type ParamStore = ReadonlyMap<string, ParamTensor>;

/** Throws unless the store has every spec'd tensor with the spec'd shape. */
export function checkStore(store: ParamStore, specs: readonly ParamSpec[]): void {
  for (const spec of specs) {
    const t = store.get(spec.name);
    if (!t)
      throw new ParameterError(spec.name, `missing from the parameter store; expected ${formatShape(spec.shape)}.`);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i]) || t.data.length !== size) {
      throw new ParameterError(
        spec.name,
        `has shape ${formatShape(t.shape)} (${t.data.length} values) but the model needs ${formatShape(spec.shape)}.`,
      );
    }
  }
}

/** Declares each spec as a float32 graph input (training graphs: parameters are fed each step). */
export function declareParamInputs(g: Graph, specs: readonly ParamSpec[]): Map<string, Value> {
  return new Map(specs.map((s) => [s.name, g.input(s.name, 'float32', s.shape)]));
}

/** Stores each spec'd tensor as an initializer (inference graphs: ORT can prepack constant weights). */
export function declareParamInitializers(g: Graph, store: ParamStore, specs: readonly ParamSpec[]): Map<string, Value> {
  checkStore(store, specs);
  return new Map(
    specs.map((s) => [
      s.name,
      g.initializer(s.name, { dtype: 'float32', dims: [...s.shape], data: store.get(s.name)!.data }),
    ]),
  );
}

/** A copy of the store restricted to `names` (e.g. the trainable ones). */
export function pickParams(store: ParamStore, names: readonly string[]): Map<string, ParamTensor> {
  return new Map(
    names.map((n) => {
      const t = store.get(n);
      if (!t) throw new ParameterError(n, 'missing from the parameter store.');
      return [n, t];
    }),
  );
}

/** Total number of scalars in the named tensors. */
export function countParams(specs: readonly ParamSpec[]): number {
  return specs.reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1), 0);
}

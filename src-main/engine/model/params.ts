import type { Value } from '../onnx';
import { formatShape } from '../onnx';
import { ParameterError } from './errors';

/** Parameter name (Hugging Face style) -> its graph value (input or initializer). */
export type ParamValues = ReadonlyMap<string, Value>;

/** Looks a parameter up and checks its shape; throws a ParameterError that names both shapes. */
export function param(params: ParamValues, name: string, shape: readonly number[]): Value {
  const v = params.get(name);
  if (!v) {
    throw new ParameterError(
      name,
      `missing; the graph needs it with shape ${formatShape(shape)}. Load it from the checkpoint or initialise it.`,
    );
  }
  if (v.shape.length !== shape.length || v.shape.some((d, i) => d !== shape[i])) {
    throw new ParameterError(
      name,
      `has shape ${formatShape(v.shape)} but the config needs ${formatShape(shape)}; the checkpoint and config.json disagree.`,
    );
  }
  return v;
}

import type { Graph, Value } from '../onnx';

/**
 * A hand-written backward for a composite: gradients for `inputs` given the gradient of the composite's
 * output. One entry per input (null: none needed).
 */
export type CustomBackward = (g: Graph, dy: Value) => readonly (Value | null)[];

interface CustomGradient {
  readonly inputs: readonly Value[];
  readonly backward: CustomBackward;
}

const registry = new WeakMap<Graph, Map<string, CustomGradient>>();

/**
 * Marks `output` (built from `inputs` by a composite) as differentiated by `backward` instead of by the
 * rules of the nodes inside the composite. grad() then never reaches those inner nodes (their outputs get
 * no gradient), so none of their intermediates has to live until the backward pass: a rule can recompute
 * what it needs from the inputs, trading a little arithmetic for activation memory (as
 * torch.utils.checkpoint does for a whole block).
 */
export function withCustomGradient(g: Graph, inputs: readonly Value[], output: Value, backward: CustomBackward): Value {
  let map = registry.get(g);
  if (!map) registry.set(g, (map = new Map()));
  map.set(output.name, { inputs, backward });
  return output;
}

/** The custom gradient registered for a value, if any. */
export function customGradientOf(g: Graph, value: Value): CustomGradient | undefined {
  return registry.get(g)?.get(value.name);
}

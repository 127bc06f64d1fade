import { type Graph, type Value, op } from '../onnx';

const stopped = new WeakMap<Graph, Set<string>>();

/**
 * Identity whose output grad() treats as a constant (tf.stop_gradient). Used where the math cancels
 * exactly, e.g. the max subtracted in log-softmax, so no dead ReduceMax backward is built.
 */
export function stopGradient(g: Graph, x: Value): Value {
  const y = op.identity(g, x);
  let set = stopped.get(g);
  if (!set) stopped.set(g, (set = new Set()));
  set.add(y.name);
  return y;
}

/** True when the value came from stopGradient on this graph. */
export function isStopped(g: Graph, v: Value): boolean {
  return stopped.get(g)?.has(v.name) ?? false;
}

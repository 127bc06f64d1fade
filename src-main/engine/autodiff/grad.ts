import {
  type Graph,
  GraphBuildError,
  type Node,
  type TensorData,
  type Value,
  describeValue,
  isFloat,
  sameShape,
} from '../onnx';
import { type CustomBackward, customGradientOf } from './custom-gradient';
import { AutodiffError } from './errors';
import { zerosLike } from './helpers';
import type { GradContext, GradRule } from './rule';
import { DIFFERENTIABLE_OPS, GRAD_RULES, gatherOneHotGrad, isDifferentiable } from './rules';
import { isStopped } from './stop-gradient';
import { unbroadcast } from './unbroadcast';

export interface GradOptions {
  /**
   * What to do for a wrt value the loss does not depend on: 'error' (default: usually a wiring bug, e.g. a
   * head that is never used) or 'zeros' (a zero gradient of its shape).
   */
  readonly unconnected?: 'error' | 'zeros';
  /**
   * Gather's gradient: 'scatter' (default: ScatterND add into zeros) or 'one-hot' (a one-hot Gemm, for
   * providers without scatter-add such as DirectML; static tables of at most `oneHotMaxRows` rows).
   */
  readonly gatherGradient?: GatherGradient;
  /** Largest table (rows along the gathered axis) 'one-hot' accepts; ONE_HOT_MAX_ROWS by default. */
  readonly oneHotMaxRows?: number;
}

/** How Gather's gradient is built (GradOptions.gatherGradient). */
export type GatherGradient = 'scatter' | 'one-hot';

/**
 * Appends the reverse-mode gradient of the scalar `loss` w.r.t. each `wrt` value to the graph and returns
 * value name -> gradient (same shape and dtype, named `grad/<name>`). Only nodes on a path from some wrt
 * value to the loss get backward nodes; frozen parameters, int inputs and constants get none.
 */
export function grad(
  g: Graph,
  loss: Value,
  wrt: readonly (Value | string)[],
  options: GradOptions = {},
): ReadonlyMap<string, Value> {
  checkLoss(g, loss);
  const targets = wrt.map((w) => resolveWrt(g, w));
  const forward = [...g.nodes];
  const needed = neededValues(g, forward, targets, loss);
  const acc = new Accumulator(g, new Set(targets.map((t) => t.name)));
  const ruleFor = rulesFor(options);
  acc.add(loss, g.scalar(1, loss.dtype));

  for (let n = forward.length - 1; n >= 0; n--) {
    const node = forward[n]!;
    const out = node.outputs[0];
    if (!out || !needed.has(out.name) || !node.inputs.some((v) => v && needed.has(v.name))) continue;
    const custom = customGradientOf(g, out);
    if (custom) {
      const dy = acc.total(out);
      if (dy) applyCustom(g, node, custom.inputs, custom.backward, dy, needed, acc);
      continue; // the composite's inner nodes get no gradient, so the walk skips them
    }
    const rule = ruleFor(node);
    const dy = acc.total(out);
    if (!dy) continue; // every consumer gave a zero gradient
    const ctx = makeContext(g, node, dy, needed);
    const grads = g.withScope(`grad/${node.name}`, () => applyRule(rule, ctx));
    node.inputs.forEach((input, i) => {
      const gi = grads[i];
      if (!input || !needed.has(input.name) || !gi) return;
      acc.add(
        input,
        g.withScope(`grad/${node.name}`, () => fitShape(g, unbroadcast(g, gi, input), input, node)),
      );
    });
  }
  return new Map(targets.map((t) => [t.name, acc.total(t) ?? unconnected(g, t, options)]));
}

/** Adds a composite's hand-written input gradients (custom-gradient.ts) to the accumulator. */
function applyCustom(
  g: Graph,
  node: Node,
  inputs: readonly Value[],
  backward: CustomBackward,
  dy: Value,
  needed: ReadonlySet<string>,
  acc: Accumulator,
): void {
  const grads = g.withScope(`grad/${node.name}`, () => backward(g, dy));
  inputs.forEach((input, i) => {
    const gi = grads[i];
    if (!needed.has(input.name) || !gi) return;
    acc.add(
      input,
      g.withScope(`grad/${node.name}`, () => fitShape(g, unbroadcast(g, gi, input), input, node)),
    );
  });
}

/** Runs a rule; a builder error inside it is reported against the forward node it differentiates. */
function applyRule(rule: GradRule, ctx: GradContext): readonly (Value | null)[] {
  try {
    return rule(ctx);
  } catch (e) {
    if (e instanceof GraphBuildError) {
      const inputs = ctx.node.inputs.map((v) => (v ? describeValue(v) : "''")).join(', ');
      throw new AutodiffError(
        `gradient of ${ctx.node.opType} node '${ctx.node.name}' (inputs ${inputs}) failed: ${e.message}`,
        { cause: e },
      );
    }
    throw e;
  }
}

function checkLoss(g: Graph, loss: Value): void {
  if (g.value(loss.name) !== loss) throw new AutodiffError(`loss '${loss.name}' does not belong to graph '${g.name}'.`);
  if (loss.shape.length !== 0 || !isFloat(loss.dtype)) {
    throw new AutodiffError(
      `the loss must be a float scalar (rank 0), got ${describeValue(loss)}; reduce it with ReduceSum/ReduceMean keepDims=false.`,
    );
  }
}

function resolveWrt(g: Graph, w: Value | string): Value {
  const name = typeof w === 'string' ? w : w.name;
  const v = g.value(name);
  if (!v || (typeof w !== 'string' && v !== w)) {
    throw new AutodiffError(
      `wrt value '${name}' is not in graph '${g.name}'; pass a graph input or a value built on this graph.`,
    );
  }
  if (!isFloat(v.dtype))
    throw new AutodiffError(`wrt value ${describeValue(v)} is not a float tensor; it cannot have a gradient.`);
  if (g.isInitializer(v))
    throw new AutodiffError(`wrt value '${name}' is an initializer (a constant); make it a graph input to train it.`);
  return v;
}

/** Float values that depend on some wrt value and on which the loss depends. */
function neededValues(g: Graph, forward: readonly Node[], targets: readonly Value[], loss: Value): Set<string> {
  const active = new Set(targets.map((t) => t.name));
  for (const node of forward) {
    if (!node.inputs.some((v) => v && active.has(v.name))) continue;
    for (const o of node.outputs) if (isFloat(o.dtype) && !isStopped(g, o)) active.add(o.name);
  }
  const reaches = new Set([loss.name]);
  for (let n = forward.length - 1; n >= 0; n--) {
    const node = forward[n]!;
    if (node.outputs.some((o) => reaches.has(o.name))) for (const v of node.inputs) if (v) reaches.add(v.name);
  }
  return new Set([...active].filter((name) => reaches.has(name)));
}

/** The rule lookup for these options: the registry, with Gather's rule as chosen. */
function rulesFor(options: GradOptions): (node: Node) => GradRule {
  const gather = options.gatherGradient === 'one-hot' ? gatherOneHotGrad(options.oneHotMaxRows) : undefined;
  return (node) => (gather && node.domain === '' && node.opType === 'Gather' ? gather : registeredRule(node));
}

function registeredRule(node: Node): GradRule {
  if (node.domain !== '' || !isDifferentiable(node.opType)) {
    const op = node.domain === '' ? node.opType : `${node.domain}.${node.opType}`;
    throw new AutodiffError(
      `no gradient rule for ${op} used by node '${node.name}'; supported: ${DIFFERENTIABLE_OPS.join(', ')}.`,
    );
  }
  if (node.outputs.length !== 1)
    throw new AutodiffError(
      `node '${node.name}' (${node.opType}) has ${node.outputs.length} outputs; rules handle one.`,
    );
  return GRAD_RULES[node.opType];
}

function makeContext(g: Graph, node: Node, dy: Value, needed: ReadonlySet<string>): GradContext {
  const input = (i: number): Value => {
    const v = node.inputs[i];
    if (!v)
      throw new AutodiffError(`node '${node.name}' (${node.opType}) has no input ${i}, which its gradient rule needs.`);
    return v;
  };
  const constData = (i: number): TensorData | undefined => {
    const v = node.inputs[i];
    return v ? g.initializerData(v) : undefined;
  };
  const attrOf = (name: string) => node.attrs[name];
  return {
    g,
    node,
    dy,
    y: node.outputs[0]!,
    input,
    needs: (i) => {
      const v = node.inputs[i];
      return !!v && needed.has(v.name);
    },
    constData,
    constInts: (i) => {
      const data = constData(i);
      return data && (data.dtype === 'int64' || data.dtype === 'int32')
        ? Array.from(data.data as ArrayLike<number | bigint>, Number)
        : undefined;
    },
    attrInt: (name, fallback) => {
      const a = attrOf(name);
      return a?.kind === 'int' ? a.value : fallback;
    },
    attrFloat: (name, fallback) => {
      const a = attrOf(name);
      return a?.kind === 'float' ? a.value : fallback;
    },
    attrInts: (name) => {
      const a = attrOf(name);
      return a?.kind === 'ints' ? a.value : undefined;
    },
  };
}

/**
 * Gives a gradient its value's exact static shape: after unbroadcast the two agree up to symbol names
 * (e.g. 'B*T' vs 'N'), and later rules read dy's static shape. An Identity retags it (free in ORT).
 */
function fitShape(g: Graph, gi: Value, input: Value, node: Node): Value {
  if (sameShape(gi.shape, input.shape)) return gi;
  if (gi.shape.length !== input.shape.length) {
    throw new AutodiffError(
      `rule for ${node.opType} (node '${node.name}') gave ${describeValue(gi)} for input ${describeValue(input)}.`,
    );
  }
  gi.shape.forEach((d, i) => {
    const e = input.shape[i]!;
    if (typeof d === 'number' && typeof e === 'number' && d !== e) {
      throw new AutodiffError(
        `rule for ${node.opType} (node '${node.name}') gave ${describeValue(gi)} for input ${describeValue(input)}.`,
      );
    }
  });
  return g.addNode('Identity', [gi], [{ dtype: gi.dtype, shape: input.shape }])[0]!;
}

function unconnected(g: Graph, t: Value, options: GradOptions): Value {
  if (options.unconnected === 'zeros') {
    return g.addNode(
      'Identity',
      [zerosLike(g, t)],
      [{ dtype: t.dtype, shape: t.shape, name: g.uniqueName(`grad/${t.name}`) }],
    )[0]!;
  }
  throw new AutodiffError(
    `the loss does not depend on wrt value '${t.name}'; freeze it (leave it out of wrt) or pass { unconnected: 'zeros' }.`,
  );
}

/** Gradient contributions per value, summed once with an Add chain (named `grad/<value>`). */
class Accumulator {
  private readonly parts = new Map<string, Value[]>();
  private readonly totals = new Map<string, Value>();
  constructor(
    private readonly g: Graph,
    private readonly wrt: ReadonlySet<string>,
  ) {}

  add(v: Value, contribution: Value): void {
    if (this.totals.has(v.name))
      throw new AutodiffError(`internal: gradient of '${v.name}' was read before all its uses were visited.`);
    const list = this.parts.get(v.name) ?? [];
    list.push(contribution);
    this.parts.set(v.name, list);
  }

  total(v: Value): Value | undefined {
    const done = this.totals.get(v.name);
    if (done) return done;
    const list = this.parts.get(v.name);
    if (!list) return undefined;
    const g = this.g;
    let sum = list[0]!;
    for (let i = 1; i < list.length; i++) {
      const last = i === list.length - 1;
      const spec = { dtype: v.dtype, shape: v.shape, ...(last ? { name: g.uniqueName(`grad/${v.name}`) } : {}) };
      sum = g.addNode('Add', [sum, list[i]!], [spec])[0]!;
    }
    if (list.length === 1 && this.wrt.has(v.name)) {
      // wrt gradients always carry the documented name.
      sum = g.addNode(
        'Identity',
        [sum],
        [{ dtype: v.dtype, shape: v.shape, name: g.uniqueName(`grad/${v.name}`) }],
      )[0]!;
    }
    this.totals.set(v.name, sum);
    return sum;
  }
}

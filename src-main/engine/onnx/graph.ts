import type { AnyTypedArray, DType } from './dtype';
import { typedArrayFrom } from './dtype';
import { GraphBuildError } from './errors';
import type { Shape } from './shape';

/** A named tensor value in a graph: its element type and (possibly symbolic) shape. */
export interface Value {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: Shape;
}

/** Constant tensor contents (initializers, constant attributes). */
export interface TensorData {
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly data: AnyTypedArray;
}

/** A node attribute, tagged with its ONNX attribute type. */
export type Attr =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'tensor'; readonly value: TensorData };

export type Attrs = Readonly<Record<string, Attr>>;

/** One operator application. A null input is an omitted optional input (written as ''). */
export interface Node {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly (Value | null)[];
  readonly outputs: readonly Value[];
  readonly attrs: Attrs;
}

/** Spec of a node output: its type, shape and optional name hint. */
export interface OutputSpec {
  readonly dtype: DType;
  readonly shape: Shape;
  readonly name?: string;
}

export const attr = {
  int: (value: number): Attr => ({ kind: 'int', value }),
  float: (value: number): Attr => ({ kind: 'float', value }),
  ints: (value: readonly number[]): Attr => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): Attr => ({ kind: 'floats', value }),
  string: (value: string): Attr => ({ kind: 'string', value }),
  tensor: (value: TensorData): Attr => ({ kind: 'tensor', value }),
};

const DEDUP_MAX_ELEMENTS = 64;

/**
 * A typed ONNX graph under construction. Values are created by graph inputs, initializers and op
 * functions (ops/*), which check dtypes and shapes as nodes are added so that mistakes fail at build time
 * with the op and value names. Names are unique; scopes prefix generated names (`enc.l0.attn/MatMul`).
 */
export class Graph {
  private readonly nodeList: Node[] = [];
  private readonly inputList: Value[] = [];
  private readonly outputList: Value[] = [];
  private readonly initializerMap = new Map<string, { value: Value; data: TensorData }>();
  private readonly producers = new Map<string, Node>();
  private readonly values = new Map<string, Value>();
  private readonly constantCache = new Map<string, Value>();
  private readonly scopes: string[] = [];
  private readonly nameCounts = new Map<string, number>();

  constructor(readonly name = 'graph') {}

  get nodes(): readonly Node[] {
    return this.nodeList;
  }
  get inputs(): readonly Value[] {
    return this.inputList;
  }
  get outputs(): readonly Value[] {
    return this.outputList;
  }
  get initializers(): readonly { readonly value: Value; readonly data: TensorData }[] {
    return [...this.initializerMap.values()];
  }

  /** The node that produces a value, or undefined for inputs and initializers. */
  producerOf(value: Value | string): Node | undefined {
    return this.producers.get(typeof value === 'string' ? value : value.name);
  }

  /** The stored data of an initializer, or undefined for any other value. */
  initializerData(value: Value | string): TensorData | undefined {
    return this.initializerMap.get(typeof value === 'string' ? value : value.name)?.data;
  }

  /** True for initializers (constants and frozen weights): they never get gradients. */
  isInitializer(value: Value | string): boolean {
    return this.initializerMap.has(typeof value === 'string' ? value : value.name);
  }

  /** Looks a value up by name. */
  value(name: string): Value | undefined {
    return this.values.get(name);
  }

  /** Runs fn with names prefixed by `prefix` (nested scopes join with '.'). */
  withScope<T>(prefix: string, fn: () => T): T {
    this.scopes.push(prefix);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  /** A fresh unique name derived from `base` inside the current scope. */
  uniqueName(base: string): string {
    const scoped = this.scopes.length > 0 ? `${this.scopes.join('.')}/${base}` : base;
    if (!this.values.has(scoped) && !this.nameCounts.has(scoped)) {
      this.nameCounts.set(scoped, 1);
      return scoped;
    }
    let n = this.nameCounts.get(scoped) ?? 1;
    let candidate = `${scoped}_${n}`;
    while (this.values.has(candidate)) candidate = `${scoped}_${++n}`;
    this.nameCounts.set(scoped, n + 1);
    return candidate;
  }

  /** Declares a graph input with an exact (unscoped) name. */
  input(name: string, dtype: DType, shape: Shape): Value {
    const value = this.register({ name, dtype, shape }, 'input');
    this.inputList.push(value);
    return value;
  }

  /** Adds a named initializer (a constant tensor stored in the model). */
  initializer(name: string, data: TensorData): Value {
    checkTensorData(name, data);
    const value = this.register({ name, dtype: data.dtype, shape: [...data.dims] }, 'initializer');
    this.initializerMap.set(name, { value, data });
    return value;
  }

  /** A constant tensor; small ones with equal contents are shared. */
  constant(data: TensorData, hint = 'const'): Value {
    checkTensorData(hint, data);
    const key = data.data.length <= DEDUP_MAX_ELEMENTS ? constantKey(data) : undefined;
    const cached = key === undefined ? undefined : this.constantCache.get(key);
    if (cached) return cached;
    const value = this.initializer(this.uniqueNameUnscoped(`const/${hint}`), data);
    if (key !== undefined) this.constantCache.set(key, value);
    return value;
  }

  /** A rank-0 constant of the given dtype. */
  scalar(x: number, dtype: DType): Value {
    return this.constant({ dtype, dims: [], data: typedArrayFrom(dtype, [x]) }, `${dtype}_${x}`);
  }

  /** A 1-D int64 constant (shapes, axes, slice bounds: constants, so every EP reads them on the host). */
  int64s(values: readonly number[]): Value {
    return this.constant({ dtype: 'int64', dims: [values.length], data: typedArrayFrom('int64', values) }, 'i64');
  }

  /** Appends a node and returns its outputs. Op functions call this after checking their inputs. */
  addNode(
    opType: string,
    inputs: readonly (Value | null)[],
    outputs: readonly OutputSpec[],
    attrs: Attrs = {},
    domain = '',
  ): Value[] {
    for (const input of inputs) {
      if (input && this.values.get(input.name) !== input) {
        throw new GraphBuildError(opType, `input '${input.name}' does not belong to this graph.`);
      }
    }
    const nodeName = this.uniqueName(opType);
    const outs = outputs.map((spec, i) =>
      this.register(
        {
          name: spec.name ?? (outputs.length === 1 ? nodeName : `${nodeName}:${i}`),
          dtype: spec.dtype,
          shape: spec.shape,
        },
        'node output',
      ),
    );
    const node: Node = { name: nodeName, opType, domain, inputs, outputs: outs, attrs };
    this.nodeList.push(node);
    for (const out of outs) this.producers.set(out.name, node);
    return outs;
  }

  /** Marks a value as a graph output, under `name` if given (adds an Identity when renaming). */
  output(value: Value, name?: string): Value {
    let out = value;
    if (name !== undefined && name !== value.name) {
      out = this.addNode('Identity', [value], [{ dtype: value.dtype, shape: value.shape, name }])[0]!;
    } else if (this.outputList.some((o) => o.name === value.name)) {
      throw new GraphBuildError('output', `'${value.name}' is already a graph output.`);
    }
    this.outputList.push(out);
    return out;
  }

  private uniqueNameUnscoped(base: string): string {
    let n = this.nameCounts.get(base) ?? 0;
    let candidate = n === 0 ? base : `${base}_${n}`;
    while (this.values.has(candidate)) candidate = `${base}_${++n}`;
    this.nameCounts.set(base, n + 1);
    return candidate;
  }

  private register(value: Value, what: string): Value {
    if (value.name === '') throw new GraphBuildError(what, 'a value needs a non-empty name.');
    if (this.values.has(value.name)) {
      throw new GraphBuildError(
        what,
        `the name '${value.name}' is already used in graph '${this.name}'; pick another.`,
      );
    }
    const frozen: Value = Object.freeze({
      name: value.name,
      dtype: value.dtype,
      shape: Object.freeze([...value.shape]),
    });
    this.values.set(frozen.name, frozen);
    return frozen;
  }
}

function checkTensorData(name: string, data: TensorData): void {
  const expected = data.dims.reduce((a, b) => a * b, 1);
  if (data.data.length !== expected) {
    throw new GraphBuildError(
      'initializer',
      `'${name}' has ${data.data.length} elements but dims [${data.dims.join(', ')}] need ${expected}.`,
    );
  }
}

function constantKey(data: TensorData): string {
  return `${data.dtype}|${data.dims.join(',')}|${Array.from(data.data as ArrayLike<number | bigint>, String).join(',')}`;
}

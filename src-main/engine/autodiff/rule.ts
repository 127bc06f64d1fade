import type { Graph, Node, TensorData, Value } from '../onnx';

/**
 * What a gradient rule sees for one forward node. Rules return one gradient (or null) per node input;
 * gradients may keep the output's broadcast shape: the walker undoes broadcasting once ("unbroadcast").
 */
export interface GradContext {
  readonly g: Graph;
  readonly node: Node;
  /** Gradient of the loss w.r.t. the node's (single) output. */
  readonly dy: Value;
  /** The node's input i (throws when the optional input is absent). */
  input(i: number): Value;
  /** The node's output 0 (rules may reuse it, e.g. Exp, Sigmoid, Softmax). */
  readonly y: Value;
  /** True when input i needs a gradient; rules build nothing for the other inputs (no dead nodes). */
  needs(i: number): boolean;
  /** Integer contents of a constant input (axes, shapes, bounds), or undefined when absent/not constant. */
  constInts(i: number): readonly number[] | undefined;
  /** Contents of a constant input, or undefined. */
  constData(i: number): TensorData | undefined;
  attrInt(name: string, fallback: number): number;
  attrFloat(name: string, fallback: number): number;
  attrInts(name: string): readonly number[] | undefined;
}

/** One gradient (or null: none) per forward input. */
export type GradRule = (ctx: GradContext) => readonly (Value | null)[];

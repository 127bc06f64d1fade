import type { GatherGradient } from '../autodiff';
import type { DropoutSiteInfo } from '../dropout';
import type { Graph, Shape, Value } from '../onnx';
import type { AdamWConfig } from '../optim';

// The specs and layouts of step graphs, shared by build.ts, accumulation.ts and parts.ts (and the runtime).

/** A parameter the optimizer updates; `decay` marks weights that get weight decay (>= 2-D, not LayerNorm). */
export interface TrainableSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly decay: boolean;
  /** Step-size multiplier for this parameter (AdamWParam.lrScale; default 1). */
  readonly lrScale?: number;
}

/** A parameter fed as an input but never updated (no gradient is built for it). */
export interface FrozenSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

/** What a forward builder returns: the scalar loss and optional extra outputs (logits, loss parts). */
export interface ForwardResult {
  readonly loss: Value;
  readonly outputs?: Readonly<Record<string, Value>>;
}

/** Builds the forward pass on `g` from parameter Values; declares its own batch inputs with g.input. */
export type ForwardBuilder = (g: Graph, params: ReadonlyMap<string, Value>) => ForwardResult;

export type TrainingDType = 'float32' | 'float64';

export interface TrainingGraphSpec {
  readonly forward: ForwardBuilder;
  readonly trainable: readonly TrainableSpec[];
  readonly frozen?: readonly FrozenSpec[];
  readonly adamw: AdamWConfig;
  /** Global gradient-norm clip threshold; null disables clipping. */
  readonly clipNorm: number | null;
  readonly dtype?: TrainingDType;
  readonly name?: string;
  /**
   * How gradients reach embedding tables (Gather): 'scatter' (default: ScatterND add) or 'one-hot' (a
   * one-hot Gemm, for DirectML, which has no scatter with reduction; small tables only, so freeze a word
   * table there). See autodiff's GradOptions.gatherGradient.
   */
  readonly embeddingGradient?: GatherGradient;
  /**
   * Trainable tables (by name) that get lazy AdamW updates: only the rows the batch gathers are read, updated
   * and written back (LazyAdam semantics, lazy-rows.ts). Each must be read by exactly one Gather (axis 0) of an
   * int64 batch input. Single-step graphs only: buildAccumulationGraphs refuses it.
   */
  readonly lazyRows?: readonly string[];
}

/**
 * A table updated lazily (TrainingGraphSpec.lazyRows) and the two inputs the runtime derives from the batch's
 * ids: the distinct ids `rowsInput` [U] and, per id position, its index into them `inverseInput` (the ids' shape).
 */
export interface LazyRowsLayout {
  readonly param: string;
  /** The batch input whose ids select the rows (e.g. input_ids). */
  readonly idsInput: string;
  readonly rowsInput: string;
  readonly inverseInput: string;
  /** Rows of the table: every id must be below it. */
  readonly tableRows: number;
}

/** Graph input/output names by role, so the runtime never guesses from name patterns. */
export interface TrainingGraphLayout {
  readonly dtype: TrainingDType;
  /** Trainable parameters in update order, with shapes and decay flags. */
  readonly trainable: readonly TrainableSpec[];
  readonly frozen: readonly FrozenSpec[];
  /** Inputs the forward builder declared (input_ids, labels, masks ...), with their declared shapes. */
  readonly batchInputs: readonly { readonly name: string; readonly dtype: string; readonly shape: Shape }[];
  readonly scalarInputs: { readonly lr: string; readonly biasCorrection1: string; readonly biasCorrection2: string };
  readonly dropout: readonly DropoutSiteInfo[];
  readonly lossOutput: string;
  readonly gradNormOutput: string;
  /** Extra forward outputs (name in the graph). */
  readonly extraOutputs: readonly string[];
  /**
   * The update is a no-op for a non-finite step and runs after every gradient (AdamWFragmentOptions
   * .guardNonFinite), so the runtime may write the updated parameters and moments over their inputs.
   */
  readonly inPlaceUpdates: boolean;
  /** Tables with lazy row updates, whose row inputs the runtime computes from the batch (absent: none). */
  readonly lazyRows?: readonly LazyRowsLayout[];
}

export interface TrainingGraph {
  readonly graph: Graph;
  readonly bytes: Uint8Array;
  readonly layout: TrainingGraphLayout;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Trainable parameter names in update order (the order of `${p}.new` outputs). */
  readonly paramOrder: readonly string[];
}

export interface EvalGraphSpec {
  readonly forward: (g: Graph, params: ReadonlyMap<string, Value>) => Readonly<Record<string, Value>>;
  readonly params: readonly FrozenSpec[];
  readonly dtype?: TrainingDType;
  readonly name?: string;
}

export interface EvalGraph {
  readonly graph: Graph;
  readonly bytes: Uint8Array;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
}

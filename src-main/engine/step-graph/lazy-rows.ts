import { type Graph, op, type Value } from '../onnx';
import { TrainingGraphError } from './errors';
import type { LazyRowsLayout, TrainableSpec } from './types';

// Lazy row updates of embedding tables (TrainingGraphSpec.lazyRows): the gradient is built at [U, H] for the
// batch's U distinct ids instead of the whole table, and AdamW touches only those rows (optim/adamw.ts).

/** A lazily updated table as wired into a graph: its row inputs and the forward's Gather of it. */
export interface LazyTable {
  readonly layout: LazyRowsLayout;
  /** The table's graph input. */
  readonly table: Value;
  /** int64 [U]: the distinct ids of the batch. */
  readonly rows: Value;
  /** int64, the ids' shape: each id's index into `rows`. */
  readonly inverse: Value;
  /** The forward's Gather output (ids' shape + the row shape): the gradient is taken w.r.t. it. */
  readonly gathered: Value;
}

/** Graph names of a lazy table's row inputs. */
export function lazyRowsNames(param: string): { readonly rows: string; readonly inverse: string } {
  return { rows: `${param}.rows`, inverse: `${param}.row_of_id` };
}

/**
 * After the forward is built: finds the one Gather that reads each lazy table and declares its row inputs.
 * Refuses a table that is not trainable, is read elsewhere, or is gathered by something other than a batch
 * input of int64 ids (the runtime derives the rows from that input).
 */
export function declareLazyTables(
  g: Graph,
  names: readonly string[],
  params: ReadonlyMap<string, Value>,
  trainable: readonly TrainableSpec[],
): LazyTable[] {
  return names.map((name) => {
    const spec = trainable.find((p) => p.name === name);
    if (!spec) {
      throw new TrainingGraphError(
        `lazy row updates for '${name}': it is not a trainable parameter of this graph; list a trainable table, or leave lazyRows out.`,
      );
    }
    const table = params.get(name)!;
    const readers = g.nodes.filter((n) => n.inputs.some((v) => v?.name === name));
    const gather = readers[0];
    const axis = gather?.attrs['axis'];
    if (
      readers.length !== 1 ||
      gather!.opType !== 'Gather' ||
      gather!.inputs[0]?.name !== name ||
      (axis?.kind === 'int' && axis.value !== 0)
    ) {
      throw new TrainingGraphError(
        `lazy row updates for '${name}': the forward must read it with exactly one Gather along axis 0, found ${readers.map((n) => `${n.opType} '${n.name}'`).join(', ') || 'no reader'}; use dense updates for this table.`,
      );
    }
    const ids = gather!.inputs[1]!;
    if (ids.dtype !== 'int64' || !g.inputs.includes(ids)) {
      throw new TrainingGraphError(
        `lazy row updates for '${name}': its Gather's ids '${ids.name}' must be an int64 graph input (the runtime computes the rows from it), got ${ids.dtype}${g.inputs.includes(ids) ? '' : ' computed in the graph'}.`,
      );
    }
    const inputNames = lazyRowsNames(name);
    const rows = g.input(inputNames.rows, 'int64', [`rows:${name}`]);
    const inverse = g.input(inputNames.inverse, 'int64', ids.shape);
    return {
      layout: {
        param: name,
        idsInput: ids.name,
        rowsInput: rows.name,
        inverseInput: inverse.name,
        tableRows: spec.shape[0]!,
      },
      table,
      rows,
      inverse,
      gathered: gather!.outputs[0]!,
    };
  });
}

/**
 * The gradient of the table's rows `rows` [U, ...]: the gradient of the gathered values summed onto the row
 * each id points at (ScatterND add into zeros of [U, ...], never into the whole table).
 */
export function rowGradient(g: Graph, t: LazyTable, dGathered: Value): Value {
  const rowShape = t.table.shape.slice(1) as readonly number[];
  const zerosShape = op.concat(g, [op.shapeOf(g, t.rows), g.int64s(rowShape)], 0);
  const zeros = op.expand(g, g.scalar(0, t.table.dtype), zerosShape, [t.rows.shape[0]!, ...rowShape]);
  return op.scatterND(g, zeros, op.unsqueeze(g, t.inverse, [-1]), dGathered, 'add');
}

/**
 * Wiring of "Pre-annotate with run…" (services/preannotate) to the contract's `annotate.preannotate`. On top
 * of the service: the scope (filtered list, all pending, or ids) becomes example ids; progress events and
 * cancelling come from observing the predictor. The service itself stores the class predictions, in the same
 * undoable edit as the spans.
 */
import { z } from 'zod';
import type { PreannotateOutcome } from '../../../src-preload/contract';
import type { TextPrediction } from '../../engine/infer';
import type { Db } from '../../store/db';
import { getDataset } from '../../store/repos/datasets';
import { queryExamples } from '../../store/repos/query';
import type { DbHandle } from '../app/db';
import { datasetId as brandDatasetId, defineMethod, parseInput, ServiceError, type MethodSlice } from '../api';
import { ListExamplesInput } from '../datasets';
import { predictorCache, PredictorCache, type LoadedModel } from '../playground/cache';
import { preannotate } from '.';
import { IdSchema } from '../projects/ids';

/** The service's own limit on example ids per call (one undoable edit). */
export const MAX_PREANNOTATE_EXAMPLES = 5000;
/** Texts per predictor call: small enough for live progress and a prompt cancel, large enough to batch well. */
const CHUNK = 128;

// The filter's fields are checked by the list's own schema (ListExamplesInput) in the handler.
const Scope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('filtered'), filter: z.object({}).loose() }),
  z.object({ kind: z.literal('all-pending') }),
  z.object({ kind: z.literal('examples'), exampleIds: z.array(IdSchema).min(1).max(MAX_PREANNOTATE_EXAMPLES) }),
]);
type Scope = z.output<typeof Scope>;

export const PreannotateRequest = z.object({
  runId: IdSchema,
  datasetId: IdSchema,
  scope: Scope,
  minConfidence: z.number().min(0).max(1).default(0),
  onFewer: z.enum(['replace', 'ask']).default('replace'),
});

/** Watches a pre-annotation's predictions: progress and cancelling. */
interface Watch {
  readonly signal: AbortSignal;
  readonly onProgress: (done: number, total: number) => void;
}

/**
 * A PredictorCache that lends the shared cache's models with `batchPredict` split into chunks, so the service's
 * single batch prediction reports progress and stops between chunks when cancelled.
 */
class WatchedCache extends PredictorCache {
  constructor(
    private readonly inner: PredictorCache,
    private readonly watch: Watch,
  ) {
    super(0);
  }

  override use<T>(dir: string, fn: (model: LoadedModel) => Promise<T>): Promise<T> {
    return this.inner.use(dir, (m) => fn(watched(m, this.watch)));
  }
}

function watched(m: LoadedModel, watch: Watch): LoadedModel {
  return { ...m, batchPredict: chunked(m.batchPredict, watch) };
}

/** `predict` run in chunks that report progress and stop at a cancel between chunks. */
function chunked(
  target: (texts: readonly unknown[]) => Promise<TextPrediction[]>,
  watch: Watch,
): (texts: readonly unknown[]) => Promise<TextPrediction[]> {
  return async (texts) => {
    const out: TextPrediction[] = [];
    watch.onProgress(0, texts.length);
    for (let at = 0; at < texts.length; at += CHUNK) {
      if (watch.signal.aborted) {
        throw new ServiceError('cancelled', 'Pre-annotation cancelled before anything was written; nothing changed.');
      }
      const chunk = texts.slice(at, at + CHUNK);
      out.push(...(await target(chunk)));
      watch.onProgress(out.length, texts.length);
    }
    return out;
  };
}

/** The ids of the dataset's examples in `scope`, in list order; refuses more than the service takes. */
export function scopeExampleIds(db: Db, datasetId: number, scope: Scope): readonly number[] {
  let ids: readonly number[];
  if (scope.kind === 'examples') {
    const inDataset = db.prepare<[number, number], { id: number }>(
      'SELECT id FROM examples WHERE id = ? AND dataset_id = ?',
    );
    const foreign = scope.exampleIds.find((id) => inDataset.get(id, datasetId) === undefined);
    if (foreign !== undefined) {
      throw new ServiceError(
        'invalid_input',
        `Example ${foreign} is not in dataset "${getDataset(db, datasetId).name}"; refresh the list and choose examples of this dataset.`,
      );
    }
    ids = scope.exampleIds;
  } else {
    const filter = scope.kind === 'all-pending' ? { status: 'pending' } : scope.filter;
    // Extra fields (order, offset, limit) are ignored by queryExamples.
    const parsed = parseInput(ListExamplesInput, { ...filter, datasetId, offset: 0, limit: 1 }, 'pre-annotate filter');
    const page = queryExamples(db, parsed, 'line', 0, MAX_PREANNOTATE_EXAMPLES + 1);
    ids = page.items.map((e) => e.id);
    if (page.total > MAX_PREANNOTATE_EXAMPLES) {
      throw new ServiceError(
        'invalid_input',
        `${page.total.toLocaleString('en-US')} examples match, more than the ${MAX_PREANNOTATE_EXAMPLES.toLocaleString('en-US')} one pre-annotation takes (it is one undoable edit); narrow the list with a filter (split, class, status or text) and run it on each part.`,
      );
    }
  }
  return ids;
}

type PreannotateMethods = 'annotate.preannotate' | 'annotate.cancelPreannotate';

/** Optional hooks for tests: the predictor cache to use instead of the process-wide one. */
export interface PreannotateDeps {
  readonly cache?: PredictorCache;
}

/** Builds the pre-annotation methods over the database in `db`. */
export function preannotateMethods(db: DbHandle, deps: PreannotateDeps = {}): MethodSlice<PreannotateMethods> {
  // Running pre-annotations by dataset: a second start is refused, a cancel finds the first.
  const running = new Map<number, AbortController>();
  return {
    'annotate.preannotate': defineMethod(
      'annotate.preannotate',
      PreannotateRequest,
      async (input, ctx): Promise<PreannotateOutcome> => {
        const { runId, datasetId, scope, minConfidence, onFewer } = input;
        if (running.has(datasetId)) {
          throw new ServiceError(
            'conflict',
            `A pre-annotation is already running on dataset "${getDataset(db.get(), datasetId).name}"; wait for it or cancel it.`,
          );
        }
        const started = performance.now();
        const ids = scopeExampleIds(db.get(), datasetId, scope);
        if (ids.length === 0) {
          const none = { reviewed: 0, settled: 0, rejected: 0, lowConfidence: 0 };
          return {
            examples: 0,
            spansAdded: 0,
            spansReplaced: 0,
            skipped: none,
            classesStored: 0,
            undoable: false,
            applied: true,
            seconds: 0,
          };
        }
        const abort = new AbortController();
        running.set(datasetId, abort);
        const onProgress = (done: number, total: number): void =>
          ctx.emit({ type: 'annotate.preannotate', datasetId: brandDatasetId(datasetId), progress: { done, total } });
        const cache = new WatchedCache(deps.cache ?? predictorCache, { signal: abort.signal, onProgress });
        try {
          // Built here, not parsed by the dispatcher: every field is already valid (ids from the scope).
          const request = { runId, exampleIds: [...ids], minConfidence, skipReviewed: true, onFewer };
          const r = await preannotate(db.get(), request, { cache });
          return {
            examples: r.examples,
            spansAdded: r.added,
            spansReplaced: r.removedSilver + r.removedModel,
            skipped: r.skipped,
            classesStored: r.classesStored,
            undoable: r.logEntryId !== null,
            applied: r.applied,
            seconds: (performance.now() - started) / 1000,
          };
        } finally {
          running.delete(datasetId);
        }
      },
    ),
    'annotate.cancelPreannotate': defineMethod(
      'annotate.cancelPreannotate',
      z.object({ datasetId: IdSchema }),
      async ({ datasetId }) => {
        const abort = running.get(datasetId);
        abort?.abort();
        return { cancelled: abort !== undefined };
      },
    ),
  };
}

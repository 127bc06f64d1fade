/** Wiring of dataset health (services/health) to the contract: check, latest stored check, accept a finding. */
import type { Db } from '../../store/db';
import { datasetId as brandDatasetId, defineMethod, exampleId, ServiceError, type MethodSlice } from '../api';
import type { DbHandle } from '../app/db';
import {
  AcceptFindingInput,
  acceptFinding,
  CheckDatasetInput,
  checkDataset,
  DatasetIdInput,
  latestDatasetHealth,
  type DatasetHealth,
} from './dataset';
import type { HealthReport } from './report';

type HealthMethods = 'health.check' | 'health.latest' | 'health.accept';

/** Builds the `health.*` methods over the database in `db`. */
export function healthMethods(db: DbHandle): MethodSlice<HealthMethods> {
  const running = new Set<number>();
  return {
    'health.check': defineMethod('health.check', CheckDatasetInput, async (input, ctx) => {
      if (running.has(input.datasetId)) {
        throw new ServiceError(
          'conflict',
          `A health check of dataset ${input.datasetId} is already running; wait for it to finish.`,
        );
      }
      running.add(input.datasetId);
      try {
        const done = await checkDataset(db.get(), input, {
          onEvent: (e) => ctx.emit({ type: 'health.progress', datasetId: brandDatasetId(input.datasetId), ...e }),
        });
        return info(db.get(), done);
      } finally {
        running.delete(input.datasetId);
      }
    }),
    'health.latest': defineMethod('health.latest', DatasetIdInput, async (input) => {
      const h = latestDatasetHealth(db.get(), input);
      return h ? info(db.get(), h) : null;
    }),
    'health.accept': defineMethod('health.accept', AcceptFindingInput, async (input) => ({
      exampleId: exampleId(acceptFinding(db.get(), input).exampleId),
    })),
  };
}

/** The contract's shape, with the text and current label of every example a finding names. */
function info(db: Db, h: DatasetHealth) {
  return {
    id: h.id,
    datasetId: brandDatasetId(h.datasetId),
    modelPath: h.modelPath,
    createdAt: h.createdAt,
    stale: h.stale,
    report: h.report,
    examples: namedExamples(db, h.report),
  };
}

// Only the examples findings name, so a large dataset's report stays small on the wire.
function namedExamples(db: Db, r: HealthReport): Record<number, { text: string; classLabel: string | null }> {
  const ids = new Set<number>([
    ...r.labelErrors.map((e) => e.line),
    ...r.exactDuplicates.flatMap((g) => g.lines),
    ...r.nearDuplicates.flatMap((p) => [p.a, p.b]),
    ...r.labelConflicts.flatMap((c) => c.lines),
    ...r.leakage.flatMap((l) => [l.devLine, l.trainLine]),
    ...r.lengthOutliers.map((o) => o.line),
    ...r.nerDisagreements.map((d) => d.line),
  ]);
  const get = db.prepare<[number], { text: string; classLabel: string | null }>(
    'SELECT text, class_label AS classLabel FROM examples WHERE id = ?',
  );
  const out: Record<number, { text: string; classLabel: string | null }> = {};
  for (const id of ids) {
    const row = get.get(id);
    if (row) out[id] = row; // an example deleted since (dataset re-imported) is simply not shown
  }
  return out;
}

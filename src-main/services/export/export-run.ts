// Export a run's best checkpoint as a parity-checked bundle into a folder the user chose.
import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { z } from 'zod';
import {
  ExportParityError,
  ExportPathError,
  exportCheckpoint,
  InferenceError,
  type Int8Drift,
  type ParityResult,
} from '../../engine/infer';
import type { Db } from '../../store/db';
import { addArtifact, appendMetrics, getRun } from '../../store/repos/runs';
import type { Artifact, Run } from '../../store/types';
import { resolveExportPath } from '../datasets/paths';
import { ServiceError } from '../api/errors';
import { IdSchema } from '../projects/ids';
import { folderDigest, runCheckpointDir } from '../train/artifacts';
import { compareRuns } from '../train/curves';

export const ExportRunInput = z.object({
  runId: IdSchema,
  /** Absolute path of an existing folder the user chose; the bundle becomes a new folder inside it. */
  folder: z.string().min(1),
  /** Bundle folder name inside `folder` (default "<run name>-run<id>"); may not leave `folder`. */
  name: z.string().min(1).max(200).optional(),
  /** Replace an existing bundle folder of that name (only after the new one passed its checks). */
  overwrite: z.boolean().default(false),
  /** Also write int8 graphs beside the fp32 ones (model/quantize.ts), checked the same way. */
  int8: z.boolean().default(false),
});
export type ExportRunInput = z.output<typeof ExportRunInput>;

export interface RunExport {
  readonly runId: number;
  readonly outDir: string;
  /** Bundle-relative file names. */
  readonly files: readonly string[];
  /** Largest difference per compared output between the exported graphs and the in-app predictor. */
  readonly parity: readonly ParityResult[];
  readonly worstParity: number;
  readonly artifact: Artifact;
  readonly int8Drift?: Int8Drift;
}

/** Exports the run's best checkpoint via exportCheckpoint, recording the bundle as an artifact and its parity as metrics. */
export async function exportRun(db: Db, input: ExportRunInput): Promise<RunExport> {
  const { runId, folder, name, overwrite, int8 } = input;
  const run = getRun(db, runId);
  const checkpoint = runCheckpointDir(db, runId);
  const target = resolveExportPath(folder, name ?? defaultName(run));
  if (existsSync(target) && !overwrite) {
    throw new ServiceError(
      'conflict',
      `${target} already exists; choose another name or export with overwrite to replace it.`,
    );
  }
  mkdirSync(dirname(target), { recursive: true });
  const report = await withEngineErrors(() =>
    exportCheckpoint(checkpoint, target, modelCard(db, run), { overwrite, int8 }),
  );
  const worstParity = Math.max(...report.parity.map((p) => p.maxAbsDiff));
  const artifact = addArtifact(db, { runId, kind: 'export', path: report.outDir, ...folderDigest(report.outDir) });
  appendMetrics(db, runId, [
    { step: 0, epoch: 0, split: 'export', name: 'parity.maxAbsDiff', value: worstParity },
    ...report.parity.map((p) => ({
      step: 0,
      epoch: 0,
      split: 'export',
      name: `parity.maxAbsDiff:${p.file}:${p.output}`,
      value: p.maxAbsDiff,
    })),
  ]);
  return {
    runId,
    outDir: report.outDir,
    files: report.files,
    parity: report.parity,
    worstParity,
    artifact,
    ...(report.int8Drift && { int8Drift: report.int8Drift }),
  };
}

const StoredCounts = z.looseObject({ counts: z.looseObject({ train: z.int(), dev: z.int() }) });

function defaultName(run: Run): string {
  const slug = run.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'model';
  return `${slug}-run${run.id}`;
}

function modelCard(
  db: Db,
  run: Run,
): { name: string; baseModel: string; data: string; preset: string; metrics: Record<string, number> } {
  const [summary] = compareRuns(db, { runIds: [run.id] }).runs;
  const metrics: Record<string, number> = {};
  for (const [name, point] of Object.entries(summary!.best)) {
    if (point.value !== null && !name.startsWith('loss')) metrics[`dev ${name}`] = point.value;
  }
  const stored = StoredCounts.safeParse(run.config);
  const snapshot = `data snapshot ${run.dataHash.slice(0, 12)}`;
  const data = stored.success
    ? `${stored.data.counts.train} train and ${stored.data.counts.dev} dev examples (gold and silver labels; ${snapshot}).`
    : `${snapshot}.`;
  return { name: run.name, baseModel: basename(run.modelPath), data, preset: run.preset, metrics };
}

// Engine errors carry actionable messages; give them the service error codes the transports understand.
async function withEngineErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof ExportPathError) throw new ServiceError('path_rejected', err.message, undefined, { cause: err });
    if (err instanceof InferenceError) throw new ServiceError('invalid_input', err.message, undefined, { cause: err });
    if (err instanceof ExportParityError) throw new ServiceError('internal', err.message, undefined, { cause: err });
    throw err;
  }
}

// `mts health`: the checks over files (train, optional dev) with a base model and/or a run.
import { z } from 'zod';
import { checkpointDir } from '../pipeline';
import { analyseHealth, HealthSettings, type HealthRuntime } from './analyse';
import { readDataRows } from './read';
import type { HealthReport } from './report';

export const HealthFilesInput = HealthSettings.extend({
  data: z.string().min(1),
  dev: z.string().min(1).optional(),
  /** A base model folder (or checkpoint) whose frozen encoder embeds the texts. */
  model: z.string().min(1).optional(),
  /** A run folder (with best/) or checkpoint: its classifier scores dev; it embeds when no model is given. */
  run: z.string().min(1).optional(),
});
export type HealthFilesInput = z.output<typeof HealthFilesInput>;

/** Reads the files and runs every check they allow. */
export async function checkFiles(input: HealthFilesInput, rt: HealthRuntime = {}): Promise<HealthReport> {
  const t0 = performance.now();
  const train = await readDataRows(input.data);
  const dev = input.dev !== undefined ? await readDataRows(input.dev) : undefined;
  const readSeconds = (performance.now() - t0) / 1000;
  const runDir = input.run !== undefined ? checkpointDir(input.run) : undefined;
  const encoderDir = input.model ?? runDir;
  return analyseHealth(
    {
      train: { path: input.data, rows: train.rows, unreadableRows: train.skipped.length },
      ...(dev && { dev: { path: input.dev!, rows: dev.rows, unreadableRows: dev.skipped.length } }),
      ...(encoderDir !== undefined && { encoderDir }),
      ...(runDir !== undefined && { classifierDir: runDir }),
    },
    input,
    rt,
    readSeconds,
  );
}

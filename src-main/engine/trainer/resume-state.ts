import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { fsyncDir, readSafetensors, serializeSafetensors } from '../model';
import { BEFORE_OPTION_EXISTED, DEFAULT_CHANGED } from './config-hash';
import type { TrainingState } from '../runtime';

/** Parameter shapes by name (the safetensors files need them). */
export type ParamShapes = ReadonlyMap<string, readonly number[]>;

/** Where a run stands between two steps: enough to continue exactly as an uninterrupted run would. */
export const resumeInfoSchema = z.object({
  version: z.literal(1),
  configHash: z.string(),
  step: z.number().int().nonnegative(),
  epoch: z.number().int().nonnegative(),
  /** Batches of `epoch` already taken. */
  batchInEpoch: z.number().int().nonnegative(),
  earlyStopping: z.object({
    /** The metric bestValue is of; absent in states saved before it was stored (select-metric.ts: resumedMetric). */
    metric: z.string().optional(),
    bestValue: z.number().nullable(),
    bestStep: z.number().int(),
    badEvals: z.number().int(),
  }),
  elapsedSec: z.number().nonnegative(),
});
export type ResumeInfo = z.infer<typeof resumeInfoSchema>;

/** A resume folder that cannot be used; says why and what to do. */
export class ResumeError extends Error {
  override readonly name = 'ResumeError';
}

function tensors(
  map: ReadonlyMap<string, Float32Array | Float64Array>,
  shapes: ParamShapes,
): { name: string; shape: number[]; data: Float32Array }[] {
  return [...map].map(([name, data]) => ({
    name,
    shape: [...shapes.get(name)!],
    data: data instanceof Float32Array ? data : Float32Array.from(data),
  }));
}

/**
 * Writes params, AdamW moments and the resume info into `dir` atomically: a temp sibling is filled and
 * fsynced, then swapped in, so a kill at any moment leaves the previous resume folder usable.
 */
export function saveResumeState(dir: string, state: TrainingState, info: ResumeInfo, shapes: ParamShapes): void {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${basename(dir)}.tmp-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(tmp);
  try {
    writeDurably(join(tmp, 'params.safetensors'), serializeSafetensors(tensors(state.params, shapes)));
    writeDurably(join(tmp, 'adam_m.safetensors'), serializeSafetensors(tensors(state.m, shapes)));
    writeDurably(join(tmp, 'adam_v.safetensors'), serializeSafetensors(tensors(state.v, shapes)));
    writeDurably(join(tmp, 'state.json'), JSON.stringify(info, null, 2));
    fsyncDir(tmp);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  const old = `${tmp}.old`;
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  fsyncDir(parent);
  rmSync(old, { recursive: true, force: true });
}

function writeDurably(path: string, data: string | Uint8Array): void {
  writeFileSync(path, data, { flush: true });
}

/**
 * Options added after a run folder was written keep, on resume, the value the run trained with: the old
 * behaviour, which the option's absence from its trainer-config.json records (a run is never switched to a
 * new default mid-way; its config hash would not match either); an option whose default changed keeps the
 * value that file records. Only options the caller left unset.
 */
export function settingsOfOlderRun(outDir: string, input: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const file = join(outDir, 'trainer-config.json');
  if (!existsSync(file)) return {};
  let saved: unknown;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // A damaged config says nothing about the run's options; the resume state's own hash check decides.
    return {};
  }
  if (typeof saved !== 'object' || saved === null) return {};
  const before: Record<string, unknown> = {};
  for (const [option, oldValue] of Object.entries(BEFORE_OPTION_EXISTED)) {
    if (!(option in saved) && input[option] === undefined) before[option] = oldValue;
  }
  for (const option of DEFAULT_CHANGED) {
    const value = (saved as Record<string, unknown>)[option];
    if (value !== undefined && input[option] === undefined) before[option] = value;
  }
  return before;
}

/** Reads a resume folder, or undefined when there is none. Refuses one written for another config. */
export function loadResumeState(
  dir: string,
  configHash: string,
): { state: TrainingState; info: ResumeInfo } | undefined {
  restoreSetAside(dir);
  if (!existsSync(join(dir, 'state.json'))) return undefined;
  const parsed = resumeInfoSchema.safeParse(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')));
  if (!parsed.success)
    throw new ResumeError(
      `${dir}/state.json is damaged (${parsed.error.issues[0]!.message}); delete ${dir} to start over.`,
    );
  const info = parsed.data;
  if (info.configHash !== configHash) {
    throw new ResumeError(
      `${dir} was written by a run with a different configuration; resume with the same options, or use a new output folder.`,
    );
  }
  const read = (file: string): Map<string, Float32Array> => {
    const f = readSafetensors(join(dir, file));
    return new Map([...f.tensors.keys()].map((name) => [name, f.float32(name)]));
  };
  return {
    state: {
      step: info.step,
      params: read('params.safetensors'),
      m: read('adam_m.safetensors'),
      v: read('adam_v.safetensors'),
    },
    info,
  };
}

/** If a crash hit between the two renames, the set-aside folder is the latest complete one. */
function restoreSetAside(dir: string): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (!existsSync(parent)) return;
  const prefix = `.${basename(dir)}.tmp-`;
  const old = readdirSync(parent)
    .filter((n) => n.startsWith(prefix) && n.endsWith('.old'))
    .sort()
    .pop();
  if (old) renameSync(join(parent, old), dir);
}

/**
 * `--record DIR`: each finished side of a quality run (ours or PyTorch, one variant, one seed) is written to
 * DIR as it lands and reused by a later bench:train with the same key, so a multi-seed measurement that
 * takes longer than one sitting (issue 15's 3 seeds x 3 AG News runs, ~4 h on 2 cores) can be finished by
 * running the same command again. The key hashes what decides the result: the batch file both sides read
 * (data, batch plan, seed, dropout), the trainer config, the side, and the source of the trainer, the data
 * code, the bench's own data preparation and the PyTorch reference script (CODE below); change any and the
 * record is retrained, never reused.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { log, ROOT } from './options';

/**
 * Folders and files whose source decides a quality result (tests excluded): what the trainer, the data
 * preparation and the PyTorch side run. engine/infer (prediction) is imported by none of them, so its changes
 * do not void a record.
 */
const CODE = [
  'src-main/engine',
  'src-main/data',
  'src-main/services/pipeline/read.ts',
  'scripts/ref/train_torch_ref.py',
  'bench/train/quality.ts',
  'bench/train/prepare.ts',
  'bench/train/options.ts',
];
const NOT_CODE = ['src-main/engine/infer'];

let codeHashMemo: string | undefined;

/** sha256 over the sorted paths and contents of CODE's source files. */
export function codeHash(): string {
  if (codeHashMemo !== undefined) return codeHashMemo;
  const files: string[] = [];
  const walk = (p: string): void => {
    if (NOT_CODE.some((x) => p === join(ROOT, x))) return;
    if (statSync(p).isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
    else if (/\.(ts|mjs|py)$/.test(p) && !/\.test\.ts$/.test(p)) files.push(p);
  };
  for (const c of CODE) walk(join(ROOT, c));
  const h = createHash('sha256');
  for (const f of files.sort()) h.update(relative(ROOT, f)).update('\0').update(readFileSync(f)).update('\0');
  return (codeHashMemo = h.digest('hex'));
}

interface Record<T> {
  readonly key: string;
  readonly label: string;
  readonly savedAt: string;
  readonly result: T;
}

/**
 * `run()`'s result, or the one recorded under `label` in `dir` when its key matches `keyParts` (+ codeHash).
 * Without a dir it just runs.
 */
export async function recorded<T>(
  dir: string | undefined,
  label: string,
  keyParts: unknown,
  run: () => Promise<T>,
): Promise<T> {
  if (!dir) return run();
  const key = createHash('sha256')
    .update(JSON.stringify({ keyParts, code: codeHash() }))
    .digest('hex');
  const file = join(dir, `${label}.json`);
  if (existsSync(file)) {
    const rec = JSON.parse(readFileSync(file, 'utf8')) as Record<T>;
    if (rec.key === key) {
      log(`${label}: reusing the result recorded ${rec.savedAt} (${file})`);
      return rec.result;
    }
    log(`${label}: the record in ${file} was made with other code, data or options; training again`);
  }
  const result = await run();
  mkdirSync(dir, { recursive: true });
  const rec: Record<T> = { key, label, savedAt: new Date().toISOString(), result };
  writeFileSync(file, JSON.stringify(rec));
  return result;
}

/** sha256 of a file's bytes (the batch file both sides train on). */
export function fileHash(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

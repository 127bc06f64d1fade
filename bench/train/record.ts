/**
 * `--record DIR`: each finished side of a quality run (ours or PyTorch, one variant, one seed) is written to
 * DIR as it lands and reused by a later bench:train whose keys match, so a multi-seed measurement that takes
 * longer than one sitting (issue 15's 3 seeds x 3 AG News runs, ~4 h on 2 cores) is finished by running the
 * same command again.
 *
 * A record holds two keys. `inputs` hashes what the side trains on (the batch file both sides read: data, batch
 * plan, seed, dropout; the trainer config; the side; whatever the caller adds). `code` hashes the source that
 * trains and scores that side, and only that side: for ours the engine (but prediction), the data code and the
 * pipeline's reader; for PyTorch its script. So a new bench option or report field voids nothing, and an engine
 * change voids only our side.
 *
 * An engine change that leaves a recorded run's numbers alone (resume, the feature cache, a default the bench
 * sets explicitly) can keep our records: with `--replay-steps K` a record whose inputs match but whose code does
 * not is reused when the current trainer, run again on the same inputs, reproduces the record's first K
 * per-step losses exactly and the scoring code (metrics, evaluation) is unchanged. That proves the first K
 * steps compute the same numbers, not the later ones: the report lists each record reused this way
 * (`records`), and a change that acts only late in training must not rely on it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { log, ROOT } from './options';

/** Which trainer made a record: ours (src-main) or the PyTorch reference script. */
export type Side = 'ours' | 'torch';

/** The source each side's results depend on (tests excluded). */
const SIDE_CODE: Readonly<Record<Side, readonly string[]>> = {
  ours: ['src-main/engine', 'src-main/data', 'src-main/services/pipeline/read.ts'],
  torch: ['scripts/ref/train_torch_ref.py'],
};
/** Dev scoring of our side: must be unchanged for a replayed record, since a replay does not reach it. */
const SCORING_CODE = [
  'src-main/engine/metrics',
  'src-main/engine/trainer/evaluate.ts',
  'src-main/engine/trainer/evaluation-hook.ts',
];
/** Before 2026-12-08 one key covered both sides and the bench's own data and option code. */
const LEGACY_CODE = [
  ...SIDE_CODE.ours,
  ...SIDE_CODE.torch,
  'bench/train/quality.ts',
  'bench/train/prepare.ts',
  'bench/train/options.ts',
];
/** Prediction: imported by no trainer, so its changes void no record. */
const NOT_CODE = ['src-main/engine/infer'];

/** sha256 over the sorted paths and contents of the source files under `paths` (relative to the repo root). */
export function sourceHash(paths: readonly string[], root = ROOT): string {
  const files: string[] = [];
  const walk = (p: string): void => {
    if (NOT_CODE.some((x) => p === join(root, x))) return;
    if (statSync(p).isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
    else if (/\.(ts|mjs|py)$/.test(p) && !/\.test\.ts$/.test(p)) files.push(p);
  };
  for (const c of paths) walk(join(root, c));
  const h = createHash('sha256');
  for (const f of files.sort()) h.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

/** sha256 of a value's JSON (undefined fields drop out). */
export const jsonHash = (x: unknown): string => createHash('sha256').update(JSON.stringify(x)).digest('hex');
const sha = jsonHash;

interface StoredRecord<T> {
  readonly version: 2;
  readonly label: string;
  readonly savedAt: string;
  readonly side: Side;
  readonly inputs: string;
  readonly code: string;
  /** Our side only: the scoring code's hash, which a replayed record must still match. */
  readonly scoring?: string;
  /** Set when the record was kept by a replay after a code change: when, and how many steps matched. */
  readonly replayed?: { readonly at: string; readonly steps: number; readonly codeWas: string };
  readonly result: T;
}

/** The one-key records written before the split (2026-12-07/08). */
interface LegacyRecord<T> {
  readonly key: string;
  readonly label: string;
  readonly savedAt: string;
  readonly result: T;
}

/** How a side's result was obtained, for the report's `records` list. */
export type RecordUse = 'trained' | 'reused' | 'upgraded' | `replayed ${number} steps`;

/** Our side's cheap check after a code change (--replay-steps). */
export interface Replay<T> {
  readonly steps: number;
  /** The per-step training losses stored in a record's result. */
  readonly lossesOf: (result: T) => readonly number[];
  /** Trains again on the same inputs, stopping after `steps` steps; returns those steps' losses. */
  readonly run: (steps: number) => Promise<readonly number[]>;
}

export interface RecordOptions<T> {
  readonly replay?: Replay<T>;
  /** The tree whose source is hashed (tests); the repository by default. */
  readonly root?: string;
}

const uses: { label: string; use: RecordUse }[] = [];

/** Every record consulted in this process and how its result was obtained (the report's `records`). */
export function recordUses(): readonly { label: string; use: RecordUse }[] {
  return uses;
}

/**
 * `run()`'s result, or the one recorded under `label` in `dir` when it still applies (see the header).
 * `keyParts` is what the side trains on, `side` included; it is JSON-serialised into the `inputs` key, so
 * undefined fields drop out and a new optional part leaves older records valid. Without a dir it just runs.
 */
export async function recorded<T>(
  dir: string | undefined,
  label: string,
  keyParts: { readonly side: Side; readonly [part: string]: unknown },
  run: () => Promise<T>,
  opts: RecordOptions<T> = {},
): Promise<T> {
  if (!dir) return run();
  const { side } = keyParts;
  const root = opts.root ?? ROOT;
  const inputs = sha(keyParts);
  const code = sourceHash(SIDE_CODE[side], root);
  const scoring = side === 'ours' ? sourceHash(SCORING_CODE, root) : undefined;
  const file = join(dir, `${label}.json`);
  const fresh = (result: T, extra: Partial<StoredRecord<T>> = {}): StoredRecord<T> => ({
    version: 2,
    label,
    savedAt: new Date().toISOString(),
    side,
    inputs,
    code,
    ...(scoring !== undefined && { scoring }),
    ...extra,
    result,
  });
  const use = (u: RecordUse, result: T): T => {
    uses.push({ label, use: u });
    return result;
  };
  if (existsSync(file)) {
    const kept = await tryRecord(JSON.parse(readFileSync(file, 'utf8')) as StoredRecord<T> | LegacyRecord<T>);
    if (kept) return use(kept.use, kept.result);
  }
  const result = await run();
  save(dir, file, fresh(result));
  return use('trained', result);

  async function tryRecord(rec: StoredRecord<T> | LegacyRecord<T>): Promise<{ use: RecordUse; result: T } | undefined> {
    if (!('version' in rec)) {
      // The legacy key hashed the inputs with every side's code and the bench's own files.
      if (rec.key !== sha({ keyParts, code: sourceHash(LEGACY_CODE, root) })) {
        log(`${label}: the record in ${file} was made with other code, data or options; training again`);
        return undefined;
      }
      save(dir!, file, { ...fresh(rec.result), savedAt: rec.savedAt });
      log(`${label}: reusing the result recorded ${rec.savedAt} (${file}; its key is now split into inputs and code)`);
      return { use: 'upgraded', result: rec.result };
    }
    if (rec.inputs !== inputs || rec.side !== side) {
      log(`${label}: the record in ${file} was trained on other data, plan or config; training again`);
      return undefined;
    }
    if (rec.code === code) {
      log(`${label}: reusing the result recorded ${rec.savedAt} (${file})`);
      return { use: 'reused', result: rec.result };
    }
    const why = replayRefusal(rec);
    if (why !== undefined) {
      log(
        `${label}: the record in ${file} was made with other ${side === 'ours' ? 'engine' : 'PyTorch'} code (${why}); training again`,
      );
      return undefined;
    }
    const r = opts.replay!;
    const want = r.lossesOf(rec.result).slice(0, r.steps);
    const got = await r.run(r.steps);
    const differ = want.findIndex((x, i) => got[i] !== x);
    if (got.length < want.length || differ >= 0) {
      const i = differ >= 0 ? differ : got.length;
      log(
        `${label}: a replay of ${r.steps} steps differs from the record at step ${i + 1} (${got[i]} vs ${want[i]}); training again`,
      );
      return undefined;
    }
    save(dir!, file, {
      ...rec,
      code,
      replayed: { at: new Date().toISOString(), steps: want.length, codeWas: rec.code },
    });
    log(
      `${label}: reusing the result recorded ${rec.savedAt}: the current code reproduces its first ${want.length} losses exactly`,
    );
    return { use: `replayed ${want.length} steps`, result: rec.result };
  }

  /** Why a record made with other code cannot be checked by a replay; undefined when it can. */
  function replayRefusal(rec: StoredRecord<T>): string | undefined {
    if (side === 'torch') return 'only our side can be checked by a replay';
    if (!opts.replay || opts.replay.steps <= 0) return 'pass --replay-steps K to check it by replaying K steps';
    if (rec.scoring !== scoring) return 'the scoring code changed too, which a replay does not check';
    if (opts.replay.lossesOf(rec.result).length < opts.replay.steps)
      return `it holds fewer than ${opts.replay.steps} losses`;
    return undefined;
  }
}

function save<T>(dir: string, file: string, rec: StoredRecord<T>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(rec));
}

/** sha256 of a file's bytes (the batch file both sides train on). */
export function fileHash(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

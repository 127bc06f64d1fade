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
 * per-step losses exactly, and what a replay does not reach is unchanged: the scoring code (metrics, the
 * evaluation graph and loop) and the trainer's settings with their defaults filled in. That proves the first K
 * steps compute the same numbers, not the later ones: the report lists each record kept this way
 * (`records`: `replayed K steps`, on every later run too), and a change that acts only late in training must
 * not rely on it.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
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
  'src-main/engine/model/training-graph.ts', // buildModelEvalGraph: the dev forward pass
  'src-main/engine/trainer/evaluate.ts',
  'src-main/engine/trainer/evaluation-hook.ts',
];
/**
 * Before 2026-12-08 one key covered both sides and the bench's own data and option code. Those bench files have
 * changed since, so the old key is rebuilt with them as they were at LEGACY_COMMIT, where every one-key record
 * was made, and with today's engine, data code and PyTorch script: an old record whose key matches that was
 * trained by exactly today's trainer code.
 */
const LEGACY_COMMIT = 'e6fc390';
const LEGACY_BENCH_FILES = ['bench/train/quality.ts', 'bench/train/prepare.ts', 'bench/train/options.ts'];
const LEGACY_CODE = [
  ...SIDE_CODE.ours,
  ...SIDE_CODE.torch,
  'bench/train/quality.ts',
  'bench/train/prepare.ts',
  'bench/train/options.ts',
];
/** Prediction: imported by no trainer, so its changes void no record. */
const NOT_CODE = ['src-main/engine/infer'];

/**
 * sha256 over the sorted paths and contents of the source files under `paths` (relative to the repo root);
 * `contentOf` may supply a file's content instead of the tree (the legacy key's pinned bench files).
 */
export function sourceHash(
  paths: readonly string[],
  root = ROOT,
  contentOf: (rel: string) => Buffer | string | undefined = () => undefined,
): string {
  const files: string[] = [];
  const walk = (p: string): void => {
    if (NOT_CODE.some((x) => p === join(root, x))) return;
    if (statSync(p).isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
    else if (/\.(ts|mjs|py)$/.test(p) && !/\.test\.ts$/.test(p)) files.push(p);
  };
  for (const c of paths) walk(join(root, c));
  const h = createHash('sha256');
  for (const f of files.sort()) {
    const rel = relative(root, f);
    h.update(rel)
      .update('\0')
      .update(contentOf(rel) ?? readFileSync(f))
      .update('\0');
  }
  return h.digest('hex');
}

const loadedHashes = new Map<string, string>();

/**
 * sourceHash as of the first call in this process: a bench trains with the code it loaded at its start, so a
 * record it writes an hour later must not take the hash of files changed on disk since (a merge mid-run).
 */
function loadedSourceHash(paths: readonly string[], root: string): string {
  const key = `${root}\0${paths.join('\0')}`;
  let hash = loadedHashes.get(key);
  if (hash === undefined) loadedHashes.set(key, (hash = sourceHash(paths, root)));
  return hash;
}

/** Tests: forget the hashes taken so far, as a new process would. */
export function forgetLoadedHashes(): void {
  loadedHashes.clear();
}

/** sha256 of a value's JSON (undefined fields drop out). */
export const jsonHash = (x: unknown): string => createHash('sha256').update(JSON.stringify(x)).digest('hex');

interface StoredRecord<T> {
  readonly version: 2;
  readonly label: string;
  readonly savedAt: string;
  readonly side: Side;
  readonly inputs: string;
  readonly code: string;
  /** Our side only: the scoring code's hash, which a replayed record must still match. */
  readonly scoring?: string;
  /**
   * Our side only: the hash of the settings the trainer ran with, defaults filled in (evaluation batch,
   * patience...). A replay does not reach them, so a replayed record must still match them.
   */
  readonly settings?: string;
  /** Set once the record was kept by a replay after a code change: when, how many steps, the code it was made with. */
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
  /** Our side: the trainer's settings after defaults (parseTrainerConfig's output). */
  readonly settings?: unknown;
  /** The tree whose source is hashed (tests); the repository by default. */
  readonly root?: string;
  /** A legacy bench file as it was at LEGACY_COMMIT (tests); read with git by default. */
  readonly legacyFile?: (rel: string) => string | undefined;
}

const uses: { label: string; use: RecordUse }[] = [];

/** Every record consulted in this process and how its result was obtained (the report's `records`). */
export function recordUses(): readonly { label: string; use: RecordUse }[] {
  return uses;
}

/** A legacy bench file's content at LEGACY_COMMIT, or undefined without git or that commit (no upgrade then). */
function legacyFileFromGit(root: string): (rel: string) => string | undefined {
  return (rel) => {
    try {
      return execFileSync('git', ['show', `${LEGACY_COMMIT}:${rel}`], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    } catch {
      return undefined;
    }
  };
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
  const file = join(dir, `${label}.json`);
  const now: Current = {
    inputs: jsonHash(keyParts),
    code: loadedSourceHash(SIDE_CODE[side], root),
    ...(side === 'ours' && { scoring: loadedSourceHash(SCORING_CODE, root) }),
    ...(side === 'ours' && opts.settings !== undefined && { settings: jsonHash(opts.settings) }),
  };
  const stored = readRecord<T>(file, label);
  const kept = stored && (await keep(stored));
  if (kept) {
    uses.push({ label, use: kept.use });
    return kept.result;
  }
  const result = await run();
  save(file, { version: 2, label, savedAt: new Date().toISOString(), side, ...now, result });
  uses.push({ label, use: 'trained' });
  return result;

  async function keep(rec: StoredRecord<T> | LegacyRecord<T>): Promise<Kept<T> | undefined> {
    if (!('version' in rec)) return upgrade(rec);
    if (rec.inputs !== now.inputs || rec.side !== side) {
      log(`${label}: the record in ${file} was trained on other data, plan or config; training again`);
      return undefined;
    }
    if (rec.code === now.code) {
      // The code that trained it runs now, so today's settings are the ones it ran with: note them if missing.
      if (rec.settings === undefined && now.settings !== undefined) save(file, { ...rec, settings: now.settings });
      log(`${label}: reusing the result recorded ${rec.savedAt} (${file})`);
      const use: RecordUse = rec.replayed ? `replayed ${rec.replayed.steps} steps` : 'reused';
      return { use, result: rec.result };
    }
    return replayed(rec);
  }

  /** A one-key record whose old key still matches, rewritten with split keys; undefined when it does not match. */
  function upgrade(rec: LegacyRecord<T>): Kept<T> | undefined {
    const legacyFile = opts.legacyFile ?? legacyFileFromGit(root);
    const pinned = (rel: string): string | undefined =>
      LEGACY_BENCH_FILES.includes(rel) ? (legacyFile(rel) ?? '\0missing') : undefined;
    if (rec.key !== jsonHash({ keyParts, code: sourceHash(LEGACY_CODE, root, pinned) })) {
      log(`${label}: the record in ${file} was made with other code, data or options; training again`);
      return undefined;
    }
    save(file, { version: 2, label, savedAt: rec.savedAt, side, ...now, result: rec.result });
    log(`${label}: reusing the result recorded ${rec.savedAt} (${file}; its key is now split into inputs and code)`);
    return { use: 'upgraded', result: rec.result };
  }

  /** The record, kept after a code change when a replay of its first steps matches exactly (--replay-steps). */
  async function replayed(rec: StoredRecord<T>): Promise<Kept<T> | undefined> {
    const why = replayRefusal(rec);
    if (why !== undefined) {
      const whose = side === 'ours' ? 'engine' : 'PyTorch';
      log(`${label}: the record in ${file} was made with other ${whose} code (${why}); training again`);
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
    const steps = Math.min(want.length, rec.replayed?.steps ?? Infinity);
    save(file, { ...rec, code: now.code, replayed: { at: new Date().toISOString(), steps, codeWas: rec.code } });
    log(
      `${label}: reusing the result recorded ${rec.savedAt}: the current code reproduces its first ${want.length} losses exactly`,
    );
    return { use: `replayed ${steps} steps`, result: rec.result };
  }

  /** Why a record made with other code cannot be checked by a replay; undefined when it can. */
  function replayRefusal(rec: StoredRecord<T>): string | undefined {
    if (side === 'torch') return 'only our side can be checked by a replay';
    if (!opts.replay || opts.replay.steps <= 0) return 'pass --replay-steps K to check it by replaying K steps';
    if (rec.scoring !== now.scoring) return 'the scoring code changed too, which a replay does not check';
    if (rec.settings === undefined)
      return 'it does not say which settings it ran with; reuse it once with the code it was made with';
    if (rec.settings !== now.settings)
      return 'the trainer settings (defaults included) changed, which a replay does not check';
    if (opts.replay.lossesOf(rec.result).length < opts.replay.steps)
      return `it holds fewer than ${opts.replay.steps} losses`;
    return undefined;
  }
}

/** This run's keys for a record. */
interface Current {
  readonly inputs: string;
  readonly code: string;
  readonly scoring?: string;
  readonly settings?: string;
}

interface Kept<T> {
  readonly use: RecordUse;
  readonly result: T;
}

/** The record in `file`, or undefined when there is none or it cannot be read (then it is trained again). */
function readRecord<T>(file: string, label: string): StoredRecord<T> | LegacyRecord<T> | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StoredRecord<T> | LegacyRecord<T>;
  } catch (err) {
    log(`${label}: the record in ${file} cannot be read (${(err as Error).message}); training again`);
    return undefined;
  }
}

/** Writes a record whole or not at all (a temp file renamed over it), so a killed run leaves no half record. */
function save<T>(file: string, rec: StoredRecord<T>): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(rec));
  renameSync(tmp, file);
}

/** sha256 of a file's bytes (the batch file both sides train on). */
export function fileHash(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

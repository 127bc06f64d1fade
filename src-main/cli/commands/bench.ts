/** `mts bench train|infer|engine|gpu|...`: runs the benchmark scripts of a source checkout (they print JSON). */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, type CliCommand } from '../types';

// bench/<kind>.bench.ts, and gpu-check.ts (`mts bench gpu`).
const KINDS = [
  'train',
  'infer',
  'engine',
  'quantize',
  'tokenizer',
  'import',
  'label',
  'store',
  'preannotate',
  'train-service',
  'dropout',
  'accum-memory',
  'backward',
  'freeze-presets',
  'gpu',
] as const;

const scriptOf = (kind: string): string => (kind === 'gpu' ? 'gpu-check.ts' : `${kind}.bench.ts`);

// The repository root: the nearest folder above this module that has bench/ and package.json.
function repoRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'bench')) && existsSync(join(dir, 'package.json'))) return dir;
    dir = resolve(dir, '..');
  }
  return undefined;
}

export const benchCommand: CliCommand = {
  name: 'bench',
  summary: 'Run a benchmark (train, infer, engine, gpu, ...; mts bench --help lists all); prints JSON',
  help: [
    `Usage: mts bench <${KINDS.join('|')}> [-- options passed to the benchmark]`,
    '',
    'Benchmarks measure ours against a reference in the same run (PyTorch when .venv/bin/python has torch)',
    'and print raw numbers and ratios as JSON. They need a source checkout (bench/ and tsx).',
  ].join('\n'),
  options: {},
  allowPositionals: true,
  run: async (args, env) => {
    const [kind, ...rest] = args.positionals;
    if (!kind || !(KINDS as readonly string[]).includes(kind))
      throw new UsageError(`name a benchmark: ${KINDS.join(', ')}.`);
    const root = repoRoot();
    if (!root)
      throw new Error(
        'benchmarks ship with the source checkout only (bench/ was not found); run them from a clone of the repository.',
      );
    const tsx = createRequire(join(root, 'package.json')).resolve('tsx/cli');
    const child = spawn(process.execPath, [tsx, join(root, 'bench', scriptOf(kind)), ...rest], {
      cwd: root,
      stdio: 'inherit',
    });
    const onAbort = (): void => void child.kill('SIGINT');
    env.signal.addEventListener('abort', onAbort, { once: true });
    const code = await new Promise<number>((done) => child.on('exit', (c) => done(c ?? 1)));
    env.signal.removeEventListener('abort', onAbort);
    return code;
  },
};

/**
 * bench:profile, PyTorch's side: scripts/ref/profile_torch_train.py runs train_torch_ref.py's training step
 * on the same batch file (plain timing, then torch.profiler) and prints one JSON object.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** One aten op name in one step phase, summed over the profiled steps. */
export interface TorchOp {
  readonly phase: string;
  readonly name: string;
  readonly selfUs: number;
  readonly count: number;
  readonly flops: number;
}

export interface TorchProfile {
  readonly torch: string;
  readonly stepMs: readonly number[];
  readonly profiledStepMs: readonly number[];
  readonly ops: readonly TorchOp[];
}

/** Runs the PyTorch profile script with the venv's python; rejects with its stderr tail on failure. */
export function profileTorch(
  python: string,
  root: string,
  batchFile: string,
  o: { readonly warmup: number; readonly steps: number; readonly threads: number; readonly seed: number },
): Promise<TorchProfile> {
  const script = join(root, 'scripts/ref/profile_torch_train.py');
  const argv = [script, '--batches', batchFile, '--warmup', String(o.warmup), '--steps', String(o.steps)];
  argv.push('--threads', String(o.threads), '--seed', String(o.seed));
  // The environment bench:train gives its PyTorch process (OpenMP's default idle policy).
  const proc = spawn(python, argv, { env: process.env });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => void (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => void (err = (err + d.toString()).slice(-2000)));
  return new Promise((resolve, reject) => {
    proc.on('exit', (code) => {
      if (code !== 0) reject(new Error(`profile_torch_train.py exited with ${code}; its stderr ended with:\n${err}`));
      else resolve(JSON.parse(out) as TorchProfile);
    });
  });
}

/**
 * Nothing lost on a crash: a training process killed with SIGKILL mid-epoch leaves a resume/ written a moment
 * before (atomically, every checkpointEverySec), and resuming from it ends with the same step count and the
 * same final metrics as a run that was never interrupted.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CRASH_CONFIG, crashData, tinyTrainerModel } from './testing';
import { train } from './trainer';

// Starts the child and SIGKILLs it once it has taken `killAfter` steps and a mid-epoch resume/ exists.
function trainAndKill(dir: string, killAfter: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'testing', 'crash-child.ts'), dir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let lastStep = 0;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      for (const m of d.toString().matchAll(/step (\d+)/g)) lastStep = Number(m[1]);
      if (lastStep >= killAfter && existsSync(join(dir, 'run', 'resume', 'state.json'))) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(lastStep);
      else reject(new Error(`the child ended on its own (code ${code}) before it was killed: ${stderr.slice(-2000)}`));
    });
  });
}

describe('a run killed mid-epoch', () => {
  it('resumes from the last periodic resume/ to the result of an uninterrupted run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-crash-'));
    const killedAt = await trainAndKill(dir, 9);
    const saved = JSON.parse(readFileSync(join(dir, 'run', 'resume', 'state.json'), 'utf8')) as {
      step: number;
      epoch: number;
      batchInEpoch: number;
    };
    expect(saved.epoch).toBe(0); // mid-epoch: before the first epoch-end save
    expect(saved.batchInEpoch).toBeGreaterThan(0);
    expect(saved.step).toBeLessThanOrEqual(killedAt);

    const resumed = await train(tinyTrainerModel(dir), crashData(), CRASH_CONFIG, {
      outDir: join(dir, 'run'),
      resume: true,
      checkpointEverySec: 0,
    });
    const straight = await train(tinyTrainerModel(dir), crashData(), CRASH_CONFIG, {
      outDir: join(dir, 'straight'),
      checkpointEverySec: 0,
    });
    expect(resumed.status).toBe('completed');
    expect(resumed.steps).toBe(straight.steps);
    expect(resumed.best.step).toBe(straight.best.step);
    expect(resumed.best.value).toBeCloseTo(straight.best.value!, 6);
    const last = (r: typeof straight) => r.history.at(-1)!.metrics;
    expect(last(resumed).ner!.f1).toBeCloseTo(last(straight).ner!.f1, 6);
    expect(last(resumed).classification!.accuracy).toBeCloseTo(last(straight).classification!.accuracy, 6);
  }, 120_000);
});

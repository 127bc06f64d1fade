/**
 * `bench/train.bench.ts --serve-ort FILE --preset P`: our step process for the speed part. It answers the
 * same line protocol as `train_torch_ref.py --serve`: `run FROM COUNT` runs that many batches of epoch 0 and
 * answers `{ ms, losses }`; `rss` answers this process's memory.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { EmbeddingUpdates, FreezePreset } from '../../src-main/engine/model';
import { TrainingSession } from '../../src-main/engine/runtime';
import { trainingFeeds } from '../../src-main/engine/trainer';
import { round } from './options';
import type { BatchFile } from './prepare';
import { trainerStepGraph } from './step-graph';

/** Peak and current resident memory of this process (Linux). */
export function procStatus(): { vmHWMKiB: number; vmRSSKiB: number } {
  const text = readFileSync('/proc/self/status', 'utf8');
  const field = (name: string): number =>
    Number(/^(\w+):\s+(\d+)/m.exec(text.split('\n').find((l) => l.startsWith(name)) ?? '')?.[2] ?? NaN);
  return { vmHWMKiB: field('VmHWM'), vmRSSKiB: field('VmRSS') };
}

/** Serves training steps of `preset` over the batch file's first epoch until stdin closes. */
export async function serveOrt(
  path: string,
  preset: FreezePreset,
  o: { readonly threads: number; readonly seed: number; readonly embeddingUpdates: EmbeddingUpdates },
): Promise<void> {
  const { threads, seed } = o;
  const spec = JSON.parse(readFileSync(path, 'utf8')) as BatchFile;
  const t0 = performance.now();
  const { cfg, model, adamw, tg, examples, tasks, batches } = trainerStepGraph(spec, preset, o);
  const params = new Map([...model.params].map(([n, t]) => [n, t.data]));
  const session = await TrainingSession.create({
    bytes: tg.bytes,
    layout: tg.layout,
    adamw,
    schedule: { kind: 'constant', lr: cfg.lr },
    params,
    adoptParams: true, // as the trainer does for a model loaded for one run
    seed,
    device: 'cpu',
    threads,
  });
  const say = (x: unknown): void => void process.stdout.write(`${JSON.stringify(x)}\n`);
  const loaded = procStatus();
  say({
    ready: true,
    createMs: round(performance.now() - t0),
    trainable: tg.partition.trainableCount,
    graphNodes: tg.graph.nodes.length,
    rssBeforeStepsMiB: Math.round(loaded.vmRSSKiB / 1024),
  });
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, a, b] = line.split(' ');
    if (cmd === 'rss') {
      say(procStatus());
      continue;
    }
    const ms: number[] = [];
    const losses: number[] = [];
    for (const batch of batches.slice(Number(a), Number(a) + Number(b))) {
      const ts = performance.now();
      // What the trainer does per step: pad the batch, then one graph run.
      const r = await session.trainStep(
        trainingFeeds(
          batch.map((i) => examples[i]!),
          model.padId,
          tasks,
        ),
      );
      ms.push(performance.now() - ts);
      losses.push(r.loss);
    }
    say({ ms, losses });
  }
  await session.release();
}

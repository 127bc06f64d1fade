import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCurve } from '../../store/repos/curves';
import { getRun, listRuns } from '../../store/repos/runs';
import { isBusy } from '../train/active';
import { prepareRequest } from '../train/launch';
import { resumeTraining } from '../train/resume';
import { quickRequest, trainFixture, type TrainFixture } from '../train/testing';
import { labelledRows } from '../train/testing';
import type { TrainingServiceEvent } from '../train/types';
import { cancelCurve, type CurveEvent, startCurve } from './run';
import { StartCurveInput } from './schemas';
import { pickShare, shareProblems } from './shares';
import { importCurveFile, listCurves } from './store';

let f: TrainFixture | undefined;
afterEach(() => f?.cleanup());

const curveInput = (fx: TrainFixture, fractions: number[], extra: Record<string, unknown> = {}) =>
  StartCurveInput.parse({ request: quickRequest(fx, { epochs: 2, ...extra }), fractions });

describe('startCurve', () => {
  it('trains one run per nested share, links them to the curve and records their best dev metrics', async () => {
    f = await trainFixture(labelledRows(48));
    const curveEvents: CurveEvent[] = [];
    const runIds = new Set<number>();
    const started = await startCurve(f.db, curveInput(f, [1, 0.5, 0.5]), {
      onCurve: (e) => curveEvents.push(e),
      onEvent: (e: TrainingServiceEvent) => runIds.add(e.runId),
    });
    expect(started.curve).toMatchObject({ status: 'running', origin: 'app', fractions: [0.5, 1], devExamples: 12 });
    expect(isBusy()).toBe(true);
    const curve = await started.done;
    expect(isBusy()).toBe(false);
    expect(curve.status).toBe('completed');
    // 36 train examples (48 rows, 3:1): shares of 18 and 36, each a completed run of its own.
    expect(curve.points.map((p) => [p.fraction, p.trainExamples])).toEqual([
      [0.5, 18],
      [1, 36],
    ]);
    for (const p of curve.points) {
      const run = getRun(f.db, p.runId!);
      expect(run.status).toBe('completed');
      expect(run.name).toMatch(/^Learning curve: full base · (50|100) %$/);
      const config = run.config as { curve: unknown; counts: { train: number } };
      expect(config.curve).toEqual({ id: curve.id, fraction: p.fraction });
      expect(config.counts.train).toBe(p.trainExamples);
      expect(p.accuracy).toBeGreaterThanOrEqual(0);
      expect(p.nerF1).toBeGreaterThanOrEqual(0);
    }
    expect([...runIds].sort()).toEqual(curve.points.map((p) => p.runId).sort());
    expect(listRuns(f.db, f.projectId)).toHaveLength(2);
    expect(curveEvents.at(-1)).toEqual({ type: 'curve', curveId: curve.id, status: 'completed' });
    expect(listCurves(f.db, { projectId: f.projectId }).map((c) => c.id)).toEqual([curve.id]);
  }, 120_000);

  it('refuses a share smaller than one batch with the numbers, before creating anything', async () => {
    f = await trainFixture(labelledRows(48));
    await expect(startCurve(f.db, curveInput(f, [0.1, 1]))).rejects.toThrow(
      /10 % of the 36 train examples is 4, fewer than one batch of 8/,
    );
    expect(isBusy()).toBe(false);
    expect(listCurves(f.db, { projectId: f.projectId })).toEqual([]);
    expect(listRuns(f.db, f.projectId)).toEqual([]);
  });

  it('keeps a rare class in every share: a quarter of data with 3 train examples of a class still trains it', async () => {
    // 48 template rows (Sports, Business) and 4 "World" rows: 3 of them train. A plain random quarter missed
    // "World" for many seeds; the shares are stratified by class, so none does.
    const world = Array.from({ length: 4 }, (_, i) => ({
      text: `The minister met leaders for talks ${i}.`,
      label: 'World',
    }));
    f = await trainFixture([...labelledRows(48), ...world]);
    const { train, plan } = await prepareRequest(f.db, quickRequest(f));
    for (const seed of [...Array(40).keys()]) {
      const quarter = pickShare(train.examples, 0.25, seed);
      expect(quarter.some((e) => plan.classLabels[e.classLabel] === 'World')).toBe(true);
      expect(shareProblems(train.examples, [0.25, 1], 8, plan.classLabels, seed)).toEqual([]);
    }
  });

  it('cancels: the share training now ends cancelled and no later share starts', async () => {
    f = await trainFixture(labelledRows(48));
    let asked = false;
    let second: Promise<unknown> | undefined;
    // Evaluations at every step: the cancelled share has a best-so-far, which must not become the curve's point.
    const started = await startCurve(f.db, curveInput(f, [0.5, 1], { epochs: 200, evalEverySteps: 1 }), {
      onEvent: (e) => {
        if (!asked && e.type === 'train' && e.event.type === 'step' && e.event.step === 3) {
          asked = true;
          second = startCurve(f!.db, curveInput(f!, [0.5, 1])).catch((err: unknown) => err);
          cancelCurve(f!.db, { curveId: started.curve.id });
        }
      },
    });
    const curve = await started.done;
    expect(curve.status).toBe('cancelled');
    expect(curve.points).toHaveLength(1);
    expect(getRun(f.db, curve.points[0]!.runId!).status).toBe('cancelled');
    expect([curve.points[0]!.accuracy, curve.points[0]!.nerF1]).toEqual([null, null]);
    // While it ran, another start was refused, naming what holds the training and how to free it.
    expect(await second).toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/^A learning curve \(it holds training until its last share ends; cancel it/),
    });
    expect(() => cancelCurve(f!.db, { curveId: curve.id })).toThrow(/is cancelled and not training in this app/);
    // The share trained on a subset that resume would not rebuild: it is refused, naming the curve.
    await expect(resumeTraining(f.db, { runId: curve.points[0]!.runId! })).rejects.toThrow(
      new RegExp(`is the 50 % share of learning curve ${curve.id}; resumed alone`),
    );
  }, 120_000);
});

describe('curves in the store', () => {
  it('ends failed, saying why, when a share cannot train (its run folder cannot be made); no later share starts', async () => {
    f = await trainFixture(labelledRows(48));
    const blocker = join(f.dir, 'not-a-folder');
    writeFileSync(blocker, 'a file where the runs folder should be');
    const started = await startCurve(f.db, curveInput(f, [0.5, 1]), { runsDir: join(blocker, 'runs') });
    const curve = await started.done;
    expect(curve.status).toBe('failed');
    expect(curve.error).toMatch(/^The 50 % share \(run \d+\) ended failed: .*ENOTDIR/);
    expect(curve.points.map((p) => [p.fraction, p.accuracy])).toEqual([[0.5, null]]);
    expect(isBusy()).toBe(false);
  });

  it('marks a curve left running by a dead process interrupted when listed', async () => {
    f = await trainFixture(labelledRows(8));
    const c = createCurve(f.db, {
      projectId: f.projectId,
      name: 'old',
      origin: 'app',
      settings: {},
      fractions: [0.5, 1],
      devExamples: 2,
      status: 'running',
    });
    f.db.prepare('UPDATE learning_curves SET owner_pid = ? WHERE id = ?').run(2 ** 22 + 12345, c.id);
    const [listed] = listCurves(f.db, { projectId: f.projectId });
    expect(listed).toMatchObject({
      status: 'interrupted',
      error: expect.stringMatching(/ended before its last share/),
    });
  });

  it('imports the curve.json of mts curve, and refuses a file that is not one', async () => {
    f = await trainFixture(labelledRows(8));
    const file = join(f.dir, 'curve.json');
    writeFileSync(
      file,
      JSON.stringify({
        options: { train: '/data/news/train.csv', model: '/models/all-MiniLM-L6-v2' },
        fractions: [0.5, 1],
        outDir: '/runs/curve',
        devExamples: 400,
        points: [
          { fraction: 0.5, trainExamples: 500, accuracy: 0.8, nerF1: null, steps: 10, seconds: 1, outDir: '/x' },
          { fraction: 1, trainExamples: 1000, accuracy: 0.85, nerF1: null, steps: 20, seconds: 2, outDir: '/y' },
        ],
        lastGainPoints: { accuracy: 5, nerF1: null },
      }),
    );
    const c = importCurveFile(f.db, { projectId: f.projectId, path: file });
    expect(c).toMatchObject({
      origin: 'cli',
      status: 'completed',
      devExamples: 400,
      name: 'mts curve: train.csv · all-MiniLM-L6-v2',
    });
    expect(c.points).toEqual([
      { fraction: 0.5, trainExamples: 500, runId: null, accuracy: 0.8, nerF1: null },
      { fraction: 1, trainExamples: 1000, runId: null, accuracy: 0.85, nerF1: null },
    ]);
    // mts curve stopped with Ctrl+C: its finished shares come in, as a cancelled curve.
    const one = { fraction: 0.5, trainExamples: 500, accuracy: 0.8, nerF1: null };
    writeFileSync(file, JSON.stringify({ status: 'cancelled', fractions: [0.5, 1], points: [one] }));
    const cut = importCurveFile(f.db, { projectId: f.projectId, path: file });
    expect([cut.status, cut.points.length]).toEqual(['cancelled', 1]);
    const error = 'the 100 % share failed: ENOSPC: no space left on device';
    writeFileSync(file, JSON.stringify({ status: 'failed', error, fractions: [0.5, 1], points: [one] }));
    const failed = importCurveFile(f.db, { projectId: f.projectId, path: file });
    expect([failed.status, failed.error]).toEqual(['failed', `mts curve: ${error}`]);
    writeFileSync(file, JSON.stringify({ points: [{ fraction: 2, trainExamples: 1 }] }));
    expect(() => importCurveFile(f!.db, { projectId: f!.projectId, path: file })).toThrow(
      /is not a curve\.json of mts curve: points\.0\.fraction/,
    );
    expect(() => importCurveFile(f!.db, { projectId: f!.projectId, path: 'curve.json' })).toThrow(/relative/);
  });
});

import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pullModel } from '../models';
import { repoFromFolder, startTestHub, type TestHub } from '../models/testing';
import { trainingPlan } from './plan';
import { runTraining, startTraining } from './start';
import { quickRequest, trainFixture, type TrainFixture } from './testing';

// The Train service takes a hub repo id where it takes a model folder: the snapshot in the HF cache, no network.
const KEYS = ['HF_ENDPOINT', 'HF_HUB_CACHE', 'HF_HUB_OFFLINE'] as const;
const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
let f: TrainFixture | undefined;
let hub: TestHub | undefined;

beforeEach(async () => {
  f = await trainFixture();
  hub = await startTestHub(new Map([['acme/tiny-bert', repoFromFolder(f.modelDir)]]));
  process.env.HF_ENDPOINT = hub.endpoint;
  process.env.HF_HUB_CACHE = join(f.dir, 'hf-cache');
  delete process.env.HF_HUB_OFFLINE;
});
afterEach(async () => {
  await hub?.close();
  f?.cleanup();
  for (const k of KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe('training from a hub repo id', () => {
  it('refuses a repo that is not downloaded yet with how to get it, without going to the network', async () => {
    const plan = trainingPlan(f!.db, quickRequest(f!, { modelDir: 'acme/tiny-bert@v2' }));
    expect(plan.model).toBeNull();
    expect(plan.refusals).toContainEqual(
      expect.stringMatching(
        /'acme\/tiny-bert' \(v2\) is not downloaded yet.*mts models pull acme\/tiny-bert --revision v2/,
      ),
    );
    await expect(startTraining(f!.db, quickRequest(f!, { modelDir: 'acme/tiny-bert' }))).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(/model picker on the Train screen, or mts models pull acme\/tiny-bert;/),
    });
    expect(hub!.requests).toEqual([]);
  });

  it('trains from the cached snapshot offline, records that folder and names the run after the repo', async () => {
    const pulled = await pullModel('acme/tiny-bert');
    process.env.HF_HUB_OFFLINE = '1';
    process.env.HF_ENDPOINT = 'http://127.0.0.1:9';
    const plan = trainingPlan(f!.db, quickRequest(f!, { modelDir: 'acme/tiny-bert@main' }));
    expect(plan.refusals).toEqual([]);
    expect(plan.model).toMatchObject({ dir: pulled.dir, layers: 1, hidden: 16 });
    const { run } = await runTraining(f!.db, quickRequest(f!, { modelDir: 'acme/tiny-bert', epochs: 1 }));
    expect(run).toMatchObject({ status: 'completed', name: 'full acme/tiny-bert', modelPath: pulled.dir });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { prepareRequest } from './launch';
import { runTraining } from './start';
import { quickRequest, trainFixture, type TrainFixture } from './testing';

let f: TrainFixture | undefined;
afterEach(() => f?.cleanup());

describe('the Train screen options of issue 15', () => {
  it('ignores pending silver spans below silverMinConfidence in the NER loss (train only; reviewed spans count)', async () => {
    f = await trainFixture();
    // The fixture's spans become unreviewed silver ones: LOC with confidence 0.3, the rest 0.9.
    f.db.exec(
      `UPDATE spans SET source = 'silver', status = 'pending', confidence = CASE type WHEN 'LOC' THEN 0.3 ELSE 0.9 END`,
    );
    const off = await prepareRequest(f.db, quickRequest(f));
    expect(off.train.examples.some((e) => e.nerWeights)).toBe(false);
    const on = await prepareRequest(f.db, quickRequest(f, { silverMinConfidence: 0.5 }));
    expect(on.train.examples.some((e) => e.nerWeights?.includes(0))).toBe(true);
    const weightsOfLabelled = on.train.examples.flatMap((e) =>
      e.nerLabels!.flatMap((l, t) => (l > 0 ? [[on.nerTags[l], e.nerWeights?.[t] ?? 1] as const] : [])),
    );
    expect(weightsOfLabelled.filter(([tag]) => tag!.endsWith('LOC')).every(([, w]) => w === 0)).toBe(true);
    expect(weightsOfLabelled.filter(([tag]) => !tag!.endsWith('LOC')).every(([, w]) => w === 1)).toBe(true);
    expect(on.dev.examples.some((e) => e.nerWeights)).toBe(false);
    // A person accepted them: they count again.
    f.db.exec(`UPDATE spans SET status = 'accepted'`);
    const reviewed = await prepareRequest(f.db, quickRequest(f, { silverMinConfidence: 0.5 }));
    expect(reviewed.train.examples.some((e) => e.nerWeights)).toBe(false);
  });

  it('trains with learned task weights and stores the choice with the run', async () => {
    f = await trainFixture();
    const { run, result } = await runTraining(
      f.db,
      quickRequest(f, { taskWeighting: 'uncertainty', silverMinConfidence: 0.4 }),
    );
    expect(run.status).toBe('completed');
    const config = run.config as { request: Record<string, unknown>; trainer: Record<string, unknown> };
    expect(config.request).toMatchObject({ taskWeighting: 'uncertainty', silverMinConfidence: 0.4 });
    expect(config.trainer['taskWeighting']).toBe('uncertainty');
    expect(Object.keys(result!.taskWeights ?? {})).toEqual(['classification', 'ner']);
  });
});

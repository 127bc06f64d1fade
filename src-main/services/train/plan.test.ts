import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { partitionParams, loadHfBertConfig } from '../../engine/model';
import { WordPieceTokenizer } from '../../engine/tokenizer';
import { NotFoundError } from '../../store/errors';
import { getDataset } from '../../store/repos/datasets';
import { createDispatcher } from '../api/dispatch';
import { testTable } from '../app/testing';
import { toPlanInfo } from './methods';
import { trainingPlan } from './plan';
import { labelledRows, quickRequest, trainFixture, type TrainFixture } from './testing';

let f: TrainFixture | undefined;
afterEach(() => f?.cleanup());

// Requests are validated where they enter: the dispatcher, with the method's zod schema.
const app = testTable();
afterAll(() => app.cleanup());
const dispatch = createDispatcher(app.table, { emit: () => undefined });

describe('trainingPlan', () => {
  it('counts train/dev per class and entity type and the trainable parameters of the preset', async () => {
    f = await trainFixture();
    const plan = trainingPlan(f.db, quickRequest(f));
    expect(plan.refusals).toEqual([]);
    expect(plan.tasks).toEqual({ classification: true, ner: true });
    expect(plan.classLabels).toEqual(['Business', 'Sports']);
    expect(plan.entityTypes).toEqual(['LOC', 'ORG', 'PER']);
    expect(plan.counts.train + plan.counts.dev).toBe(32);
    expect(plan.counts.devByClass).toEqual({ Business: 4, Sports: 4 });
    // Every row has one LOC except the Google template (8 rows); PER only in the John Smith template.
    expect((plan.counts.trainByType['LOC'] ?? 0) + (plan.counts.devByType['LOC'] ?? 0)).toBe(24);
    expect((plan.counts.trainByType['PER'] ?? 0) + (plan.counts.devByType['PER'] ?? 0)).toBe(8);
    const dims = loadHfBertConfig(f.modelDir).dims;
    expect(plan.params!.trainable).toBe(
      partitionParams(dims, { numClasses: 2, numNerLabels: 7 }, { preset: 'full' }).trainableCount,
    );
    expect(plan.params!.frozenGroups).toEqual([]);

    const heads = trainingPlan(f.db, quickRequest(f, { preset: 'heads-only' }));
    expect(heads.params!.trainableGroups).toEqual(['classification head', 'ner head']);
    expect(heads.params!.frozenGroups).toEqual(['embeddings', 'layer 0']);
    expect(heads.params!.trainable).toBe(2 * 16 + 2 + 7 * 16 + 7);

    const clsOnly = trainingPlan(f.db, quickRequest(f, { taskWeights: { classification: 1, ner: 0 } }));
    expect(clsOnly.tasks).toEqual({ classification: true, ner: false });
    expect(clsOnly.entityTypes).toEqual([]);
  });

  it('names the metric that keeps the best checkpoint, and refuses one for a head that does not train', async () => {
    f = await trainFixture();
    expect(trainingPlan(f.db, quickRequest(f)).selectMetric).toBe('tasks.mean');
    const clsOnly = { taskWeights: { classification: 1, ner: 0 } };
    expect(trainingPlan(f.db, quickRequest(f, clsOnly)).selectMetric).toBe('classification.accuracy');
    const chosen = trainingPlan(f.db, quickRequest(f, { selectMetric: 'ner.f1' }));
    expect([chosen.selectMetric, chosen.refusals]).toEqual(['ner.f1', []]);
    expect(chosen.autoSelectMetric).toBe('tasks.mean'); // what auto would pick, whatever is chosen
    const refused = trainingPlan(f.db, quickRequest(f, { ...clsOnly, selectMetric: 'tasks.mean' }));
    expect([refused.selectMetric, refused.autoSelectMetric]).toEqual([null, 'classification.accuracy']);
    expect(refused.refusals).toEqual([
      'The best checkpoint cannot be picked by tasks.mean: it scores the ner head, which this run does not train (it trains classification). Choose auto, classification.accuracy, classification.macroF1.',
    ]);
  });

  it("estimates the frozen encoder's feature cache for heads-only, and none when it would not cache", async () => {
    f = await trainFixture();
    const heads = trainingPlan(f.db, quickRequest(f, { preset: 'heads-only' }));
    // 32 texts (fewer than the sample): every one is tokenised, so the estimate is exact.
    const tokenizer = WordPieceTokenizer.fromDir(f.modelDir);
    const tokens = labelledRows(32).reduce((n, r) => n + tokenizer.encode(r.text, { maxLength: 32 }).ids.length, 0);
    expect(heads.featureCache).toEqual({ bytes: tokens * 16 * 2 });
    expect(trainingPlan(f.db, quickRequest(f, { preset: 'heads-only', featureCache: 'off' })).featureCache).toBeNull();
    expect(trainingPlan(f.db, quickRequest(f)).featureCache).toBeNull(); // full: the encoder trains
  });

  it('refuses with reasons: a preset that trains nothing, a class without dev examples, no labels, a bad model folder', async () => {
    f = await trainFixture([...labelledRows(16), { text: 'A lonely rare example.', label: 'Rare' }]);
    const frozen = trainingPlan(f.db, quickRequest(f, { preset: 'frozen' }));
    expect(frozen.refusals.join('\n')).toMatch(/trains nothing/);
    expect(frozen.refusals.join('\n')).toMatch(/"Rare" \(train 1, dev 0\) have no dev examples/);
    expect(frozen.params).toBeNull();
    const badModel = trainingPlan(f.db, quickRequest(f, { modelDir: f.dir }));
    expect(badModel.refusals.join('\n')).toMatch(/cannot be used: .*config\.json/);
    const tooLong = trainingPlan(f.db, quickRequest(f, { maxLength: 1000 }));
    expect(tooLong.refusals.join('\n')).toMatch(/maxLength 1000 exceeds the model's 64 positions/);
    f.cleanup();

    f = await trainFixture(Array.from({ length: 12 }, (_, i) => ({ text: `Plain text number ${i}.` })));
    const none = trainingPlan(f.db, quickRequest(f));
    expect(none.tasks).toEqual({ classification: false, ner: false });
    expect(none.refusals.join('\n')).toMatch(/none of the \d+ train examples has a class label or an entity span/i);
  });

  it('describes the effective batch of gradient accumulation, warns when it exceeds the train split, bounds it 1..64', async () => {
    f = await trainFixture();
    const plain = trainingPlan(f.db, quickRequest(f));
    expect(plain.batch).toEqual({ size: 8, accumulation: 1, effective: 8, text: '8 examples per step' });
    const accumulated = trainingPlan(f.db, quickRequest(f, { gradAccumulation: 2 }));
    expect(accumulated.batch).toEqual({
      size: 8,
      accumulation: 2,
      effective: 16,
      text: '8 x 2 = 16 examples per step',
    });
    expect(accumulated.request.gradAccumulation).toBe(2);
    // Lazy embedding updates need one batch per step: the run (and so its stored request) is dense.
    expect(plain.request.embeddingUpdates).toBe('lazy');
    expect(accumulated.request.embeddingUpdates).toBe('dense');
    expect(accumulated.warnings.join('\n')).not.toMatch(/effective batch/);
    const huge = trainingPlan(f.db, quickRequest(f, { gradAccumulation: 4 }));
    expect(huge.warnings.join('\n')).toMatch(
      /effective batch \(8 x 4 = 32 examples per step\) is larger than the 24 train examples/,
    );
    for (const bad of [0, 65, 1.5]) {
      const r = await dispatch('train.plan', { ...quickRequest(f), gradAccumulation: bad });
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      expect(!r.ok && r.error.issues!.join()).toMatch(/gradAccumulation/);
    }
  });

  it("fills the learning rate and epochs from the preset's recipe, keeps typed ones, warns on too few steps", async () => {
    f = await trainFixture();
    const { lr: _lr, epochs: _epochs, ...untyped } = quickRequest(f);
    const heads = trainingPlan(f.db, { ...untyped, preset: 'heads-only' });
    // 24 train examples in batches of 8: 3 steps an epoch; heads-only aims for 150 steps, at most 50 epochs.
    expect(heads.recipe).toMatchObject({ lr: 2e-3, epochs: 50, lrFromPreset: true, stepsPerEpoch: 3, totalSteps: 150 });
    expect(heads.request).toMatchObject({ lr: 2e-3, epochs: 50 });
    expect(heads.warnings).toEqual([]);
    const full = trainingPlan(f.db, { ...untyped, preset: 'full' });
    expect(full.request).toMatchObject({ lr: 5e-5, epochs: 20 });
    const typed = trainingPlan(f.db, quickRequest(f, { preset: 'heads-only', lr: 1e-2, epochs: 2 }));
    expect(typed.request).toMatchObject({ lr: 1e-2, epochs: 2 });
    expect(typed.recipe).toMatchObject({ lrFromPreset: false, epochsFromPreset: false, totalSteps: 6 });
    expect(typed.warnings).toContain(
      'This run takes 6 optimizer steps (2 epochs of 3); "heads-only" needs at least 75 to learn: use 50 epochs, a smaller batch, or more train examples.',
    );
    // The contract's view, as train.plan answers.
    const info = toPlanInfo(heads);
    expect(info.recipe).toMatchObject({ lr: 2e-3, epochs: 50, recipe: { lr: 2e-3, minSteps: 75 } });
    expect(info.settings).toMatchObject({ lr: 2e-3, epochs: 50 });
  });

  it('names the dataset in its refusals, never by its id', async () => {
    f = await trainFixture();
    f.db.prepare(`UPDATE examples SET split = 'train' WHERE dataset_id = ?`).run(f.datasetId);
    const { name } = getDataset(f.db, f.datasetId);
    const plan = trainingPlan(f.db, quickRequest(f));
    expect(plan.refusals.join('\n')).toMatch(
      new RegExp(`"${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}".*has no examples to evaluate`),
    );
    expect(plan.refusals.join('\n')).not.toMatch(new RegExp(`Dataset ${f.datasetId}\\b`));
  });

  it('validates the request at the boundary', async () => {
    f = await trainFixture(labelledRows(8));
    const r = await dispatch('train.plan', { ...quickRequest(f), lr: -1, epochz: 2 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('invalid_input');
      expect(r.error.issues!.join('\n')).toMatch(/lr/);
      expect(r.error.issues!.join('\n')).toMatch(/epochz/);
    }
    // A well-formed request naming a missing dataset is the service's to refuse (store NotFoundError: not_found).
    expect(() => trainingPlan(f!.db, quickRequest(f!, { datasetId: 999 }))).toThrow(NotFoundError);
  });
});

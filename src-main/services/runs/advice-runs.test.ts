// The advisor on real training runs (issue 15): a tiny random BERT trained through the app's service path on
// slices of AG News with the silver labeler's entities (../shared/data/ag_news/silver-spacy-dev.jsonl), then
// read back from the store as the Runs screen reads it. Each claim is checked against a control run that must
// not get it, so the test fails if the advisor says the same thing whatever training did.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeTinyBert } from '../../engine/model/testing';
import { getMetrics } from '../../store/repos/runs';
import { tempDb, type TempDb } from '../../store/testing';
import { importDataset, ImportDatasetInput } from '../datasets';
import { projectWithRows, writeJsonl, type Row } from '../datasets/testing';
import { TrainingRequest, type TrainingRequestInput } from '../train/schemas';
import { runTraining } from '../train/start';
import { runAdvice } from './advice';
import { getRun } from '.';

const SILVER = resolve(import.meta.dirname, '../../../../shared/data/ag_news/silver-spacy-dev.jsonl');
const have = existsSync(SILVER);
if (!have) console.warn(`[advice-runs] skipped: ${SILVER} is missing (the shared data folder).`);

let t: TempDb | undefined;
afterEach(() => t?.cleanup());

function silverRows(): Row[] {
  return readFileSync(SILVER, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const r = JSON.parse(l) as {
        text: string;
        label: string;
        spans: { start: number; end: number; label: string }[];
      };
      return { text: r.text, label: r.label, spans: r.spans.map(({ start, end, label }) => ({ start, end, label })) };
    });
}

/**
 * A tiny random BERT whose vocabulary is every lower-cased word and punctuation mark of the rows (a random
 * model with a generic vocabulary would read most of the text as [UNK] and learn nothing to advise on).
 */
function tinyModelFor(dir: string, rows: readonly Row[]): string {
  const words = new Set<string>();
  for (const r of rows) for (const w of r.text.toLowerCase().match(/[a-z0-9]+|[^\sa-z0-9]/g) ?? []) words.add(w);
  return writeTinyBert(join(dir, 'tiny'), {
    layers: 2,
    hidden: 32,
    heads: 2,
    intermediate: 64,
    vocab: [...words],
    seed: 4,
  }).dir;
}

/** Imports train and dev rows as two datasets of one project and trains one run; returns its advice. */
async function adviceOf(train: readonly Row[], dev: readonly Row[], extra: Partial<TrainingRequestInput>) {
  t = tempDb();
  const { projectId, summary } = await projectWithRows(t.db, t.dir, train, {
    split: { mode: 'fixed', split: 'train' },
  });
  const devSet = await importDataset(
    t.db,
    ImportDatasetInput.parse({
      projectId,
      path: writeJsonl(t.dir, 'dev.jsonl', dev),
      name: 'dev',
      split: { mode: 'fixed', split: 'dev' },
    }),
  );
  const outcome = await runTraining(
    t.db,
    TrainingRequest.parse({
      projectId,
      datasetId: summary.datasetId,
      devDatasetId: devSet.datasetId,
      modelDir: tinyModelFor(t.dir, [...train, ...dev]),
      maxLength: 64,
      lr: 3e-3,
      device: 'cpu',
      threads: 1,
      seed: 3,
      // The scenarios below were found with dense updates: with lazy ones (the default since) this tiny encoder's
      // NER head stays at its floor too at equal weights, so the crowding-out case the test needs does not arise.
      embeddingUpdates: 'dense',
      ...extra,
    }),
  );
  expect(outcome.run.status).toBe('completed');
  const run = getRun(t.db, { runId: outcome.run.id }).run;
  const last = (name: string): number | undefined =>
    getMetrics(t!.db, run.id, name)
      .filter((m) => m.split === 'dev')
      .at(-1)?.value;
  return { advice: runAdvice(t.db, run), accuracy: last('classification.accuracy'), nerF1: last('ner.f1') };
}

describe.skipIf(!have)('the advisor on real tiny runs (AG News + silver entities)', () => {
  const rows = have ? silverRows() : [];

  it('names the NER head as lagging at NER weight 0.05; at weight 1 it says NER crowds classification out', async () => {
    const [train, dev] = [rows.slice(0, 400), rows.slice(1000, 1200)];
    const weights = (ner: number) => ({ epochs: 6, batchSize: 16, taskWeights: { classification: 1, ner } });
    const starved = await adviceOf(train, dev, weights(0.05));
    const lag = starved.advice.find((a) => a.kind === 'head-lags');
    expect(lag).toMatchObject({ task: 'ner' });
    expect(lag!.message).toMatch(/NER head lags: its dev entity F1 is 0\.0, at chance.*loss weight is 0\.05 against 1/);
    const equal = await adviceOf(train, dev, weights(1));
    expect(equal.advice.some((a) => a.kind === 'head-lags' && a.task === 'ner')).toBe(false);
    // At equal weights the shared tiny encoder serves NER and classification stays at chance; the advice to
    // lower the NER weight is right: the starved-NER run above is that run, and its classification learned.
    const stuck = equal.advice.find((a) => a.kind === 'not-learning' && a.task === 'classification');
    expect(stuck?.message).toMatch(/crowd this head out\. Try a lower NER weight \(e\.g\. 0\.1\)/);
    expect(equal.accuracy!).toBeLessThan(0.3);
    expect(starved.accuracy!).toBeGreaterThan(equal.accuracy! + 0.2);
    console.log(
      `[advice-runs] NER weight 0.05: accuracy ${starved.accuracy}, F1 ${starved.nerF1}; weight 1: accuracy ${equal.accuracy}, F1 ${equal.nerF1}`,
    );
  }, 120_000);

  it('says a tiny train set trained for many epochs over-fits, and a larger one trained briefly does not', async () => {
    const dev = rows.slice(1000, 1200);
    const over = await adviceOf(rows.slice(0, 24), dev, {
      epochs: 40,
      batchSize: 8,
      taskWeights: { classification: 1, ner: 0 },
    });
    const overFit = over.advice.find((a) => a.kind === 'over-fitting');
    expect(overFit).toMatchObject({ task: 'classification' });
    // Its dev accuracy still rose after the dev loss's minimum: the advice does not tell the user to stop there.
    expect(overFit!.message).toMatch(/dev loss was lowest at step \d+ .* dev accuracy still rose/);
    console.log(`[advice-runs] 24 rows x 40 epochs: accuracy ${over.accuracy}; ${overFit!.message}`);
    const sound = await adviceOf(rows.slice(0, 400), dev, {
      epochs: 3,
      batchSize: 16,
      taskWeights: { classification: 1, ner: 0 },
    });
    expect(sound.advice.some((a) => a.kind === 'over-fitting')).toBe(false);
  }, 120_000);
});

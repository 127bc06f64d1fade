// Test helpers: a temp database with one labelled dataset (classes + gold spans) and a tiny random BERT.
import { join } from 'node:path';
import { writeTinyBert } from '../../engine/model/testing';
import { tempDb, type TempDb } from '../../store/testing';
import { projectWithRows, type Row } from '../datasets/testing';
import { TrainingRequest, type TrainingRequestInput } from './schemas';
import { runTraining } from './start';

const TEMPLATES: readonly {
  readonly label: string;
  readonly text: string;
  readonly spans: readonly [string, string][];
}[] = [
  {
    label: 'Sports',
    text: 'John Smith won the game in Paris on Sunday.',
    spans: [
      ['John Smith', 'PER'],
      ['Paris', 'LOC'],
    ],
  },
  {
    label: 'Business',
    text: 'Shares of Microsoft fell in London on Monday.',
    spans: [
      ['Microsoft', 'ORG'],
      ['London', 'LOC'],
    ],
  },
  { label: 'Sports', text: 'The team lost the season game in New York.', spans: [['New York', 'LOC']] },
  { label: 'Business', text: 'Google said sales rose to 3 billion this year.', spans: [['Google', 'ORG']] },
];

/** `n` labelled rows cycling through four templates, each made unique by a number. */
export function labelledRows(n: number): Row[] {
  return Array.from({ length: n }, (_, i) => {
    const t = TEMPLATES[i % TEMPLATES.length]!;
    const text = `${t.text} Report ${i}.`;
    const spans = t.spans.map(([surface, label]) => {
      const start = text.indexOf(surface);
      return { start, end: start + surface.length, label };
    });
    return { text, label: t.label, spans };
  });
}

export interface TrainFixture extends TempDb {
  readonly projectId: number;
  readonly datasetId: number;
  readonly modelDir: string;
}

/** A temp database with `rows` imported as one dataset (3:1 train/dev) and a tiny BERT folder. */
export async function trainFixture(
  rows: readonly Row[] = labelledRows(32),
  importExtra: Record<string, unknown> = {},
): Promise<TrainFixture> {
  const t = tempDb();
  const { projectId, summary } = await projectWithRows(t.db, t.dir, rows, {
    split: { mode: 'stratified', train: 3, dev: 1, test: 0, seed: 1 },
    ...importExtra,
  });
  const modelDir = writeTinyBert(join(t.dir, 'base'), {
    layers: 1,
    hidden: 16,
    heads: 2,
    intermediate: 32,
    seed: 1,
  }).dir;
  return { ...t, projectId, datasetId: summary.datasetId, modelDir };
}

/** A small, fast training request for the fixture, with its defaults filled in (as the dispatcher passes it). */
export function quickRequest(f: TrainFixture, extra: Partial<TrainingRequestInput> = {}): TrainingRequest {
  return TrainingRequest.parse({
    projectId: f.projectId,
    datasetId: f.datasetId,
    modelDir: f.modelDir,
    epochs: 2,
    batchSize: 8,
    maxLength: 32,
    lr: 1e-3,
    device: 'cpu',
    threads: 1,
    ...extra,
  });
}

/** The fixture plus one completed run of it (trained for real in a worker, a few seconds). */
export async function trainedFixture(
  rows?: readonly Row[],
  extra: Partial<TrainingRequestInput> = {},
  importExtra: Record<string, unknown> = {},
): Promise<TrainFixture & { readonly runId: number }> {
  const f = await trainFixture(rows, importExtra);
  const outcome = await runTraining(f.db, quickRequest(f, { epochs: 3, ...extra }));
  if (outcome.run.status !== 'completed')
    throw new Error(`fixture training ended ${outcome.run.status}: ${outcome.run.error ?? ''}`);
  return { ...f, runId: outcome.run.id };
}

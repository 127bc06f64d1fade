import { describe, expect, it } from 'vitest';
import type { DatasetId, RunDataInfo } from '../../../src-preload/contract';
import { runDataLines } from './run-data';

const row = (role: RunDataInfo['role'], id: number | null, name: string, split: RunDataInfo['split']): RunDataInfo => ({
  role,
  datasetId: id as DatasetId | null,
  datasetName: name,
  split,
  deletedAt: id === null ? '2026-01-01T00:00:00Z' : null,
});

describe('runDataLines', () => {
  it('says per task which datasets trained and evaluated it, and marks deleted ones', () => {
    expect(
      runDataLines([
        row('classification-train', 1, 'news', 'train'),
        row('classification-dev', 2, 'news-dev', null),
        row('ner-train', null, 'conll', 'train'),
        row('ner-dev', null, 'conll', 'dev'),
      ]),
    ).toEqual([
      {
        task: 'Classification',
        text: 'trained on the train split of "news", evaluated on every example of "news-dev"',
        deleted: false,
      },
      {
        task: 'Entities',
        text: 'trained on the train split of "conll", evaluated on the dev split of "conll"',
        deleted: true,
      },
    ]);
    expect(runDataLines([])).toEqual([]);
  });
});

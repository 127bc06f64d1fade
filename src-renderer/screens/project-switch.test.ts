// Switching project clears what the screen said about the previous one (errors, notices, import summaries).
import { describe, expect, it } from 'vitest';
import type { Api, ApiError, ProjectId } from '../../src-preload/contract';
import { AnnotateState } from './annotate/annotate-state.svelte';
import { DatasetsState } from './datasets/datasets-state.svelte';
import { RunsState } from './runs/runs-state.svelte';
import { TrainState } from './train/train-state.svelte';

/** Answers every list with an empty one: a project with nothing in it yet. */
const emptyApi: Api = {
  invoke: async (method) => {
    const lists = ['datasets.list', 'runs.list', 'projects.list', 'annotate.history'];
    if (lists.includes(method)) return { ok: true, value: [] } as never;
    return { ok: false, error: { code: 'unknown_method', message: method } } as never;
  },
  onEvent: () => () => undefined,
};

const stale: ApiError = { code: 'not_found', title: 'File not found', message: 'in project 1' };
const other = 2 as ProjectId;

describe('switching project', () => {
  it('clears the Annotate notice and error', async () => {
    const s = new AnnotateState(emptyApi);
    s.notice = { tone: 'info', text: 'Pre-annotated 300 examples of project 1.' };
    s.error = stale;
    await s.selectProject(other);
    expect(s.notice).toBeNull();
    expect(s.error).toBeNull();
  });

  it("clears the Datasets error and the previous project's import summary", async () => {
    const s = new DatasetsState(emptyApi);
    s.error = stale;
    s.importer = { phase: 'imported', summary: {} as never };
    await s.selectProject(other);
    expect(s.error).toBeNull();
    expect(s.importer).toEqual({ phase: 'idle' });
  });

  it('clears the Runs and Train errors', async () => {
    const runs = new RunsState(emptyApi);
    runs.error = stale;
    await runs.selectProject(other);
    expect(runs.error).toBeNull();
    const train = new TrainState(emptyApi);
    train.error = stale;
    await train.selectProject(other);
    expect(train.error).toBeNull();
  });
});

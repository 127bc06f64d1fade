import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { tempDb, type TempDb } from '../../store/testing';
import { createProject } from '../projects';
import { projectWithRows } from '../datasets/testing';
import { addSpan } from '../annotate/edits';
import { listExamples, ListExamplesInput } from '../datasets/examples';
import { NotFoundError } from '../../store/errors';
import {
  addArtifact,
  appendMetrics,
  createRun,
  CreateRunInput,
  dataSnapshotHash,
  getRun,
  listRuns,
  recoverInterruptedRuns,
  updateRunStatus,
} from './index';

let t: TempDb;
let projectId: number;
beforeEach(() => {
  t = tempDb();
  projectId = createProject(t.db, { name: 'runs', description: '' }).id;
});
afterEach(() => t.cleanup());

const HASH = 'a'.repeat(64);
const newRun = (extra: Partial<CreateRunInput> = {}) =>
  createRun(t.db, {
    projectId,
    name: 'minilm frozen',
    config: { lr: 5e-5, epochs: 2, tasks: ['cls', 'ner'] },
    preset: 'heads-only',
    modelPath: '/models/all-MiniLM-L6-v2',
    dataHash: HASH,
    deviceRequested: 'webgpu',
    ...extra,
  });

describe('runs', () => {
  it('records the lifecycle, device facts, metrics (NaN kept) and artifacts', () => {
    const run = newRun();
    expect(run).toMatchObject({ status: 'queued', ownerPid: process.pid, config: { lr: 5e-5 } });
    const running = updateRunStatus(t.db, {
      runId: run.id,
      status: 'running',
      deviceUsed: 'cpu',
      deviceReason: 'webgpu: No supported adapters',
      timings: { graphBuild: 1.5 },
    });
    expect(running.startedAt).not.toBeNull();
    appendMetrics(t.db, {
      runId: run.id,
      metrics: [
        { step: 1, epoch: 0.1, split: 'train', name: 'loss', value: 2.5 },
        { step: 2, epoch: 0.2, split: 'train', name: 'loss', value: Number.NaN },
        { step: 2, epoch: 0.2, split: 'dev', name: 'accuracy', value: 0.75 },
      ],
    });
    addArtifact(t.db, { runId: run.id, kind: 'checkpoint', path: '/runs/1/ckpt-2', sha256: HASH, bytes: 1234 });
    const done = updateRunStatus(t.db, { runId: run.id, status: 'completed', timings: { train: 30 } });
    expect(done).toMatchObject({
      status: 'completed',
      deviceUsed: 'cpu',
      deviceReason: 'webgpu: No supported adapters',
      timings: { graphBuild: 1.5, train: 30 },
    });
    expect(done.endedAt).not.toBeNull();

    const detail = getRun(t.db, { runId: run.id });
    expect(detail.metrics.map((m) => [m.name, m.step])).toEqual([
      ['loss', 1],
      ['loss', 2],
      ['accuracy', 2],
    ]);
    expect(Number.isNaN(detail.metrics[1].value)).toBe(true);
    expect(getRun(t.db, { runId: run.id, metric: 'accuracy' }).metrics).toHaveLength(1);
    expect(detail.artifacts).toMatchObject([{ kind: 'checkpoint', bytes: 1234 }]);
    expect(() => updateRunStatus(t.db, { runId: run.id, status: 'running' })).toThrow(/completed/);
  });

  it('lists newest first and validates input', () => {
    const a = newRun();
    const b = newRun({ name: 'second' });
    expect(listRuns(t.db, { projectId }).map((r) => r.id)).toEqual([b.id, a.id]);
    // Validation is the schema's (the caller parses): an incomplete run is refused field by field; ids may be strings.
    const incomplete = CreateRunInput.safeParse({ projectId, name: 'x' });
    expect(incomplete.error?.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'config',
      'dataHash',
      'deviceRequested',
      'modelPath',
      'preset',
    ]);
    expect(
      CreateRunInput.parse({
        projectId: String(projectId),
        name: 'x',
        config: {},
        preset: 'p',
        modelPath: '/m',
        dataHash: HASH,
        deviceRequested: 'cpu',
      }).projectId,
    ).toBe(projectId);
    expect(() => appendMetrics(t.db, { runId: 999, metrics: [] })).toThrow(NotFoundError);
  });

  it('marks runs of dead processes interrupted at startup, leaving live ones alone', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const orphan = newRun({ ownerPid: Number(dead) });
    updateRunStatus(t.db, { runId: orphan.id, status: 'running' });
    const mine = newRun();
    updateRunStatus(t.db, { runId: mine.id, status: 'running' });
    expect(recoverInterruptedRuns(t.db)).toEqual([orphan.id]);
    const r = getRun(t.db, { runId: orphan.id }).run;
    expect(r.status).toBe('interrupted');
    expect(r.error).toMatch(/pid \d+.*checkpoint/);
    expect(getRun(t.db, { runId: mine.id }).run.status).toBe('running');
  });
});

describe('dataSnapshotHash', () => {
  it('is stable and changes when labels change', async () => {
    const { summary } = await projectWithRows(t.db, t.dir, [
      { text: 'Acme hires Bob', label: 'Business' },
      { text: 'Rain', label: 'World' },
    ]);
    const h1 = dataSnapshotHash(t.db, { datasetIds: [summary.datasetId] });
    expect(h1).toMatch(/^[0-9a-f]{64}$/);
    expect(dataSnapshotHash(t.db, { datasetIds: [summary.datasetId] })).toBe(h1);
    const [e] = listExamples(t.db, ListExamplesInput.parse({ datasetId: summary.datasetId })).items;
    addSpan(t.db, { exampleId: e.id, start: 0, end: 4, type: 'ORG' });
    expect(dataSnapshotHash(t.db, { datasetIds: [summary.datasetId] })).not.toBe(h1);
  });
});

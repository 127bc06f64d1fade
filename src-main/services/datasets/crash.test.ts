// Reliability: a SIGKILL in the middle of an import leaves a consistent database that resumes exactly,
// and readers keep working (WAL) while the child writes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb, integrityCheck } from '../../store/db';
import { tempDb, type TempDb } from '../../store/testing';
import { createProject } from '../projects';
import { importDataset } from './import';
import { ImportDatasetInput } from './schemas';
import { listDatasets, listIncompleteImports } from './manage';
import { datasetStats } from './examples';

const ROWS = 30_000;
const CHILD = fileURLToPath(new URL('./testing/crash-child.ts', import.meta.url));
const LABELS = ['World', 'Sports', 'Business', 'Sci/Tech'];

let t: TempDb;
let csvPath: string;
beforeEach(() => {
  t = tempDb();
  createProject(t.db, { name: 'crash', description: '' });
  csvPath = join(t.dir, 'big.csv');
  const lines = ['label,text'];
  for (let i = 0; i < ROWS; i++)
    lines.push(`${LABELS[i % 4]},"Row ${i}: a synthetic headline about item ${i * 7919} and its ""details"""`);
  lines.push(lines[1]); // a duplicate of the first row at the very end: the resumed run must still catch it
  writeFileSync(csvPath, lines.join('\n') + '\n');
});
afterEach(() => t.cleanup());

/** Starts the child importer; resolves once it has committed at least `minExamples`, then kills it. */
function importAndKill(
  minExamples: number,
  onTick: () => void,
): Promise<{ committedSeen: number; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, t.path, csvPath, '500'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let committedSeen = 0;
    let stderr = '';
    let buffered = '';
    let tickError: unknown = null;
    const timer = setInterval(() => {
      try {
        onTick();
      } catch (err) {
        tickError ??= err;
      }
    }, 5);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      for (const m of buffered.matchAll(/committed (\d+)/g)) committedSeen = Math.max(committedSeen, Number(m[1]));
      if (buffered.includes('finished'))
        reject(new Error(`child finished before it was killed: ${buffered.slice(-300)}`));
      if (committedSeen >= minExamples && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      if (tickError !== null) reject(tickError as Error);
      else if (signal === 'SIGKILL') resolve({ committedSeen, signal });
      else reject(new Error(`child exited with ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

describe('import crash safety', () => {
  it('survives SIGKILL mid-import: consistent, invisible while partial, then resumes to the exact rows', async () => {
    const reader = openDb(t.path);
    let reads = 0;
    const projectId = 1;
    // Concurrent reader: polls counts while the child holds write transactions; must never fail or block.
    const { committedSeen } = await importAndKill(5000, () => {
      reader.prepare('SELECT count(*) AS n FROM examples').get();
      expect(listDatasets(reader, { projectId })).toEqual([]);
      reads++;
    });
    reader.close();
    expect(reads).toBeGreaterThan(0);
    expect(committedSeen).toBeGreaterThanOrEqual(5000);

    const db = openDb(t.path);
    expect(integrityCheck(db)).toEqual(['ok']);
    expect(listDatasets(db, { projectId })).toEqual([]); // no half dataset visible
    const [partial] = listIncompleteImports(db, { projectId });
    const stored = db
      .prepare<[number], { n: number }>('SELECT count(*) AS n FROM examples WHERE dataset_id = ?')
      .get(partial.id)?.n;
    // Counters were committed with their rows: they agree, and cover at least what the child reported.
    expect(partial.examples).toBe(stored);
    expect(partial.examples).toBeGreaterThanOrEqual(committedSeen);
    expect(partial.examples).toBeLessThan(ROWS);

    const s = await importDataset(db, ImportDatasetInput.parse({ projectId, path: csvPath, batchSize: 5000 }));
    expect(s.datasetId).toBe(partial.id);
    expect(s.resumedAfterLine).toBe(partial.resumeLine);
    expect(s).toMatchObject({ rowsRead: ROWS + 1, examples: ROWS, skipped: 0, duplicates: 1 });
    expect(s.duplicateRows).toEqual([{ line: ROWS + 2, firstLine: 2 }]);
    const lines = db
      .prepare<[number], { n: number; lo: number; hi: number }>(
        'SELECT count(DISTINCT line) AS n, min(line) AS lo, max(line) AS hi FROM examples WHERE dataset_id = ?',
      )
      .get(s.datasetId);
    expect(lines).toEqual({ n: ROWS, lo: 2, hi: ROWS + 1 });
    const stats = datasetStats(db, { datasetId: s.datasetId });
    for (const l of LABELS) expect(stats.byClass[l]).toEqual({ train: 6000, dev: 750, test: 750 });
    expect(integrityCheck(db)).toEqual(['ok']);
    db.close();
  });
});

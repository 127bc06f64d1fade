// Test helpers: write rows to a real file and import them through the real importer. crash-child.ts is the
// child process that crash.test.ts kills mid-import.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../../store/db';
import { createProject, CreateProjectInput } from '../../projects';
import { importDataset, type ImportSummary } from '../import';
import { ImportDatasetInput } from '../schemas';

export interface Row {
  readonly text: string;
  readonly label?: string;
  readonly spans?: readonly { readonly start: number; readonly end: number; readonly label: string }[];
}

/** Writes rows as JSONL ({text, label, spans}) and returns the file path. */
export function writeJsonl(dir: string, name: string, rows: readonly Row[]): string {
  const path = join(dir, name);
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
}

/** Creates a project and imports `rows` into it as one dataset. */
export async function projectWithRows(
  db: Db,
  dir: string,
  rows: readonly Row[],
  extra: Record<string, unknown> = {},
): Promise<{ projectId: number; summary: ImportSummary }> {
  const project = createProject(db, CreateProjectInput.parse({ name: `p${Math.random().toString(36).slice(2, 8)}` }));
  const path = writeJsonl(dir, `rows-${project.id}.jsonl`, rows);
  // Parsed as the dispatcher would: `extra` may leave out fields that have defaults.
  const summary = await importDataset(db, ImportDatasetInput.parse({ projectId: project.id, path, ...extra }));
  return { projectId: project.id, summary };
}

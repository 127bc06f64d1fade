// Child process for the crash test (../crash.test.ts): imports a CSV and reports each committed batch on stdout,
// so the parent can SIGKILL it mid-import.
// Usage: node --import tsx src-main/services/datasets/testing/crash-child.ts <db> <csv> <batch>
import { openDb } from '../../../store/db';
import { listProjects } from '../../../store/repos/projects';
import { importDataset } from '../import';
import { ImportDatasetInput } from '../schemas';

const [dbPath, csvPath, batch] = process.argv.slice(2);
const db = openDb(dbPath);
const projectId = listProjects(db)[0].id;
const r = await importDataset(db, ImportDatasetInput.parse({ projectId, path: csvPath, batchSize: Number(batch) }), {
  onEvent: (e) => e.kind === 'progress' && process.stdout.write(`committed ${e.examples}\n`),
});
process.stdout.write(`finished ${JSON.stringify(r)}\n`);

// Dataset health: duplicates, train/dev leakage and likely label errors, found before training.
export { analyseHealth, HealthSettings, type HealthInput, type HealthRuntime, type HealthStage } from './analyse';
export { checkFiles, HealthFilesInput } from './files';
export { readDataRows, type DataRow, type ReadRows } from './read';
export type * from './report';

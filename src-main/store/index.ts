// Public surface of the store layer.
export { openDb, integrityCheck, schemaVersion, migrate, SCHEMA_VERSION, type Db, type OpenOptions } from './db';
export * from './errors';
export * from './types';
export * as projects from './repos/projects';
export * as datasets from './repos/datasets';
export * as examples from './repos/examples';
export * as spans from './repos/spans';
export * as query from './repos/query';
export * as runs from './repos/runs';
export * as annotationLog from './repos/annotationLog';

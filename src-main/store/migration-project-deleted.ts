// Schema step for deleting projects whose runs must stay (issue 18), in its own file like the health step.

/** projects.deleted_at: a deleted project that had runs stays as a hidden row, so its runs are kept. */
// Structurally a Migration (migrations.ts imports this file, so it does not import that type back).
export function projectDeletedMigration(version: number): { version: number; description: string; up: string } {
  return {
    version,
    description: 'projects.deleted_at: deleted projects keep their runs',
    up: `ALTER TABLE projects ADD COLUMN deleted_at TEXT;`,
  };
}

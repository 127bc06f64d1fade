// Content digests of artifact folders (checkpoints, export bundles) and where a run's best checkpoint is.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Db } from '../../store/db';
import { getRun, listArtifacts } from '../../store/repos/runs';
import { ServiceError } from '../api/errors';

/**
 * SHA-256 over the folder's files (relative path + content, in path order) and their size on disk: a hard-linked
 * file (an export bundle's head folders) is hashed under each name but its bytes are counted once.
 */
export function folderDigest(dir: string): { readonly sha256: string; readonly bytes: number } {
  const files = listFiles(dir).sort();
  const hash = createHash('sha256');
  const seen = new Set<string>();
  let bytes = 0;
  for (const path of files) {
    const data = readFileSync(path);
    const st = statSync(path, { bigint: true });
    const inode = `${st.dev}:${st.ino}`;
    if (!seen.has(inode)) bytes += data.length;
    seen.add(inode);
    hash.update(relative(dir, path).split(sep).join('/')).update('\0').update(data).update('\0');
  }
  return { sha256: hash.digest('hex'), bytes };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return listFiles(path);
    return d.isFile() ? [path] : [];
  });
}

/** The folder of a run's best checkpoint (its latest checkpoint artifact); refuses runs without one. */
export function runCheckpointDir(db: Db, runId: number): string {
  const run = getRun(db, runId);
  const ckpt = listArtifacts(db, runId)
    .filter((a) => a.kind === 'checkpoint')
    .at(-1);
  if (!ckpt) {
    throw new ServiceError(
      'conflict',
      `Run ${runId} (${run.status}) has no checkpoint; only a run that evaluated at least once has one. Train it (again) first.`,
    );
  }
  if (!existsSync(join(ckpt.path, 'config.json')) || !statSync(ckpt.path).isDirectory()) {
    throw new ServiceError(
      'not_found',
      `The checkpoint of run ${runId} is missing at ${ckpt.path}; it was moved or deleted. Train the run again.`,
    );
  }
  return ckpt.path;
}

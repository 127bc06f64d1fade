/**
 * Lists one folder for the UI's file picker. The backend reads files by absolute path (imports), so the
 * picker runs on the backend too: Electron and browser mode get the same picker through the contract.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FileEntry, ListFilesOutput } from '../../../src-preload/contract';
import { ServiceError } from '../api/errors';

/** At most this many entries are returned (folders such as node_modules can hold far more). */
export const MAX_ENTRIES = 2_000;

async function toEntry(dir: string, entry: Dirent): Promise<FileEntry | null> {
  if (!entry.isDirectory() && !entry.isFile() && !entry.isSymbolicLink()) return null; // sockets, fifos, devices
  const full = path.join(dir, entry.name);
  // stat follows links; a dangling link or an entry we may not read is left out rather than failing the list.
  const info = await stat(full).catch(() => null);
  if (info === null || !(info.isDirectory() || info.isFile())) return null;
  return info.isDirectory()
    ? { name: entry.name, path: full, kind: 'dir', bytes: null }
    : { name: entry.name, path: full, kind: 'file', bytes: info.size };
}

/** Lists `dir` (default: the home folder): folders first, then files, by name. */
export async function listFiles(dir: string | undefined, showHidden: boolean): Promise<ListFilesOutput> {
  const target = path.resolve(dir ?? os.homedir());
  if (dir !== undefined && !path.isAbsolute(dir)) {
    throw new ServiceError(
      'path_rejected',
      `"${dir}" is not an absolute folder path; give a path such as ${os.homedir()}.`,
    );
  }
  let dirents: Dirent[];
  try {
    dirents = await readdir(target, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ServiceError('not_found', `The folder ${target} does not exist.`);
    if (code === 'ENOTDIR') throw new ServiceError('invalid_input', `${target} is a file, not a folder.`);
    if (code === 'EACCES' || code === 'EPERM')
      throw new ServiceError('io', `No permission to read the folder ${target}.`);
    throw error;
  }
  const visible = dirents.filter((d) => showHidden || !d.name.startsWith('.'));
  const entries = (await Promise.all(visible.slice(0, MAX_ENTRIES).map((d) => toEntry(target, d)))).filter(
    (e): e is FileEntry => e !== null,
  );
  entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'dir' ? -1 : 1));
  const parent = path.dirname(target);
  return { dir: target, parent: parent === target ? null : parent, entries, truncated: visible.length > MAX_ENTRIES };
}

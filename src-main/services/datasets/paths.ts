// Path rules at the service boundary: imports read absolute existing files; exports write inside one folder.
import { realpathSync, statSync, lstatSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ServiceError } from '../api/errors';

/** Checks an import path: absolute, existing, a regular file (symlinks resolved). Returns the real path. */
export function checkImportPath(path: string): string {
  if (!isAbsolute(path)) {
    throw new ServiceError(
      'path_rejected',
      `Import path "${path}" is relative; pass an absolute path (e.g. ${resolve(path)}).`,
    );
  }
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    throw new ServiceError(
      'not_found',
      `Import file "${path}" does not exist; check the path and that the file is readable.`,
      undefined,
      { title: 'File not found' },
    );
  }
  if (!statSync(real).isFile()) {
    throw new ServiceError(
      'path_rejected',
      `Import path "${path}" is not a regular file; pick a .csv, .tsv, .jsonl or CoNLL .txt file.`,
    );
  }
  return real;
}

/** True when the path exists and is itself a symbolic link (dangling ones included). */
function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false; // does not exist yet: fine for a file about to be written
  }
}

function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  // A first segment of exactly '..' leaves the root; a name such as '..notes' does not.
  return rel === '' || (rel.split(sep)[0] !== '..' && !isAbsolute(rel));
}

/** The deepest existing ancestor of a path (the path itself when it exists), with symlinks resolved. */
function realExistingAncestor(path: string): { real: string; rest: string } {
  let current = path;
  for (;;) {
    try {
      return { real: realpathSync(current), rest: relative(current, path) };
    } catch {
      const parent = dirname(current);
      if (parent === current) throw new ServiceError('path_rejected', `No part of "${path}" exists.`);
      current = parent;
    }
  }
}

/**
 * Resolves `relativePath` inside `folder` for writing, refusing absolute paths, `..` escapes, and symlinks
 * (in any existing part of the path) that lead outside the folder. The folder itself must exist.
 */
export function resolveExportPath(folder: string, relativePath: string): string {
  if (!isAbsolute(folder)) {
    throw new ServiceError('path_rejected', `Export folder "${folder}" is relative; choose an absolute folder.`);
  }
  let root: string;
  try {
    root = realpathSync(folder);
  } catch {
    throw new ServiceError(
      'path_rejected',
      `Export folder "${folder}" does not exist; create it first or choose another.`,
    );
  }
  if (!statSync(root).isDirectory())
    throw new ServiceError('path_rejected', `Export folder "${folder}" is not a folder.`);
  if (relativePath === '' || isAbsolute(relativePath)) {
    throw new ServiceError(
      'path_rejected',
      `Export file name "${relativePath}" must be a non-empty path relative to the export folder.`,
    );
  }
  const target = resolve(root, relativePath);
  if (!isInside(root, target)) {
    throw new ServiceError(
      'path_rejected',
      `Export path "${relativePath}" leaves the export folder ${folder}; use a name without "..".`,
    );
  }
  const { real, rest } = realExistingAncestor(target);
  if (!isInside(root, real)) {
    throw new ServiceError(
      'path_rejected',
      `Export path "${relativePath}" goes through a symbolic link out of ${folder}; write to a plain file name.`,
    );
  }
  if (isSymlink(target)) {
    throw new ServiceError(
      'path_rejected',
      `Export target "${relativePath}" is a symbolic link; remove it or choose another name.`,
    );
  }
  return rest === '' ? real : join(real, rest);
}

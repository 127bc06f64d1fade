// previewFile: the first rows and detected columns of a file, for the column-mapping step before import.
import { previewFile as previewWithImporter } from '../../data/import';
import type { ImportPreview } from '../../data/types';
import { guardAsync, parseInput, type Result } from '../errors';
import { checkImportPath } from './paths';
import { PreviewFileInput } from './schemas';

/** Format, encoding, columns, suggested mapping and the first rows of a file; reads no more than it needs. */
export async function previewFile(input: unknown): Promise<Result<ImportPreview>> {
  return guardAsync(async () => {
    const { path, rows, ...options } = parseInput(PreviewFileInput, input, 'previewFile input');
    return previewWithImporter(checkImportPath(path), options, rows);
  });
}

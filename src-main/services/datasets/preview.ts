// previewFile: the first rows and detected columns of a file, for the column-mapping step before import.
import { previewFile as previewWithImporter } from '../../data/import';
import type { ImportPreview } from '../../data/types';
import { checkImportPath } from './paths';
import type { PreviewFileInput } from './schemas';

/** Format, encoding, columns, suggested mapping and the first rows of a file; reads no more than it needs. */
export async function previewFile({ path, rows, ...options }: PreviewFileInput): Promise<ImportPreview> {
  return previewWithImporter(checkImportPath(path), options, rows);
}

import type { ImportEvent, ImportOptions } from '../types';

/** Streams examples from a CSV/TSV/JSONL/CoNLL/Prodigy/doccano file; format from `options.format` or the extension. */
export async function* importFile(path: string, options: ImportOptions = {}): AsyncIterable<ImportEvent> {
  void path;
  void options;
  throw new Error('importFile: not implemented yet (H3 in progress)');
}

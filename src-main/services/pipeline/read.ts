import { importFile } from '../../data/import';
import type { LabelledText } from '../../data/prepare';
import type { ImportFormat, ImportReport } from '../../data/types';
import { Rng } from '../../engine/random';
import { ServiceError } from '../api/errors';

/** Input data the pipeline refuses (invalid_input); the message names file:line and the fix. */
export class PipelineInputError extends ServiceError {
  constructor(message: string) {
    super('invalid_input', message);
  }
}

export interface ReadOptions {
  readonly format?: ImportFormat;
  /** Keep going past rows the importer skipped (they are reported); otherwise the file is refused. */
  readonly skipBadRows?: boolean;
  /** Use a seeded random sample of this many examples (quick runs); 0 = all. */
  readonly limit?: number;
  readonly labels?: readonly string[];
}

/** Reads a whole labelled file through the importers, refusing it on bad rows unless asked not to. */
export async function readLabelledFile(
  path: string,
  options: ReadOptions = {},
): Promise<{ items: LabelledText[]; report: ImportReport }> {
  const items: LabelledText[] = [];
  let report: ImportReport | undefined;
  for await (const ev of importFile(path, {
    ...(options.format && { format: options.format }),
    ...(options.labels && { labels: options.labels }),
  })) {
    if (ev.kind === 'example') {
      const e = ev.example;
      items.push({
        text: e.text,
        ...(e.label !== undefined && { label: e.label }),
        ...(e.spans && { spans: e.spans }),
        ...(e.tokens && { tokens: e.tokens }),
      });
    } else if (ev.kind === 'done') {
      report = ev.report;
    }
  }
  if (!report)
    throw new PipelineInputError(`${path}: the importer ended without a report; the file may be unreadable.`);
  if (report.skipped > 0 && !options.skipBadRows) {
    const shown = report.skippedRows.slice(0, 5).map((r) => `  ${path}:${r.line}: ${r.reason}`);
    throw new PipelineInputError(
      [
        `${path}: ${report.skipped} row(s) could not be read:`,
        ...shown,
        report.skipped > 5 ? `  ... and ${report.skipped - 5} more` : '',
        'Fix these rows, or pass --skip-bad-rows to train without them.',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  }
  if (items.length === 0)
    throw new PipelineInputError(
      `${path}: no examples were read; check the file's format and columns (expected label,text for CSV).`,
    );
  return { items: options.limit ? sample(items, options.limit) : items, report };
}

// A seeded random subset in file order: the first N rows of a sorted file may hold a single class.
function sample<T>(items: readonly T[], n: number): T[] {
  if (n >= items.length) return [...items];
  const picked = Rng.fromSeed(1234)
    .shuffle(items.map((_, i) => i))
    .slice(0, n)
    .sort((a, b) => a - b);
  return picked.map((i) => items[i]!);
}

/** Class labels of train, checked against dev: dev may not use labels train lacks, and must share some. */
export function classLabelSet(
  train: readonly LabelledText[],
  dev: readonly LabelledText[],
  trainPath: string,
  devPath: string,
): string[] {
  const labels = [...new Set(train.flatMap((e) => (e.label !== undefined ? [e.label] : [])))].sort();
  const known = new Set(labels);
  const devLabels = new Set(dev.flatMap((e) => (e.label !== undefined ? [e.label] : [])));
  const unknown = [...devLabels].filter((l) => !known.has(l));
  if (devLabels.size > 0 && unknown.length === devLabels.size) {
    throw new PipelineInputError(
      `${devPath} shares no class labels with ${trainPath} (dev: ${[...devLabels].slice(0, 5).join(', ')}; train: ${labels.slice(0, 5).join(', ')}); is it the dev split of the same dataset?`,
    );
  }
  if (unknown.length > 0) {
    throw new PipelineInputError(
      `${devPath} uses class label(s) ${unknown.map((l) => `"${l}"`).join(', ')} that never occur in ${trainPath}; add training examples for them or remove those dev rows.`,
    );
  }
  if (labels.length === 1)
    throw new PipelineInputError(`${trainPath} has only one class ("${labels[0]}"); a classifier needs at least two.`);
  return labels;
}

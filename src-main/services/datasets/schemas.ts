// zod schemas for the dataset services' inputs (the dispatcher validates with them; the services take their output).
import { z } from 'zod';
import { IdSchema } from '../projects/ids';

export const ImportFormatSchema = z.enum(['csv', 'tsv', 'jsonl', 'conll', 'prodigy', 'doccano']);

const ColumnRef = z.union([z.string().min(1), z.int().nonnegative()]);
export const ColumnMappingSchema = z.object({
  textColumn: ColumnRef,
  labelColumn: ColumnRef.optional(),
  header: z.boolean().optional(),
});

// Relative weights, normalised by their sum (0.8/0.1/0.1 and 8/1/1 mean the same).
const ratio = z.number().min(0).max(1000);
export const SplitPolicySchema = z.discriminatedUnion('mode', [
  z
    .object({
      /** Shuffle within each class label with the seed and cut by the ratios. */
      mode: z.literal('stratified'),
      train: ratio,
      dev: ratio,
      test: ratio,
      seed: z.int().default(42),
    })
    .refine((r) => r.train + r.dev + r.test > 0, 'split ratios must not all be 0'),
  z.object({
    /** Every example of the file goes to one split (e.g. a separate dev file). */
    mode: z.literal('fixed'),
    split: z.enum(['train', 'dev', 'test']),
  }),
]);
export type SplitPolicy = z.output<typeof SplitPolicySchema>;

export const ImportDatasetInput = z.object({
  projectId: IdSchema,
  /** Absolute path of an existing file. */
  path: z.string().min(1),
  /** Display name; the file name when omitted. */
  name: z.string().trim().min(1).max(200).optional(),
  format: ImportFormatSchema.optional(),
  columns: ColumnMappingSchema.optional(),
  /** Allowed class labels (others are skipped with a reason). */
  labels: z.array(z.string().min(1)).optional(),
  entityTypes: z.array(z.string().min(1)).optional(),
  latin1Fallback: z.boolean().optional(),
  split: SplitPolicySchema.default({ mode: 'stratified', train: 0.8, dev: 0.1, test: 0.1, seed: 42 }),
  /** Keep rows whose text equals an earlier row's (default: skip and count them). */
  keepDuplicates: z.boolean().default(false),
  /** Source recorded for spans that come with the file: human annotations are gold. */
  importedSpanSource: z.enum(['gold', 'silver']).default('gold'),
  /** Rows per transaction: bigger is faster, smaller loses less on a crash. */
  batchSize: z.int().min(1).max(100_000).default(2000),
});
export type ImportDatasetInput = z.output<typeof ImportDatasetInput>;

export const PreviewFileInput = z.object({
  path: z.string().min(1),
  format: ImportFormatSchema.optional(),
  columns: ColumnMappingSchema.optional(),
  latin1Fallback: z.boolean().optional(),
  rows: z.int().min(1).max(200).default(20),
});
export type PreviewFileInput = z.output<typeof PreviewFileInput>;

export const DatasetIdInput = z.object({ datasetId: IdSchema });
export type DatasetIdInput = z.output<typeof DatasetIdInput>;

export const ResplitInput = z.object({ datasetId: IdSchema, split: SplitPolicySchema });
export type ResplitInput = z.output<typeof ResplitInput>;

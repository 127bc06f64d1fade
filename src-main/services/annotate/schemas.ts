// zod schemas for the annotation services' inputs (the dispatcher validates with them; the services take their output).
import { z } from 'zod';
import { IdSchema } from '../projects/ids';

const id = IdSchema;
/** Entity types: short tags such as PER, ORG, LOC, DATE (letters, digits, _ and -). */
export const EntityTypeSchema = z
  .string()
  .min(1)
  .max(40)
  .regex(
    /^[A-Za-z][A-Za-z0-9_-]*$/,
    'entity types are tags like PER or ORG (letters, digits, _ or -; no spaces; B-/I- prefixes are added on export)',
  )
  .refine((t) => !/^[BIES]-/.test(t), 'give the bare type (PER), not a BIO tag (B-PER)');

export const AddSpanInput = z
  .object({ exampleId: id, start: z.int().nonnegative(), end: z.int().positive(), type: EntityTypeSchema })
  .refine((v) => v.end > v.start, { message: 'end must be greater than start', path: ['end'] });
export type AddSpanInput = z.output<typeof AddSpanInput>;

export const SpanIdInput = z.object({ spanId: id });
export type SpanIdInput = z.output<typeof SpanIdInput>;

export const RelabelSpanInput = z.object({ spanId: id, type: EntityTypeSchema });
export type RelabelSpanInput = z.output<typeof RelabelSpanInput>;

export const SetClassLabelInput = z.object({ exampleId: id, label: z.string().trim().min(1).max(200).nullable() });
export type SetClassLabelInput = z.output<typeof SetClassLabelInput>;

export const ExampleIdInput = z.object({ exampleId: id });
export type ExampleIdInput = z.output<typeof ExampleIdInput>;

export const SetExampleStatusInput = z.object({ exampleId: id, status: z.enum(['pending', 'skipped']) });
export type SetExampleStatusInput = z.output<typeof SetExampleStatusInput>;

export const LabelAllOccurrencesInput = z.object({
  datasetId: id,
  text: z
    .string()
    .min(1)
    .max(500)
    .refine((t) => t.trim() === t, 'no leading or trailing spaces: select the word itself'),
  type: EntityTypeSchema,
});
export type LabelAllOccurrencesInput = z.output<typeof LabelAllOccurrencesInput>;

export const ProjectHistoryInput = z.object({ projectId: id, limit: z.int().min(1).max(200).default(50) });
export type ProjectHistoryInput = z.output<typeof ProjectHistoryInput>;

export const UndoInput = z.object({ projectId: id });
export type UndoInput = z.output<typeof UndoInput>;

export const LabelDatasetInput = z.object({
  datasetId: id,
  /** Leave examples already marked reviewed untouched (default). */
  skipReviewed: z.boolean().default(true),
  /** Examples per transaction. */
  batchSize: z.int().min(1).max(10_000).default(200),
});
export type LabelDatasetInput = z.output<typeof LabelDatasetInput>;

const Prediction = z.object({
  exampleId: id,
  label: z.string().min(1).nullable().optional(),
  confidence: z.number().min(0).max(1).nullable().optional(),
  spans: z
    .array(
      z.object({
        start: z.int().nonnegative(),
        end: z.int().positive(),
        type: EntityTypeSchema,
        confidence: z.number().min(0).max(1).nullable().optional(),
      }),
    )
    .default([]),
});
export const ApplyModelPredictionsInput = z.object({
  /** Who predicted, e.g. "run:12". */
  labeler: z.string().min(1).max(200),
  predictions: z.array(Prediction).max(100_000),
});
export type ApplyModelPredictionsInput = z.output<typeof ApplyModelPredictionsInput>;

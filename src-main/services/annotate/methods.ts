/**
 * Wiring of the annotation services (services/annotate, and the example reads of services/datasets) to the
 * contract's `annotate.*` methods. Same pattern as datasets/methods.ts: the dispatcher validates with the
 * services' zod schemas, the handlers pass the parsed input straight through (errors are thrown and keep
 * their code), map store rows to contract shapes and mint branded ids.
 */
import { z } from 'zod';
import type {
  ExampleInfo,
  ExampleRow,
  HistoryEntry,
  LabelDatasetOutcome,
  LabelProgress,
  SpanInfo,
} from '../../../src-preload/contract';
import type { Db } from '../../store/db';
import type { Change, LogEntry } from '../../store/repos/annotationLog';
import type { ExampleWithSpans, Span } from '../../store/types';
import {
  acceptExample,
  acceptSpan,
  addSpan,
  AddSpanInput,
  ExampleIdInput,
  history,
  labelAllOccurrences,
  LabelAllOccurrencesInput,
  labelDataset,
  LabelDatasetInput,
  ProjectHistoryInput,
  redo,
  rejectSpan,
  relabelSpan,
  RelabelSpanInput,
  removeSpan,
  setClassLabel,
  SetClassLabelInput,
  setExampleStatus,
  SetExampleStatusInput,
  SpanIdInput,
  undo,
  UndoInput,
  type LabelDatasetEvent,
  type LabelRuntime,
} from '.';
import { getDataset } from '../../store/repos/datasets';
import type { DbHandle } from '../app/db';
import { datasetId, defineMethod, exampleId, ServiceError, spanId, type MethodSlice } from '../api';
import { getExample, listExamples, ListExamplesInput } from '../datasets';
import { IdSchema } from '../projects/ids';

/** Characters of text an `ExampleRow` carries; the list shows one line, the full text comes with getExample. */
export const PREVIEW_CHARS = 240;

function toSpanInfo(s: Span): SpanInfo {
  return {
    id: spanId(s.id),
    start: s.start,
    end: s.end,
    type: s.type,
    source: s.source,
    status: s.status,
    confidence: s.confidence,
    labeler: s.labeler,
  };
}

/** The full example as the contract shapes it (spans in text order). */
export function toExampleInfo(e: ExampleWithSpans): ExampleInfo {
  return {
    id: exampleId(e.id),
    datasetId: datasetId(e.datasetId),
    line: e.line,
    text: e.text,
    split: e.split,
    classLabel: e.classLabel,
    labelSource: e.labelSource,
    status: e.status,
    reviewedAt: e.reviewedAt,
    modelLabel: e.modelLabel,
    modelConfidence: e.modelConfidence,
    spans: [...e.spans].sort((a, b) => a.start - b.start || a.end - b.end).map(toSpanInfo),
  };
}

/** The first `max` UTF-16 units of `text`, never ending in half a surrogate pair. */
export function previewOf(text: string, max = PREVIEW_CHARS): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  const cut = code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
  return text.slice(0, cut);
}

function toExampleRow(e: ExampleWithSpans): ExampleRow {
  const spanCounts = { silver: 0, gold: 0, model: 0 };
  for (const s of e.spans) if (s.status !== 'rejected') spanCounts[s.source] += 1;
  return {
    id: exampleId(e.id),
    line: e.line,
    preview: previewOf(e.text),
    textLength: e.text.length,
    split: e.split,
    classLabel: e.classLabel,
    status: e.status,
    spanCounts,
    modelConfidence: e.modelConfidence,
  };
}

/** The example an edit touched, read from its logged changes; null when it no longer exists. */
export function exampleOfLogEntry(db: Db, logId: number): number | null {
  const row = db
    .prepare<[number], { changes_json: string }>('SELECT changes_json FROM annotation_log WHERE id = ?')
    .get(logId);
  const first = row === undefined ? undefined : (JSON.parse(row.changes_json) as readonly Change[])[0];
  if (first === undefined) return null;
  const id =
    first.kind === 'exampleUpdate'
      ? first.id
      : first.kind === 'spanUpdate'
        ? (db.prepare<[number], { example_id: number }>('SELECT example_id FROM spans WHERE id = ?').get(first.id)
            ?.example_id ?? null)
        : first.span.exampleId;
  if (id === null) return null;
  return db.prepare<[number], { id: number }>('SELECT id FROM examples WHERE id = ?').get(id)?.id ?? null;
}

function toHistoryEntry(db: Db, e: LogEntry): HistoryEntry {
  const ex = exampleOfLogEntry(db, e.id);
  return {
    id: e.id,
    action: e.action,
    summary: e.summary,
    changes: e.changes,
    undone: e.undone,
    createdAt: e.createdAt,
    exampleId: ex === null ? null : exampleId(ex),
  };
}

function toLabelProgress(e: LabelDatasetEvent): LabelProgress {
  return e.kind === 'progress' ? { ...e } : { kind: 'done', summary: { ...e.summary } };
}

type AnnotateMethods =
  | 'annotate.listExamples'
  | 'annotate.getExample'
  | 'annotate.addSpan'
  | 'annotate.removeSpan'
  | 'annotate.rejectSpan'
  | 'annotate.acceptSpan'
  | 'annotate.relabelSpan'
  | 'annotate.setClassLabel'
  | 'annotate.acceptExample'
  | 'annotate.setExampleStatus'
  | 'annotate.labelAll'
  | 'annotate.undo'
  | 'annotate.redo'
  | 'annotate.history'
  | 'annotate.labelDataset'
  | 'annotate.cancelLabel';

/** Optional hooks for tests: the silver labeler to run instead of the default pipeline. */
export interface AnnotateDeps {
  readonly labeler?: LabelRuntime['labeler'];
}

const DatasetRef = z.object({ datasetId: IdSchema });

/** Builds the `annotate.*` methods over the database in `db`. */
export function annotateMethods(db: DbHandle, deps: AnnotateDeps = {}): MethodSlice<AnnotateMethods> {
  // Running labeler passes by dataset, so a later call can cancel one and a second start is refused.
  const running = new Map<number, AbortController>();
  // Every edit answers with the edited example, shaped for the contract.
  const edit =
    <I>(run: (d: Db, input: I) => ExampleWithSpans) =>
    async (input: I) =>
      toExampleInfo(run(db.get(), input));
  return {
    'annotate.listExamples': defineMethod('annotate.listExamples', ListExamplesInput, async (input) => {
      if (input.datasetId === undefined) {
        throw new ServiceError('invalid_input', 'annotate.listExamples needs a datasetId; pick a dataset first.');
      }
      const page = listExamples(db.get(), input);
      return { items: page.items.map(toExampleRow), total: page.total, offset: page.offset };
    }),
    'annotate.getExample': defineMethod('annotate.getExample', ExampleIdInput, edit(getExample)),
    'annotate.addSpan': defineMethod('annotate.addSpan', AddSpanInput, edit(addSpan)),
    'annotate.removeSpan': defineMethod('annotate.removeSpan', SpanIdInput, edit(removeSpan)),
    'annotate.rejectSpan': defineMethod('annotate.rejectSpan', SpanIdInput, edit(rejectSpan)),
    'annotate.acceptSpan': defineMethod('annotate.acceptSpan', SpanIdInput, edit(acceptSpan)),
    'annotate.relabelSpan': defineMethod('annotate.relabelSpan', RelabelSpanInput, edit(relabelSpan)),
    'annotate.setClassLabel': defineMethod('annotate.setClassLabel', SetClassLabelInput, edit(setClassLabel)),
    'annotate.acceptExample': defineMethod('annotate.acceptExample', ExampleIdInput, edit(acceptExample)),
    'annotate.setExampleStatus': defineMethod(
      'annotate.setExampleStatus',
      SetExampleStatusInput,
      edit(setExampleStatus),
    ),
    'annotate.labelAll': defineMethod('annotate.labelAll', LabelAllOccurrencesInput, async (input) =>
      labelAllOccurrences(db.get(), input),
    ),
    'annotate.undo': defineMethod('annotate.undo', UndoInput, async (input) => {
      const { entry } = undo(db.get(), input);
      return { entry: entry === null ? null : toHistoryEntry(db.get(), entry) };
    }),
    'annotate.redo': defineMethod('annotate.redo', UndoInput, async (input) => {
      const { entry } = redo(db.get(), input);
      return { entry: entry === null ? null : toHistoryEntry(db.get(), entry) };
    }),
    'annotate.history': defineMethod('annotate.history', ProjectHistoryInput, async (input) =>
      history(db.get(), input).map((e) => toHistoryEntry(db.get(), e)),
    ),
    'annotate.labelDataset': defineMethod(
      'annotate.labelDataset',
      LabelDatasetInput,
      async (input, ctx): Promise<LabelDatasetOutcome> => {
        const id = input.datasetId;
        if (running.has(id)) {
          throw new ServiceError(
            'conflict',
            `The silver labeler is already running on dataset "${getDataset(db.get(), id).name}"; wait or cancel it.`,
          );
        }
        const abort = new AbortController();
        running.set(id, abort);
        const onEvent = (e: LabelDatasetEvent): void =>
          ctx.emit({ type: 'annotate.label', datasetId: datasetId(id), progress: toLabelProgress(e) });
        try {
          return await labelDataset(db.get(), input, { onEvent, signal: abort.signal, labeler: deps.labeler });
        } finally {
          running.delete(id);
        }
      },
    ),
    'annotate.cancelLabel': defineMethod('annotate.cancelLabel', DatasetRef, async ({ datasetId: id }) => {
      const abort = running.get(id);
      abort?.abort();
      return { cancelled: abort !== undefined };
    }),
  };
}

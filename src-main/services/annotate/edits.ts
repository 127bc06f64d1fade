// Undoable annotation edits. Each is one transaction plus one annotation_log row (see README: policies).
// Inputs are the zod schemas' output (validated by the dispatcher); failures throw.
import type { Db } from '../../store/db';
import { recordEdit, type EditRecorder } from '../../store/repos/annotationLog';
import { getExample } from '../../store/repos/examples';
import { getSpan, spansOfExample } from '../../store/repos/spans';
import { NotFoundError } from '../../store/errors';
import { nowIso, type Example, type ExampleWithSpans, type Span } from '../../store/types';
import { ServiceError } from '../api';
import type {
  AddSpanInput,
  ExampleIdInput,
  RelabelSpanInput,
  SetClassLabelInput,
  SetExampleStatusInput,
  SpanIdInput,
} from './schemas';
import { overlaps, validOffsets } from './text';

/** The project an example belongs to (its undo history is per project). */
export function projectOfExample(db: Db, exampleId: number): number {
  const row = db
    .prepare<[number], { project_id: number }>(
      'SELECT d.project_id FROM examples e JOIN datasets d ON d.id = e.dataset_id WHERE e.id = ?',
    )
    .get(exampleId);
  if (!row) throw new NotFoundError('example', exampleId);
  return row.project_id;
}

function withSpans(db: Db, exampleId: number): ExampleWithSpans {
  return { ...getExample(db, exampleId), spans: spansOfExample(db, exampleId) };
}

function quote(e: Example, start: number, end: number): string {
  const s = e.text.slice(start, end);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/**
 * Adds a gold span [start, end): it replaces every silver or gold span it overlaps (any status);
 * model spans stay, as the record of what the model predicted.
 */
function addGoldSpan(db: Db, rec: EditRecorder, e: Example, start: number, end: number, type: string): Span {
  if (!validOffsets(e.text, start, end)) {
    throw new ServiceError(
      'invalid_input',
      `Span [${start}, ${end}) does not fit example ${e.id} (text length ${e.text.length}) or splits a character in two; ` +
        'offsets are UTF-16 code units as in String.slice.',
    );
  }
  for (const s of spansOfExample(db, e.id)) {
    if (s.source !== 'model' && overlaps(s.start, s.end, start, end)) rec.deleteSpan(s.id);
  }
  return rec.insertSpan({ exampleId: e.id, start, end, type, source: 'gold', status: 'accepted', labeler: 'human' });
}

/** Adds a human span; overlapping silver/gold spans are replaced (one undo restores them). */
export function addSpan(db: Db, { exampleId, start, end, type }: AddSpanInput): ExampleWithSpans {
  const e = getExample(db, exampleId);
  recordEdit(db, projectOfExample(db, exampleId), 'addSpan', `${type} "${quote(e, start, end)}"`, (rec) =>
    addGoldSpan(db, rec, e, start, end, type),
  );
  return withSpans(db, exampleId);
}

/** Deletes a span of any source. */
export function removeSpan(db: Db, { spanId }: SpanIdInput): ExampleWithSpans {
  const span = getSpan(db, spanId);
  const e = getExample(db, span.exampleId);
  recordEdit(db, projectOfExample(db, e.id), 'removeSpan', `${span.type} "${quote(e, span.start, span.end)}"`, (rec) =>
    rec.deleteSpan(span.id),
  );
  return withSpans(db, e.id);
}

/** Marks a span rejected; it stays stored so re-running the labeler does not propose it again. */
export function rejectSpan(db: Db, { spanId }: SpanIdInput): ExampleWithSpans {
  const span = getSpan(db, spanId);
  const e = getExample(db, span.exampleId);
  recordEdit(db, projectOfExample(db, e.id), 'rejectSpan', `${span.type} "${quote(e, span.start, span.end)}"`, (rec) =>
    rec.updateSpan(span.id, { status: 'rejected' }),
  );
  return withSpans(db, e.id);
}

/** Accepts a span as gold with the given type (a model span is copied to gold so the prediction stays on record). */
function promote(db: Db, span: Span, type: string, action: string): ExampleWithSpans {
  const e = getExample(db, span.exampleId);
  recordEdit(db, projectOfExample(db, e.id), action, `${type} "${quote(e, span.start, span.end)}"`, (rec) => {
    if (span.source === 'model') addGoldSpan(db, rec, e, span.start, span.end, type);
    else rec.updateSpan(span.id, { type, source: 'gold', status: 'accepted' });
  });
  return withSpans(db, e.id);
}

/** Changes a span's type; the span becomes gold and accepted. */
export function relabelSpan(db: Db, { spanId, type }: RelabelSpanInput): ExampleWithSpans {
  return promote(db, getSpan(db, spanId), type, 'relabelSpan');
}

/** Accepts one span as gold, keeping its type. */
export function acceptSpan(db: Db, { spanId }: SpanIdInput): ExampleWithSpans {
  const span = getSpan(db, spanId);
  return promote(db, span, span.type, 'acceptSpan');
}

/** Sets (or clears, with null) an example's class label as gold. */
export function setClassLabel(db: Db, { exampleId, label }: SetClassLabelInput): ExampleWithSpans {
  getExample(db, exampleId);
  recordEdit(db, projectOfExample(db, exampleId), 'setClassLabel', `class ${label ?? '(none)'}`, (rec) =>
    rec.updateExample(exampleId, { classLabel: label, labelSource: label === null ? null : 'gold' }),
  );
  return withSpans(db, exampleId);
}

/** Marks an example reviewed: its pending silver and gold spans become accepted gold, its class label gold. */
export function acceptExample(db: Db, { exampleId }: ExampleIdInput): ExampleWithSpans {
  const e = getExample(db, exampleId);
  recordEdit(db, projectOfExample(db, exampleId), 'acceptExample', `example line ${e.line}`, (rec) => {
    for (const s of spansOfExample(db, exampleId)) {
      if (s.source !== 'model' && s.status === 'pending') rec.updateSpan(s.id, { source: 'gold', status: 'accepted' });
    }
    rec.updateExample(exampleId, {
      status: 'reviewed',
      reviewedAt: nowIso(),
      ...(e.classLabel !== null && e.labelSource !== 'gold' ? { labelSource: 'gold' as const } : {}),
    });
  });
  return withSpans(db, exampleId);
}

/** Skips an example, or reopens it (status pending). */
export function setExampleStatus(db: Db, { exampleId, status }: SetExampleStatusInput): ExampleWithSpans {
  const e = getExample(db, exampleId);
  recordEdit(
    db,
    projectOfExample(db, exampleId),
    status === 'skipped' ? 'skipExample' : 'reopenExample',
    `example line ${e.line}`,
    (rec) => rec.updateExample(exampleId, { status, reviewedAt: null }),
  );
  return withSpans(db, exampleId);
}

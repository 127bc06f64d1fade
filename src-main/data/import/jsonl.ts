import { z } from 'zod';
import type { CharSpan, ImportedExample, ImportFormat } from '../types';
import { resolveLabel } from './report';

// Accepted span shapes: ours / Prodigy {start,end,label|type}, doccano {start_offset,end_offset,label}, doccano [s,e,type].
const objectSpan = z.object({
  start: z.number().int().optional(),
  end: z.number().int().optional(),
  start_offset: z.number().int().optional(),
  end_offset: z.number().int().optional(),
  label: z.string().optional(),
  type: z.string().optional(),
});
const tupleSpan = z.tuple([z.number().int(), z.number().int(), z.string()]);
const spanList = z.array(z.union([tupleSpan, objectSpan]));

const record = z.object({
  text: z.string({ error: 'missing "text" (a string)' }),
  label: z.union([z.string(), z.number(), z.array(z.string()), spanList]).optional(),
  spans: spanList.optional(),
  entities: spanList.optional(),
  answer: z.string().optional(),
});

type JsonSpan = z.infer<typeof tupleSpan> | z.infer<typeof objectSpan>;

/** Outcome of one JSONL line. */
export type JsonLineResult =
  | { readonly kind: 'example'; readonly example: ImportedExample; readonly flavour: ImportFormat }
  | { readonly kind: 'skipped'; readonly line: number; readonly reason: string }
  | { readonly kind: 'blank' };

function toCharSpan(s: JsonSpan): CharSpan | string {
  if (Array.isArray(s)) return { start: s[0], end: s[1], type: s[2] };
  const start = s.start ?? s.start_offset;
  const end = s.end ?? s.end_offset;
  const type = s.label ?? s.type;
  if (start === undefined || end === undefined || type === undefined) {
    return `span ${JSON.stringify(s)} needs start, end and label (or start_offset, end_offset, label)`;
  }
  return { start, end, type };
}

function checkSpans(raw: readonly JsonSpan[], text: string, types: readonly string[] | undefined): CharSpan[] | string {
  const out: CharSpan[] = [];
  for (const s of raw) {
    const span = toCharSpan(s);
    if (typeof span === 'string') return span;
    if (span.start < 0 || span.end > text.length || span.start >= span.end) {
      return `span [${span.start}, ${span.end}) "${span.type}" is outside the text (length ${text.length}) or empty; offsets are 0-based [start, end) in UTF-16 code units`;
    }
    if (types && !types.includes(span.type)) {
      return `unknown entity type "${span.type}"; expected one of ${types.map((t) => `"${t}"`).join(', ')}. Map it in the label scheme or add it to the types`;
    }
    out.push(span);
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/**
 * Parses a JSON list of spans held in one CSV/TSV cell ([{start,end,label}] or [[s,e,type]], as our CSV
 * export writes it) against the row's text; returns the sorted spans or the reason they cannot be used.
 */
export function parseSpanCell(cell: string, text: string, types: readonly string[] | undefined): CharSpan[] | string {
  let value: unknown;
  try {
    value = JSON.parse(cell);
  } catch (err) {
    return `the spans cell is not JSON (${(err as Error).message}); write a list like [{"start":0,"end":5,"label":"PER"}] or leave it empty`;
  }
  const list = spanList.safeParse(value);
  if (!list.success)
    return 'the spans cell must be a JSON list of {"start","end","label"} objects or [start, end, type] triples';
  return checkSpans(list.data, text, types);
}

/** Parses one JSONL line (generic, Prodigy or doccano); only Prodigy answers "accept" (or none) are kept. */
export function parseJsonLine(
  line: number,
  text: string,
  labels: readonly string[] | undefined,
  types: readonly string[] | undefined,
): JsonLineResult {
  if (text.trim() === '') return { kind: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return {
      kind: 'skipped',
      line,
      reason: `invalid JSON (${(err as Error).message}); each line must be one JSON object`,
    };
  }
  const parsed = record.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: 'skipped', line, reason: `${issue.path.join('.') || 'record'}: ${issue.message}` };
  }
  const r = parsed.data;
  if (r.answer !== undefined && r.answer !== 'accept')
    return { kind: 'skipped', line, reason: `Prodigy answer is "${r.answer}", only "accept" is imported` };
  if (r.text.trim() === '') return { kind: 'skipped', line, reason: 'empty text' };
  const labelIsSpans = Array.isArray(r.label) && r.label.some((x) => typeof x !== 'string');
  const rawSpans = r.spans ?? r.entities ?? (labelIsSpans ? (r.label as JsonSpan[]) : undefined);
  let label: string | undefined;
  if (r.label !== undefined && !labelIsSpans) {
    const rawLabel = Array.isArray(r.label) ? r.label : [String(r.label)];
    if (rawLabel.length > 1)
      return {
        kind: 'skipped',
        line,
        reason: `${rawLabel.length} class labels; a sentence classification example has exactly one`,
      };
    if (rawLabel.length === 1) {
      const res = resolveLabel(String(rawLabel[0]), labels);
      if (!res.ok) return { kind: 'skipped', line, reason: res.reason };
      label = res.label;
    }
  }
  const flavour: ImportFormat =
    r.answer !== undefined ? 'prodigy' : r.entities !== undefined || labelIsSpans ? 'doccano' : 'jsonl';
  if (rawSpans === undefined)
    return {
      kind: 'example',
      example: label === undefined ? { line, text: r.text } : { line, text: r.text, label },
      flavour,
    };
  const spans = checkSpans(rawSpans as readonly JsonSpan[], r.text, types);
  if (typeof spans === 'string') return { kind: 'skipped', line, reason: spans };
  const example: ImportedExample =
    label === undefined ? { line, text: r.text, spans } : { line, text: r.text, label, spans };
  return { kind: 'example', example, flavour };
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** One reference text: HF input ids and PyTorch's last_hidden_state for them. */
export interface ForwardFixtureText {
  /** Row of ag_news/dev.csv (0-based, header excluded). */
  readonly row: number;
  readonly textSha1: string;
  /** [CLS] ... [SEP], truncated to maxLength; no padding. */
  readonly ids: readonly number[];
  readonly hidden: Float32Array; // [ids.length, hiddenSize]
}

/** PyTorch BertModel outputs for all-MiniLM-L6-v2 on the first 50 AG News dev texts. */
export interface ForwardFixture {
  readonly hiddenSize: number;
  readonly maxLength: number;
  readonly maxAbsHidden: number;
  readonly texts: readonly ForwardFixtureText[];
}

const FIXTURE_DIR = join(import.meta.dirname, '../fixtures');

const metaSchema = z.object({
  hiddenSize: z.number().int().positive(),
  maxLength: z.number().int().positive(),
  hiddenFile: z.string(),
  maxAbsHidden: z.number(),
  texts: z.array(
    z.object({ row: z.number().int(), textSha1: z.string(), ids: z.array(z.number().int().nonnegative()) }),
  ),
});

/** Loads fixtures/minilm-forward.{json,f32} written by scripts/ref/bert_forward_ref.py. */
export function loadForwardFixture(): ForwardFixture {
  const meta = metaSchema.parse(JSON.parse(readFileSync(join(FIXTURE_DIR, 'minilm-forward.json'), 'utf8')));
  const bytes = readFileSync(join(FIXTURE_DIR, meta.hiddenFile));
  const tokens = meta.texts.reduce((n, t) => n + t.ids.length, 0);
  if (bytes.length !== tokens * meta.hiddenSize * 4) {
    throw new Error(
      `${meta.hiddenFile} has ${bytes.length} bytes but ${tokens} tokens x ${meta.hiddenSize} floats need ${tokens * meta.hiddenSize * 4}; regenerate both files with scripts/ref/bert_forward_ref.py`,
    );
  }
  // Copy into an aligned buffer (a Node Buffer may start at any offset of its pool).
  const all = new Float32Array(tokens * meta.hiddenSize);
  new Uint8Array(all.buffer).set(bytes);
  let pos = 0;
  const texts = meta.texts.map((t) => {
    const n = t.ids.length * meta.hiddenSize;
    const hidden = all.subarray(pos, pos + n);
    pos += n;
    return { row: t.row, textSha1: t.textSha1, ids: t.ids, hidden };
  });
  return { hiddenSize: meta.hiddenSize, maxLength: meta.maxLength, maxAbsHidden: meta.maxAbsHidden, texts };
}

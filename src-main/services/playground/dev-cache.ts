// Predictions of a checkpoint over a run's dev texts, made once and shared by nearestExamples and runMistakes.
import { createHash } from 'node:crypto';
import type { TextPrediction } from '../../engine/infer';
import type { LoadedModel } from './cache';

/** A text to predict, identified by its example id (part of the cache key with the text). */
export interface KeyedText {
  readonly id: number;
  readonly text: string;
}

// Two entries: the run on screen and the one it is compared with. An edit of a dev text changes the key.
const MAX_ENTRIES = 2;
const entries = new Map<string, Promise<readonly TextPrediction[]>>();

/** The model's predictions (embeddings included) for `items`, in order; computed once per model and content. */
export function cachedPredictions(model: LoadedModel, items: readonly KeyedText[]): Promise<readonly TextPrediction[]> {
  const h = createHash('sha256').update(model.key);
  for (const it of items) h.update(`\0${it.id}\0${it.text}`);
  const key = h.digest('hex');
  const hit = entries.get(key);
  if (hit) {
    entries.delete(key);
    entries.set(key, hit);
    return hit;
  }
  const made = model.batchPredict(items.map((i) => i.text));
  // A failed prediction is not remembered: the next call tries again.
  made.catch(() => entries.get(key) === made && entries.delete(key));
  entries.set(key, made);
  while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
  return made;
}

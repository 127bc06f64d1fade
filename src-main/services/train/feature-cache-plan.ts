// The Train screen plan's line for the frozen encoder's feature cache: whether the run will compute the
// encoder's features once, and about how much disk they take (a tokenised sample of the texts, scaled).
import { WordPieceTokenizer } from '../../engine/tokenizer';
import type { ExampleGroup } from './data';

/** Texts tokenised for the estimate: enough for a few percent of error on the mean length. */
const SAMPLE = 256;
const BYTES_PER_VALUE = 2; // float16, as the trainer stores them

/**
 * The cache's estimated bytes (train + dev, every example's tokens x hidden x 2), or null when the run would
 * not cache: featureCache 'off', no usable model or preset, or a preset that trains encoder parameters.
 */
export function featureCachePlan(
  request: { readonly featureCache: 'auto' | 'on' | 'off'; readonly maxLength: number },
  model: { readonly dir: string; readonly hidden: number } | null,
  params: { readonly trainableGroups: readonly string[] } | null,
  examples: { readonly train: readonly ExampleGroup[]; readonly dev: readonly ExampleGroup[] },
): { readonly bytes: number } | null {
  if (request.featureCache === 'off' || model === null || params === null) return null;
  if (!params.trainableGroups.every((g) => g.endsWith(' head'))) return null;
  const texts = [...examples.train, ...examples.dev].flatMap((g) => g.examples.map((e) => e.text));
  if (texts.length === 0) return null;
  const tokenizer = WordPieceTokenizer.fromDir(model.dir);
  const stride = Math.max(1, Math.floor(texts.length / SAMPLE));
  let tokens = 0;
  let sampled = 0;
  for (let i = 0; i < texts.length; i += stride) {
    tokens += tokenizer.encode(texts[i]!, { maxLength: request.maxLength }).ids.length;
    sampled++;
  }
  return { bytes: Math.round((tokens / sampled) * texts.length) * model.hidden * BYTES_PER_VALUE };
}

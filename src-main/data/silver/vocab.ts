import model from 'wink-eng-lite-web-model';
import { LabelerError } from './types';

/** Coarse part of speech of a lower-case English word, from wink's lexicon (87k words, few proper names). */
export type VocabPos = 'ADJ' | 'NOUN' | 'VERB' | 'FUNCTION' | 'OTHER';

interface WinkCore {
  readonly lexicon: Uint32Array;
  readonly packing: { readonly size: number; readonly layout: Readonly<Record<string, readonly number[]>> };
  readonly features: {
    readonly lexeme: { readonly list: readonly string[] };
    readonly pos: { readonly list: readonly string[] };
  };
}

function isCore(x: unknown): x is WinkCore {
  const c = x as Partial<WinkCore> | null;
  return (
    !!c &&
    c.lexicon instanceof Uint32Array &&
    !!c.packing?.layout?.pos &&
    Array.isArray(c.features?.lexeme?.list) &&
    Array.isArray(c.features?.pos?.list)
  );
}

const FUNCTION_POS = new Set(['ADP', 'AUX', 'CCONJ', 'DET', 'PART', 'PRON', 'SCONJ', 'INTJ', 'NUM', 'ADV']);
let cached: ReadonlyMap<string, VocabPos> | null = null;

/**
 * Lower-case common English words with their most likely POS. A capitalised word found here is probably
 * capitalised for position (sentence start, headline) rather than because it is a name.
 */
export function commonWords(): ReadonlyMap<string, VocabPos> {
  if (cached) return cached;
  const loader = (model as unknown as { core?: () => unknown }).core;
  const core = typeof loader === 'function' ? loader() : null;
  if (!isCore(core)) {
    throw new LabelerError(
      'wink-eng-lite-web-model has an unexpected layout (no core lexicon); use wink-eng-lite-web-model 1.8.x',
    );
  }
  // layout.pos = [word, mask, shift, ...]: where the POS id sits in each packed lexeme record.
  const [word, mask, shift] = core.packing.layout.pos;
  const size = core.packing.size;
  const posNames = core.features.pos.list;
  const out = new Map<string, VocabPos>();
  core.features.lexeme.list.forEach((w, k) => {
    if (!/^[a-z][a-z'-]*$/.test(w)) return;
    const pos = posNames[((core.lexicon[k * size + word] & mask) >>> shift) & 63] ?? 'UNK';
    if (pos === 'PROPN' || pos === 'UNK' || pos === 'X') return;
    out.set(
      w,
      pos === 'ADJ'
        ? 'ADJ'
        : pos === 'NOUN'
          ? 'NOUN'
          : pos === 'VERB'
            ? 'VERB'
            : FUNCTION_POS.has(pos)
              ? 'FUNCTION'
              : 'OTHER',
    );
  });
  cached = out;
  return out;
}

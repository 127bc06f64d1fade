import type { SilverSpan } from '../types';
import { GAZETTEER_CONFIDENCE, withConfidence } from './confidence';
import { LabelerError, silverSpan, type Labeler } from './types';

export interface GazetteerOptions {
  /** Used in the labeler id: 'gazetteer:<name>@<version>'. */
  readonly name: string;
  readonly version?: number;
  /** Entity type -> names, e.g. { ORG: ['Acme Corp', 'ACME'] }. */
  readonly entries: Readonly<Record<string, readonly string[]>>;
  /**
   * Case-aware matching (default true): a name written with any capital letter matches only that exact
   * casing; an all-lower-case name matches any casing. false ignores case for every name.
   */
  readonly caseSensitive?: boolean;
}

interface Entry {
  readonly type: string;
  /** The exact surface form required, or null when any casing matches. */
  readonly surface: string | null;
}

const WORD = /[\p{L}\p{N}\p{M}]/u;

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && WORD.test(ch);
}

/**
 * User gazetteer: finds listed names as whole tokens (never inside a longer word), longest match first,
 * leftmost first, never overlapping; case-aware (see GazetteerOptions.caseSensitive).
 */
export function gazetteerLabeler(options: GazetteerOptions): Labeler {
  const id = `gazetteer:${options.name}@${options.version ?? 1}`;
  const caseAware = options.caseSensitive ?? true;
  const byLower = new Map<string, Entry[]>();
  let maxLen = 0;
  for (const [type, names] of Object.entries(options.entries)) {
    for (const raw of names) {
      const name = raw.trim();
      if (name === '')
        throw new LabelerError(
          `gazetteer "${options.name}": an empty name under type ${type}; remove it from the list`,
        );
      const lower = name.toLowerCase();
      const list = byLower.get(lower) ?? [];
      list.push({ type, surface: caseAware && name !== lower ? name : null });
      byLower.set(lower, list);
      maxLen = Math.max(maxLen, name.length);
    }
  }
  return {
    id,
    types: Object.keys(options.entries),
    label(text: string): SilverSpan[] {
      // Word boundaries once; candidate names start at a word start and end at a word end.
      const starts: number[] = [];
      const ends: number[] = [];
      for (let i = 0; i < text.length; i++) {
        const w = isWordChar(text[i]);
        if (w && !isWordChar(text[i - 1])) starts.push(i);
        if (w && !isWordChar(text[i + 1])) ends.push(i + 1);
      }
      const spans: SilverSpan[] = [];
      let covered = 0;
      let e0 = 0;
      for (const s of starts) {
        if (s < covered) continue;
        while (e0 < ends.length && ends[e0] <= s) e0++;
        let e1 = e0;
        while (e1 < ends.length && ends[e1] - s <= maxLen) e1++;
        for (let k = e1 - 1; k >= e0; k--) {
          // Lower-case the slice, not the text: lower-casing can change lengths (İ) and shift offsets.
          const surface = text.slice(s, ends[k]);
          const entries = byLower.get(surface.toLowerCase());
          const hit = entries?.find((e) => e.surface === null || e.surface === surface);
          if (hit) {
            spans.push(withConfidence(silverSpan(id, s, ends[k], hit.type), GAZETTEER_CONFIDENCE));
            covered = ends[k];
            break;
          }
        }
      }
      return spans;
    },
  };
}

import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import type { SilverSpan } from '../types';
import { winkConfidence, withConfidence } from './confidence';
import { LabelerError, silverSpan, type Labeler } from './types';

const ID = 'wink-ner@1';

/** Types wink's English lite model finds that the silver pipeline uses. */
export const WINK_TYPES: readonly string[] = ['DATE', 'TIME', 'MONEY', 'PERCENT', 'CARDINAL', 'ORDINAL'];

let nlp: ReturnType<typeof winkNLP> | null = null;

function engine(): ReturnType<typeof winkNLP> {
  // Only the NER pipe is needed; sentence splitting, POS, negation and sentiment cost time for nothing.
  nlp ??= winkNLP(model, ['ner']);
  return nlp;
}

/** wink-nlp entities (DATE, TIME, MONEY, PERCENT, CARDINAL, ORDINAL) as char spans with exact offsets. */
export function winkLabeler(types: readonly string[] = WINK_TYPES): Labeler {
  const keep = new Set(types);
  return {
    id: ID,
    types,
    label(text: string): SilverSpan[] {
      const w = engine();
      const doc = w.readDoc(text);
      const values = doc.tokens().out(w.its.value) as string[];
      // Token offsets: wink keeps each token's surface form, so find them left to right.
      const starts: number[] = [];
      let cursor = 0;
      for (const v of values) {
        const at = text.indexOf(v, cursor);
        if (at < 0)
          throw new LabelerError(
            `wink token "${v}" not found after offset ${cursor}; this wink-nlp version changes text, use 2.x`,
          );
        starts.push(at);
        cursor = at + v.length;
      }
      const spans: SilverSpan[] = [];
      const types = doc.entities().out(w.its.type) as string[];
      const ranges = doc.entities().out(w.its.span) as unknown as [number, number][];
      ranges.forEach(([first, last], k) => {
        if (!keep.has(types[k])) return;
        const span = silverSpan(ID, starts[first], starts[last] + values[last].length, types[k]);
        spans.push(withConfidence(span, winkConfidence(types[k])));
      });
      return spans;
    },
  };
}

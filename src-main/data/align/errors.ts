/** Spans, words, sub-tokens or tags that do not line up; the message names the counts and the fix. */
export class AlignmentError extends Error {
  override readonly name = 'AlignmentError';
}

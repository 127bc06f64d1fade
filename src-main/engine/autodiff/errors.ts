/** A gradient that cannot be built as asked: names the op, node or value and says how to fix it. */
export class AutodiffError extends Error {
  override readonly name = 'AutodiffError';
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(`grad: ${message}`, options);
  }
}

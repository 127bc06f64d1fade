/** A tokenizer folder or file that cannot be used; the message names the file, the field and the fix. */
export class TokenizerLoadError extends Error {
  override readonly name = 'TokenizerLoadError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

/** A bad argument to an encode call (e.g. a window too short to hold [CLS] and [SEP]). */
export class TokenizerArgumentError extends Error {
  override readonly name = 'TokenizerArgumentError';
}

/** A predictor or export input that does not fit what the model expects; the message says how to fix it. */
export class InferenceError extends Error {
  override readonly name = 'InferenceError';
}

/** The exported graph disagrees with the in-app predictor beyond the tolerance: the bundle is not written. */
export class ExportParityError extends Error {
  override readonly name = 'ExportParityError';
  constructor(
    readonly output: string,
    readonly maxAbsDiff: number,
    readonly tolerance: number,
  ) {
    super(
      `Export parity check failed: output '${output}' differs from the in-app predictor by ${maxAbsDiff.toExponential(3)} ` +
        `(tolerance ${tolerance}). The bundle was not written; report this with the checkpoint so the graph can be fixed.`,
    );
  }
}

/** An export path that would leave the output folder (absolute, '..', or a separator in a name). */
export class ExportPathError extends Error {
  override readonly name = 'ExportPathError';
}

/** A model configuration the engine cannot build (bad sizes, unknown pooling, missing task). */
export class ModelConfigError extends Error {
  override readonly name = 'ModelConfigError';
}

/** A parameter that the graph needs is missing or has the wrong shape. */
export class ParameterError extends Error {
  override readonly name = 'ParameterError';
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(`parameter '${parameter}': ${message}`);
  }
}

/** A freeze preset that leaves nothing (or something impossible) to train. */
export class FreezePresetError extends Error {
  override readonly name = 'FreezePresetError';
}

/** The requested execution provider could not be created; carries ORT's own message. */
export class DeviceUnavailableError extends Error {
  override readonly name = 'DeviceUnavailableError';
  constructor(
    readonly device: string,
    readonly providerMessage: string,
    hint: string,
  ) {
    super(`Cannot create a '${device}' session: ${providerMessage.trim()}. ${hint}`);
  }
}

/** ORT rejected the model (bad graph, unsupported op): the model bytes are wrong, not the device. */
export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
  constructor(readonly providerMessage: string) {
    super(`onnxruntime could not load the model: ${providerMessage.trim()}`);
  }
}

/** A feed does not match the session's inputs: names the input, the expected and the received type/dims. */
export class FeedError extends Error {
  override readonly name = 'FeedError';
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(message);
  }
}

/** session.run failed inside onnxruntime; lists every feed's dtype and dims to help find the culprit. */
export class RunError extends Error {
  override readonly name = 'RunError';
  constructor(
    readonly providerMessage: string,
    readonly feedSummary: string,
  ) {
    super(`onnxruntime run failed: ${providerMessage.trim()}\nfeeds: ${feedSummary}`);
  }
}

/** Parameters or optimizer state handed to a session do not match its graph. */
export class StateError extends Error {
  override readonly name = 'StateError';
}

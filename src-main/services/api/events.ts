/** A tiny fan-out for `ApiEvent`s: services emit, transports (IPC windows, WebSockets) subscribe. */
import type { ApiEvent } from '../../../src-preload/contract';

export class EventHub {
  readonly #listeners = new Set<(event: ApiEvent) => void>();

  /** Delivers `event` to every subscriber; one failing listener does not starve the others. */
  emit = (event: ApiEvent): void => {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error(`[mts] event listener failed for ${event.type}:`, error);
      }
    }
  };

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: (event: ApiEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
}

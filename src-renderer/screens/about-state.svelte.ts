/** State for the About screen: versions (fast) and execution-provider probes (seconds, streamed by events). */
import type { AboutInfo, Api, ApiError, ExecutionProviderName, ProviderProbe } from '../../src-preload/contract';

export type Load<T> =
  | { readonly state: 'loading' }
  | { readonly state: 'ready'; readonly value: T }
  | { readonly state: 'failed'; readonly error: ApiError };

export const PROVIDERS: readonly ExecutionProviderName[] = ['cpu', 'webgpu', 'cuda', 'dml', 'coreml'];

export class AboutState {
  about = $state.raw<Load<AboutInfo>>({ state: 'loading' });
  /** Finished probes by provider; missing entries are still running. */
  probes = $state.raw<Readonly<Partial<Record<ExecutionProviderName, ProviderProbe>>>>({});
  probing = $state(false);
  probeError = $state.raw<ApiError | null>(null);

  constructor(private readonly api: Api) {}

  /** Loads the version facts. */
  async loadAbout(): Promise<void> {
    this.about = { state: 'loading' };
    const result = await this.api.invoke('system.about', {});
    this.about = result.ok ? { state: 'ready', value: result.value } : { state: 'failed', error: result.error };
  }

  /** Probes every provider; partial results arrive as `system.probe` events before the call returns. */
  async probe(): Promise<void> {
    this.probing = true;
    this.probes = {};
    this.probeError = null;
    const stop = this.api.onEvent((event) => {
      if (event.type === 'system.probe') this.probes = { ...this.probes, [event.probe.provider]: event.probe };
    });
    try {
      const result = await this.api.invoke('system.probeProviders', {});
      if (result.ok) this.probes = Object.fromEntries(result.value.probes.map((p) => [p.provider, p]));
      else this.probeError = result.error;
    } finally {
      stop();
      this.probing = false;
    }
  }
}

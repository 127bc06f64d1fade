// Messages between a forward pool (forward-pool.ts) and its workers (forward-worker.ts).
import type { BatchFeeds, ForwardOutputs, OutputRequest } from './ports';

export type PoolRequest =
  /** Opens the worker's session of the serialised inference graph on the CPU with `threads` intra-op threads. */
  | { readonly type: 'init'; readonly model: Uint8Array; readonly threads: number }
  | { readonly type: 'run'; readonly id: number; readonly feeds: BatchFeeds; readonly want: OutputRequest }
  | { readonly type: 'close' };

export type PoolReply =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly id: number; readonly outputs: ForwardOutputs }
  /** `id` -1: the session could not be opened. */
  | { readonly type: 'failed'; readonly id: number; readonly name: string; readonly message: string }
  | { readonly type: 'closed' };

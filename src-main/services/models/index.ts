// Models from the Hugging Face hub: pulled into the shared HF cache, verified, usable offline afterwards.
export { cachedSnapshot, hubCacheDir, listCachedModels, parseRepoId, type CachedModel } from './hub-cache';
export { hubEndpoint, searchModels, type HubSearchHit } from './hub-client';
export {
  checkRepoId,
  fetchPlan,
  planPull,
  pullModel,
  refuseNonBert,
  type PullOptions,
  type PullPlan,
  type PullProgress,
  type PullResult,
} from './pull';
export { parseModelRef, resolveLocalModel, resolveModelArg, type LocalModel } from './resolve';

// Models from the Hugging Face hub: pulled into the shared HF cache, verified, usable offline afterwards.
export { cachedSnapshot, hubCacheDir, listCachedModels, parseRepoId, type CachedModel } from './hub-cache';
export { hubEndpoint } from './hub-client';
export { pullModel, type PullOptions, type PullProgress, type PullResult } from './pull';
export { resolveModelArg } from './resolve';

/**
 * Wiring of the model picker (services/models) to the contract: hub search, inspection before a download,
 * the cached models, and downloads that run in the background with `models.download` events.
 */
import { z } from 'zod';
import type { CachedModelInfo } from '../../../src-preload/contract';
import { defineMethod, type MethodSlice } from '../api/methods';
import { ModelDownloads } from './downloads';
import { cachedSnapshot, hubCacheDir, listCachedModels } from './hub-cache';
import { searchModels } from './hub-client';
import { inspectModel, unreachable } from './inspect';
import type { PullOptions } from './pull';

const RepoInput = z.strictObject({
  repoId: z.string().trim().min(1, 'give a repo id as org/name').max(200),
  revision: z.string().trim().min(1).max(200).default('main'),
});

type ModelsMethodNames =
  'models.search' | 'models.inspect' | 'models.list' | 'models.download' | 'models.cancelDownload' | 'models.downloads';

export interface ModelsDeps {
  /** Where HF_ENDPOINT, HF_TOKEN, HF_HOME / HF_HUB_CACHE and HF_HUB_OFFLINE are read (default: the process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** Tests inject a full disk. */
  readonly pullOptions?: Pick<PullOptions, 'openWriter'>;
}

/** Builds the `models.*` methods; downloads live as long as the table (one app session). */
export function modelsMethods(deps: ModelsDeps = {}): MethodSlice<ModelsMethodNames> {
  const env = deps.env ?? process.env;
  let downloads: ModelDownloads | null = null;
  // Events go through the context of the call that started the first download (every UI receives them).
  const jobs = (emit: ConstructorParameters<typeof ModelDownloads>[0]): ModelDownloads =>
    (downloads ??= new ModelDownloads(emit, env, deps.pullOptions));
  return {
    'models.search': defineMethod(
      'models.search',
      z.strictObject({ query: z.string().trim().min(1).max(200), limit: z.int().min(1).max(100).default(20) }),
      async ({ query, limit }) => {
        try {
          const hits = await searchModels(query, limit, env);
          return {
            hits: hits.map((h) => ({
              repoId: h.id,
              downloads: h.downloads,
              likes: h.likes,
              pipelineTag: h.pipelineTag,
            })),
          };
        } catch (err) {
          throw unreachable(err, env);
        }
      },
    ),
    'models.inspect': defineMethod('models.inspect', RepoInput, async ({ repoId, revision }) =>
      inspectModel(repoId, revision, env),
    ),
    'models.list': defineMethod('models.list', z.strictObject({}), async () => {
      const cache = hubCacheDir(env);
      const models: CachedModelInfo[] = listCachedModels(cache).map((m) => ({
        ...m,
        dir: cachedSnapshot(cache, m.repoId, 'main'),
      }));
      return { cacheDir: cache, models };
    }),
    'models.download': defineMethod('models.download', RepoInput, async ({ repoId, revision }, ctx) =>
      jobs((info) => ctx.emit({ type: 'models.download', download: info })).start(repoId, revision),
    ),
    'models.cancelDownload': defineMethod('models.cancelDownload', RepoInput, async ({ repoId, revision }) => ({
      cancelled: downloads?.cancel(repoId, revision) ?? false,
    })),
    'models.downloads': defineMethod('models.downloads', z.strictObject({}), async () => ({
      downloads: downloads?.list() ?? [],
    })),
  };
}

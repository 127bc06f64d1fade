/**
 * The Hugging Face cache layout, shared with Python tools (huggingface_hub, transformers):
 *   <HF_HUB_CACHE or HF_HOME/hub or ~/.cache/huggingface/hub>/models--<org>--<name>/
 *     blobs/<etag>                     file contents, named by their hash (LFS: sha256; git: blob sha1)
 *     snapshots/<commit>/<file>        links to ../../blobs/<etag>
 *     refs/<revision>                  the commit a branch or tag pointed at when it was pulled
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** Where the hub cache lives, from the same variables huggingface_hub reads. */
export function hubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  const home = env.HF_HOME ?? path.join(env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'huggingface');
  return path.join(home, 'hub');
}

/** `org/name` as a hub repo id (letters, digits, '-', '_', '.'), or null. */
export function parseRepoId(text: string): { readonly org: string; readonly name: string } | null {
  const m = /^([A-Za-z0-9][\w.-]*)\/([A-Za-z0-9][\w.-]*)$/.exec(text.trim());
  return m ? { org: m[1]!, name: m[2]! } : null;
}

/** The repo's folder in the cache. */
export function repoFolder(cache: string, repoId: string): string {
  return path.join(cache, `models--${repoId.replace('/', '--')}`);
}

/** The commit a revision resolved to when it was last pulled (a commit hash resolves to itself). */
export function cachedCommit(cache: string, repoId: string, revision: string): string | null {
  if (/^[0-9a-f]{40}$/.test(revision)) return revision;
  const ref = path.join(repoFolder(cache, repoId), 'refs', revision);
  return existsSync(ref) ? readFileSync(ref, 'utf8').trim() : null;
}

/** The snapshot folder of a pulled revision, when it holds a complete model (config, weights, vocabulary). */
export function cachedSnapshot(cache: string, repoId: string, revision = 'main'): string | null {
  const commit = cachedCommit(cache, repoId, revision);
  if (commit === null) return null;
  const dir = path.join(repoFolder(cache, repoId), 'snapshots', commit);
  const complete =
    existsSync(path.join(dir, 'config.json')) &&
    existsSync(path.join(dir, 'model.safetensors')) &&
    (existsSync(path.join(dir, 'vocab.txt')) || existsSync(path.join(dir, 'tokenizer.json')));
  return complete ? dir : null;
}

/** A model in the cache, as `mts models list` shows it. */
export interface CachedModel {
  readonly repoId: string;
  readonly revisions: readonly string[];
  readonly bytes: number;
}

/** Every model repo in the cache with its pulled revisions and the bytes of its blobs. */
export function listCachedModels(cache: string): CachedModel[] {
  if (!existsSync(cache)) return [];
  return readdirSync(cache)
    .filter((d) => d.startsWith('models--'))
    .map((d) => {
      const folder = path.join(cache, d);
      const refs = path.join(folder, 'refs');
      const blobs = path.join(folder, 'blobs');
      const bytes = existsSync(blobs)
        ? readdirSync(blobs)
            .filter((b) => !b.endsWith('.incomplete'))
            .reduce((n, b) => n + statSync(path.join(blobs, b)).size, 0)
        : 0;
      return {
        repoId: d.slice('models--'.length).replace('--', '/'),
        revisions: existsSync(refs) ? readdirSync(refs) : [],
        bytes,
      };
    })
    .sort((a, b) => a.repoId.localeCompare(b.repoId));
}

/**
 * `--model` and the Train screen's model accept a folder or a hub repo id (`org/name`, `org/name@revision`): a
 * folder is used as it is; a repo id comes from the Hugging Face cache (or, for the CLI, is pulled).
 */
import { existsSync, statSync } from 'node:fs';
import { ServiceError } from '../api/errors';
import { cachedSnapshot, hubCacheDir, parseRepoId } from './hub-cache';
import { pullModel, type PullOptions } from './pull';

/** A `--model` value split into a repo id and a revision, or null when it is not `org/name[@revision]`. */
export function parseModelRef(model: string): { readonly repoId: string; readonly revision: string } | null {
  const at = model.lastIndexOf('@');
  const repoId = (at > 0 ? model.slice(0, at) : model).trim();
  const revision = at > 0 ? model.slice(at + 1).trim() : 'main';
  if (parseRepoId(repoId) === null || !/^[\w.\-/]+$/.test(revision)) return null;
  return { repoId, revision };
}

const isFolder = (model: string): boolean => existsSync(model) && statSync(model).isDirectory();

/**
 * The model folder for a `--model` value, pulling `org/name[@revision]` when the cache lacks it (`revision`
 * given apart, as `--revision`, wins over one written after '@').
 */
export async function resolveModelArg(model: string, options: PullOptions = {}): Promise<string> {
  if (isFolder(model)) return model;
  const ref = parseModelRef(model);
  if (ref === null) return model; // not a repo id: the loader says what is missing
  return (await pullModel(ref.repoId, { ...options, revision: options.revision ?? ref.revision })).dir;
}

/** A model reference resolved without the network. */
export interface LocalModel {
  /** The folder to load. */
  readonly dir: string;
  /** The hub repo id it came from, or null for a folder given as such. */
  readonly repoId: string | null;
}

/**
 * A folder as it is, or a repo id's snapshot from the cache (no network: offline the cache serves). A repo id
 * that is not in the cache is refused with how to get it.
 */
export function resolveLocalModel(model: string, env: NodeJS.ProcessEnv = process.env): LocalModel {
  const ref = isFolder(model) ? null : parseModelRef(model);
  if (ref === null) return { dir: model, repoId: null };
  const cache = hubCacheDir(env);
  const dir = cachedSnapshot(cache, ref.repoId, ref.revision);
  if (dir === null) {
    throw new ServiceError(
      'not_found',
      `The model '${ref.repoId}'${ref.revision === 'main' ? '' : ` (${ref.revision})`} is not downloaded yet (cache: ${cache}). ` +
        `Download it first: the model picker on the Train screen, or mts models pull ${ref.repoId}` +
        `${ref.revision === 'main' ? '' : ` --revision ${ref.revision}`}; or give a model folder.`,
    );
  }
  return { dir, repoId: ref.repoId };
}

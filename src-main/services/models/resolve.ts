/** `--model` accepts a folder or a hub repo id: a folder is used as it is; a repo id comes from the cache or is pulled. */
import { existsSync, statSync } from 'node:fs';
import { parseRepoId } from './hub-cache';
import { pullModel, type PullOptions } from './pull';

/** The model folder for a `--model` value (pulling `org/name` when the cache lacks it). */
export async function resolveModelArg(model: string, options: PullOptions = {}): Promise<string> {
  if (existsSync(model) && statSync(model).isDirectory()) return model;
  if (parseRepoId(model) === null) return model; // not a repo id: the loader says what is missing
  return (await pullModel(model, options)).dir;
}

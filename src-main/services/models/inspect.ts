/** What the model picker shows before a download: size, what is already here, and whether the app can train it. */
import type { ModelInspection } from '../../../src-preload/contract';
import { HfModelError, loadHfBertConfig } from '../../engine/model';
import { ServiceError } from '../api/errors';
import { hubEndpoint } from './hub-client';
import { fetchConfig, planPull } from './pull';

/** The hub could not be reached (no network, wrong HF_ENDPOINT), said plainly. */
export function unreachable(err: unknown, env: NodeJS.ProcessEnv): ServiceError {
  if (err instanceof ServiceError) return err;
  const e = err as NodeJS.ErrnoException & { cause?: { code?: string } };
  const cause = e.code ?? e.cause?.code ?? e.message;
  return new ServiceError(
    'unavailable',
    `Cannot reach the model hub at ${hubEndpoint(env)} (${cause}). Check the network connection (or HF_ENDPOINT); ` +
      'models already downloaded still work offline.',
  );
}

/** Plans the download and reads the repo's config.json (fetching that small file into the cache). */
export async function inspectModel(
  repoId: string,
  revision: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ModelInspection> {
  const options = { revision, env };
  let plan;
  let snapshot;
  try {
    plan = await planPull(repoId, options);
    snapshot = await fetchConfig(plan, options);
  } catch (err) {
    throw unreachable(err, env);
  }
  let encoder: ModelInspection['encoder'];
  try {
    const { dims } = loadHfBertConfig(snapshot);
    encoder = { ok: true, layers: dims.numLayers, hidden: dims.hiddenSize, maxPositions: dims.maxPositions };
  } catch (err) {
    // The cache path in the loader's message means nothing to someone choosing a model: leave it out.
    const why = err instanceof HfModelError ? err.message.slice(err.path.length + 2) : (err as Error).message;
    encoder = { ok: false, reason: `'${repoId}' is not a BERT-family model: ${why}` };
  }
  return {
    repoId: plan.repoId,
    revision: plan.revision,
    commit: plan.commit,
    files: plan.files.map((f) => ({ name: f.name, bytes: f.meta.size })),
    totalBytes: plan.totalBytes,
    cachedBytes: plan.cachedBytes,
    encoder,
  };
}

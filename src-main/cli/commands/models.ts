/** `mts models pull|list`: models from the Hugging Face hub, in the cache Python tools share. */
import { hubCacheDir, listCachedModels, pullModel, type PullProgress } from '../../services/models';
import { UsageError, type CliCommand } from '../types';

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/** One line of a pull's progress: file, MB done of total, speed and time left. */
export function pullProgressLine(p: PullProgress): string {
  const eta = p.etaSec === null ? '' : `, ${Math.round(p.etaSec)}s left`;
  return `${p.file}: ${mb(p.doneBytes)} / ${mb(p.totalBytes)}, ${mb(p.bytesPerSec)}/s${eta}`;
}

/** Progress lines at most once a second (and the last one), for a terminal or a log. */
export function pullProgressPrinter(print: (line: string) => void): (p: PullProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 1000 && p.doneBytes < p.totalBytes) return;
    last = now;
    print(pullProgressLine(p));
  };
}

export const modelsCommand: CliCommand = {
  name: 'models',
  summary: 'Pull a BERT-family model from the Hugging Face hub (verified, resumable) or list the cached ones',
  help: [
    'Usage: mts models pull <org/name> [--revision R]',
    '       mts models list',
    '',
    'pull downloads config, tokenizer and model.safetensors into the Hugging Face cache (HF_HUB_CACHE, or',
    'HF_HOME/hub, or ~/.cache/huggingface/hub: shared with Python tools), resumes an interrupted download, checks',
    "every file against the hub's hash, and refuses a repo that is not BERT-family before fetching its weights.",
    'Gated repos need HF_TOKEN; HF_ENDPOINT points at a mirror; offline (HF_HUB_OFFLINE=1 or no network) the cache',
    'serves. --model accepts org/name wherever it accepts a folder.',
  ].join('\n'),
  options: { revision: { type: 'string' } },
  allowPositionals: true,
  run: async (args, env) => {
    const [sub, repo, ...extra] = args.positionals;
    const revision = typeof args.values['revision'] === 'string' ? args.values['revision'] : undefined;
    if (sub === 'list' && repo === undefined) {
      const models = listCachedModels(hubCacheDir());
      if (models.length === 0) env.io.out(`No models in ${hubCacheDir()} yet; pull one with mts models pull org/name.`);
      for (const m of models) env.io.out(`${m.repoId}  ${m.revisions.join(', ') || '(by commit)'}  ${mb(m.bytes)}`);
      return 0;
    }
    if (sub !== 'pull' || repo === undefined || extra.length > 0) throw new UsageError('give pull <org/name> or list.');
    const result = await pullModel(repo, {
      ...(revision !== undefined && { revision }),
      signal: env.signal,
      onProgress: pullProgressPrinter(env.io.err),
    });
    env.io.out(
      `${result.repoId} @ ${result.commit.slice(0, 12)}: ${result.dir}${result.downloadedBytes === 0 ? ' (from the cache)' : ` (${mb(result.downloadedBytes)} downloaded)`}`,
    );
    return 0;
  },
};

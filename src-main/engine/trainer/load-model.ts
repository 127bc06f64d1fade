import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint, loadBertEncoder, initHeads } from '../model';
import { WordPieceTokenizer } from '../tokenizer';
import type { TrainerModel } from './trainer';

/**
 * The starting point of a run: a base Hugging Face BERT folder (heads initialised from `seed`), or one of
 * our checkpoints, whose heads are kept when its label lists equal the requested ones (continue training
 * after corrections) and re-initialised otherwise.
 */
export function loadTrainerModel(
  dir: string,
  classLabels: readonly string[],
  nerTags: readonly string[],
  seed: number,
): TrainerModel {
  const tokenizer = WordPieceTokenizer.fromDir(dir);
  const raw = existsSync(join(dir, 'config.json'))
    ? (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>)
    : {};
  if (raw['mts'] !== undefined) {
    const ckpt = loadCheckpoint(dir);
    const hidden = ckpt.config.dims.hiddenSize;
    const heads = initHeads(hidden, classLabels.length, nerTags.length, seed);
    const same = (a: readonly string[] | undefined, b: readonly string[]): boolean =>
      a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
    const params = new Map(ckpt.params);
    for (const [name, t] of heads) {
      const keep = name.startsWith('heads.classification')
        ? same(ckpt.meta.heads.classification?.labels, classLabels)
        : same(ckpt.meta.heads.ner?.labels, nerTags);
      if (!keep || !params.has(name)) params.set(name, t);
    }
    for (const name of [...params.keys()]) if (!heads.has(name) && isHead(name)) params.delete(name);
    return { config: ckpt.config, params, tokenizerDir: dir, padId: tokenizer.padId };
  }
  const { config, params } = loadBertEncoder(dir);
  const heads = initHeads(config.dims.hiddenSize, classLabels.length, nerTags.length, seed);
  return { config, params: new Map([...params, ...heads]), tokenizerDir: dir, padId: tokenizer.padId };
}

function isHead(name: string): boolean {
  return !name.startsWith('embeddings.') && !name.startsWith('encoder.') && !name.startsWith('pooler.');
}

// Test helpers for the trainer: a learnable toy task and a tiny BERT to learn it with.
import { join } from 'node:path';
import { initHeads, loadBertEncoder } from '../../model';
import { writeTinyBert } from '../../model/testing';
import { IGNORE, type TrainExample } from '../example';
import type { TrainerData, TrainerModel } from '../types';

/**
 * A toy task over a 40-token vocabulary: the class is whether token 7 occurs, and tokens 10..14 are
 * "entities" (B- tag) wherever they appear. Lengths vary, so batches (and micro-batches) differ in shape.
 */
export function toyExamples(n: number, seed: number): TrainExample[] {
  let s = seed;
  const rand = (k: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s % k;
  };
  return Array.from({ length: n }, () => {
    const len = 4 + rand(6);
    const ids = [2, ...Array.from({ length: len }, () => 15 + rand(25)), 3];
    if (rand(2) === 1) ids[1 + rand(len)] = 7;
    ids[1 + rand(len)] = 10 + rand(5);
    const nerLabels = ids.map((id, t) => (t === 0 || t === ids.length - 1 ? IGNORE : id >= 10 && id < 15 ? 1 : 0));
    return { ids, classLabel: ids.includes(7) ? 1 : 0, nerLabels };
  });
}

/** A 2-layer, hidden-32 BERT written under `dir`, with both heads (2 classes, O/B-ENT/I-ENT). */
export function tinyTrainerModel(dir: string): TrainerModel {
  const tiny = writeTinyBert(join(dir, 'base'), { layers: 2, hidden: 32, heads: 4, intermediate: 64, seed: 3 });
  const { config, params } = loadBertEncoder(tiny.dir);
  return { config, params: new Map([...params, ...initHeads(32, 2, 3, 11)]), tokenizerDir: tiny.dir, padId: 0 };
}

/** The run the crash test kills and resumes: one long epoch, so the kill lands mid-epoch. */
export const CRASH_CONFIG = {
  freeze: { preset: 'full' as const },
  epochs: 2,
  batchSize: 4,
  lr: 3e-3,
  device: 'cpu' as const,
  threads: 1,
  seed: 5,
  dropout: { hidden: 0.1, attention: 0.1, head: 0.1 },
};

/** The toy task as trainer data: `train` and `dev` examples (seeds 1 and 2), its two classes and BIO tags. */
export function toyData(train: number, dev: number): TrainerData {
  return {
    train: toyExamples(train, 1),
    dev: toyExamples(dev, 2),
    classLabels: ['no', 'yes'],
    nerTags: ['O', 'B-ENT', 'I-ENT'],
  };
}

/** 96 training examples (24 steps an epoch at batch 4) and 16 dev examples. */
export function crashData(): TrainerData {
  return toyData(96, 16);
}

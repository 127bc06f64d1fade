import { Rng } from '../random';
import type { BertDims } from './dims';
import type { ParamSpec } from './param-names';
import { encoderParamSpecs, headParamSpecs } from './param-names';
import type { ParamTensor } from './param-store';

/** Draws standard normal samples (Box-Muller) from a seeded generator. */
export function normalSampler(rng: Rng): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u = 1 - rng.next(); // (0, 1]: log(u) is finite
    const v = rng.next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/**
 * Hugging Face BERT init for one tensor: LayerNorm weight 1, biases 0, other weights normal(0, std).
 * (HF also zeroes the padding row of the word table; irrelevant for heads and tests.)
 */
function initTensor(spec: ParamSpec, normal: () => number, std: number): ParamTensor {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  const isNormWeight = spec.name.endsWith('LayerNorm.weight');
  const isBias = spec.name.endsWith('.bias');
  if (isNormWeight) data.fill(1);
  else if (!isBias) for (let i = 0; i < size; i++) data[i] = normal() * std;
  return { data, shape: [...spec.shape] };
}

/** Seeded HF-style init of the task heads: weights normal(0, std), biases zero. */
export function initHeads(
  hiddenSize: number,
  numClasses: number,
  numNerLabels: number,
  seed: number,
  std = 0.02,
): Map<string, ParamTensor> {
  const normal = normalSampler(Rng.fromSeed(seed));
  return new Map(headParamSpecs(hiddenSize, numClasses, numNerLabels).map((s) => [s.name, initTensor(s, normal, std)]));
}

/** A seeded HF-style random encoder (tests, benchmarks, training from scratch). */
export function initEncoder(dims: BertDims, seed: number, std = 0.02): Map<string, ParamTensor> {
  const normal = normalSampler(Rng.fromSeed(seed));
  return new Map(encoderParamSpecs(dims).map((s) => [s.name, initTensor(s, normal, std)]));
}

/**
 * Every tensor drawn from normal(mean, std) including LayerNorm and biases: tests use it so that a
 * swapped or ignored parameter changes the output (HF init would hide bias and LayerNorm bugs).
 */
export function randomTensors(specs: readonly ParamSpec[], seed: number, std = 0.1): Map<string, ParamTensor> {
  const normal = normalSampler(Rng.fromSeed(seed));
  return new Map(
    specs.map((s) => {
      const size = s.shape.reduce((a, b) => a * b, 1);
      const mean = s.name.endsWith('LayerNorm.weight') ? 1 : 0;
      const data = Float32Array.from({ length: size }, () => mean + normal() * std);
      return [s.name, { data, shape: [...s.shape] }];
    }),
  );
}

/**
 * all-MiniLM-L6-v2's shape, defined once for the benchmarks that build a random model of that size
 * (bench:engine, bench:presets, bench:accum, bench:dropout, bench:backward and, through `--dims`, the PyTorch
 * reference scripts/ref/bench_torch_train.py). Benches that load the real checkpoint read its config.json
 * instead (`loadHfBertConfig(MINILM_DIR)`); the sizes below are that file's.
 */
import type { BertDims, MultiTaskSpec } from '../src-main/engine/model';

/** The sizes in all-MiniLM-L6-v2's config.json. */
export const MINILM_DIMS: BertDims = {
  vocabSize: 30522,
  hiddenSize: 384,
  numLayers: 6,
  numHeads: 12,
  intermediateSize: 1536,
  maxPositions: 512,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
};

/** The multi-task model the random-weight benches train: AG News' 4 classes, 9 BIO tags, mean pooling. */
export const MINILM_SPEC: MultiTaskSpec = { dims: MINILM_DIMS, numClasses: 4, numNerLabels: 9, pooling: 'mean' };

/** `6x384`: layers x hidden size, as the benches' reports write the shape. */
export const MINILM_SHAPE = `${MINILM_DIMS.numLayers}x${MINILM_DIMS.hiddenSize}`;

/** `6x384, 12 heads, FFN 1536, vocab 30522`. */
export const MINILM_SHAPE_LONG =
  `${MINILM_SHAPE}, ${MINILM_DIMS.numHeads} heads, FFN ${MINILM_DIMS.intermediateSize}, ` +
  `vocab ${MINILM_DIMS.vocabSize}`;

// Test helpers of engine/infer (import them as `engine/infer/testing`; the folder's index.ts is the product API):
// a tiny WordPiece tokenizer with a context-free fake forward, a saved tiny checkpoint with both heads, and the
// op-coverage table of every graph the engine builds (`npm run op:coverage`).
export { idForward, TINY_LABELS, TINY_VOCAB, tinyTokenizer, writeTinyTokenizerDir } from './tiny';
export { type TinyCheckpointOptions, writeTinyCheckpoint } from './tiny-checkpoint';
export {
  type CoverageGraph,
  coverageGraphs,
  coverageRows,
  GRAPH_TAGS,
  hostSideNodes,
  loadKernelFixture,
  MODEL_OPSET,
  OP_COVERAGE_MD,
  ORT_KERNELS_FIXTURE,
  renderOpCoverage,
  renderOpCoverageFile,
  type TaggedUse,
  taggedUses,
} from './op-coverage';

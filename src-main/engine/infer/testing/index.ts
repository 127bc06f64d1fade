// Test helpers of engine/infer (import them as `engine/infer/testing`; the folder's index.ts is the product API):
// a tiny WordPiece tokenizer with a context-free fake forward, and a saved tiny checkpoint with both heads.
export { idForward, TINY_LABELS, TINY_VOCAB, tinyTokenizer, writeTinyTokenizerDir } from './tiny';
export { type TinyCheckpointOptions, writeTinyCheckpoint } from './tiny-checkpoint';

// Test helpers of engine/model (import them as `engine/model/testing`; the folder's index.ts is the product API):
// tiny dims and ORT feeds, a float64 host reference forward, a tiny random BERT folder on disk, and the
// PyTorch forward fixture with the parity check run by `npm run parity`. Fixture data lives in ../fixtures.
export { float32Tensor, int64Tensor, paramFeeds, runOnce, TINY_DIMS } from './tiny';
export { referenceBertForward } from './reference-bert';
export { BERT_SPECIAL_TOKENS, type TinyBert, type TinyBertOptions, TINY_WORDS, writeTinyBert } from './tiny-bert';
export { type ForwardFixture, type ForwardFixtureText, loadForwardFixture } from './forward-fixture';
export { PARITY_FIXTURE_FILE, PARITY_MODEL_DIR, type ParityResult, parityUnavailable, runParity } from './parity';

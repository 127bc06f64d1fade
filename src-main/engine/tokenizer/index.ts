export { type TokenizerSpec, loadTokenizerSpec, readVocabTxt } from './config';
export { type Encoding, type EncodingWindow, type Offset, type PaddedBatch, padBatch } from './encoding';
export { TokenizerArgumentError, TokenizerLoadError } from './errors';
export { type EncodeOptions, WordPieceTokenizer } from './tokenizer';
export { stitchWindows } from './windows';
// Reference data in ../shared beside the repository (tests and benches skip when it is missing).
export {
  AG_NEWS_DEV,
  AG_NEWS_TRAIN,
  allExist,
  CONLL_VALID,
  MINILM_DIR,
  readAgNewsTexts,
  readConllSentences,
  SHARED_DIR,
} from './reference-data';

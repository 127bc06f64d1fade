export { type TokenizerSpec, loadTokenizerSpec, readVocabTxt } from './config';
export { type Encoding, type EncodingWindow, type Offset, type PaddedBatch, padBatch } from './encoding';
export { TokenizerArgumentError, TokenizerLoadError } from './errors';
export { type EncodeOptions, WordPieceTokenizer } from './tokenizer';
export { stitchWindows } from './windows';

export { tokenizeWords, type WordToken } from './words';
export { bioLabelList, bioToSpans, misalignedSpans, spansToBio, type CharRange } from './bio';
export { IGNORE_INDEX, spansToSubwordLabels, subwordPredictionsToSpans, type SubwordEncoding } from './subword';
export { AlignmentError } from './errors';

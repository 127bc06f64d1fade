// Dataset health, the pure part: duplicates, near duplicates, label errors, balance and length outliers.
export { exactDuplicateGroups, exactMatches, normaliseText, type DuplicateGroup } from './normalise';
export {
  bestMatches,
  loopProduct,
  normaliseRows,
  scanNeighbours,
  similarPairs,
  sliceRows,
  type BlockProduct,
  type Neighbours,
  type PairSearchOptions,
  type PairSearchResult,
  type SimilarPair,
  type Vectors,
} from './near-duplicates';
export {
  confidentLearning,
  perClassThresholds,
  type ConfidentLearningResult,
  type LabelIssue,
  type ProbMatrix,
} from './confident-learning';
export {
  crossValidatedProbs,
  fitSoftmax,
  predictSoftmax,
  stratifiedFolds,
  type SoftmaxModel,
  type SoftmaxRegressionOptions,
} from './softmax-regression';
export { defaultFolds, labelCheck, pickRows, type LabelCheckOptions, type LabelCheckResult } from './label-check';
export {
  classBalance,
  lengthOutliers,
  wordCount,
  type ClassBalance,
  type ClassCount,
  type LengthOutlier,
  type LengthStats,
} from './stats';
export { knnProbs, type KnnOptions } from './knn';
export {
  crossValidatedSparseProbs,
  fitSparse,
  tfidfRows,
  words,
  type BagOfWordsOptions,
  type SparseModel,
  type SparseRows,
} from './bag-of-words';
export { spanDisagreements, type PredictedSpan, type SpanDisagreement } from './ner';

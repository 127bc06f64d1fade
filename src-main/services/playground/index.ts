// Playground use-cases: predict one text with a run's model, find the nearest dev examples.
export {
  predictText,
  nearestExamples,
  predictOne,
  PredictTextInput,
  NearestExamplesInput,
  type NearExample,
  type NearestResult,
  type PlaygroundPrediction,
  type PlaygroundRuntime,
  type TokenView,
} from './predict';
export { PredictorCache, predictorCache, type LoadedModel } from './cache';
export { cachedPredictions, type KeyedText } from './dev-cache';

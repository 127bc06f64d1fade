export { gelu } from './gelu';
export { logSoftmax, softmaxCrossEntropy, type CrossEntropyOptions } from './cross-entropy';

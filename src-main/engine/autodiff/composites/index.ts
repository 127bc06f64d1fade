export { gelu } from './gelu';
export { softmax, type SoftmaxScaling } from './softmax';
export { logSoftmax, softmaxCrossEntropy, type CrossEntropyOptions } from './cross-entropy';

export { EntityChunker, getEntities, InvalidTagError, type TagEntity } from './entities';
export { nerScores, NerScorer, prf, SequenceLengthError, type NerScores, type Prf } from './ner';
export { classificationScores, ClassificationInputError, type ClassificationScores } from './classification';
export { decodeBioPath, logSoftmaxAt } from './bio-decode';

// Public result types of the predictor. Char offsets are UTF-16 code units into the ORIGINAL text, so
// `text.slice(start, end)` is always the entity's surface.

/** Probability of one class label. */
export interface ClassProb {
  readonly label: string;
  readonly prob: number;
}

/** One predicted entity: [start, end) into the original text, merged from BIO tags over whole words. */
export interface PredictedEntity {
  readonly start: number;
  readonly end: number;
  readonly type: string;
  /** Exactly `originalText.slice(start, end)`. */
  readonly text: string;
  /** Mean probability of the chosen tag over the entity's words. */
  readonly confidence: number;
}

/** What went wrong with one text; the other texts of the batch are unaffected. */
export type PredictErrorCode = 'not-a-string' | 'empty' | 'too-long' | 'no-tokens' | 'tokenizer-failed';

export interface PredictError {
  readonly code: PredictErrorCode;
  readonly message: string;
}

/** Prediction for one text that could be processed. */
export interface PredictionOk {
  readonly ok: true;
  /** Sorted by the model's label order (not by probability); empty when the model has no classification head. */
  readonly classProbs: readonly ClassProb[];
  /** Arg-max class label, null without a classification head. */
  readonly label: string | null;
  /** Sorted by start offset; empty without an NER head. */
  readonly entities: readonly PredictedEntity[];
  /** Sentence embedding when requested. */
  readonly embedding?: Float32Array;
  /** True when the classifier saw only the first `maxLength` tokens (NER always covers the whole text). */
  readonly truncated: boolean;
}

/** A text the predictor refused, with a message saying why and what to do. */
export interface PredictionFailed {
  readonly ok: false;
  readonly error: PredictError;
}

export type TextPrediction = PredictionOk | PredictionFailed;

/** Label sets of the two heads; an empty list means the model has no such head. */
export interface HeadLabels {
  readonly classification: readonly string[];
  /** BIO tag list, "O" included (e.g. ["O", "B-PER", "I-PER", ...]). */
  readonly ner: readonly string[];
}

// Playground screen: a run's predictions for typed text, and its nearest dev examples.
import type { ExampleId, RunRef } from './core';

export interface PredictionInfo {
  readonly label: string | null;
  /** In the model's label order. */
  readonly classProbs: readonly { readonly label: string; readonly prob: number }[];
  /** `text.slice(start, end) === text` for each. */
  readonly entities: readonly {
    readonly start: number;
    readonly end: number;
    readonly type: string;
    readonly text: string;
    readonly confidence: number;
  }[];
  /** WordPiece tokens; specials ([CLS], [SEP]) have start = end = 0. */
  readonly tokens: readonly {
    readonly token: string;
    readonly start: number;
    readonly end: number;
    readonly special: boolean;
    readonly classified: boolean;
  }[];
  /** The classifier saw only the first maxLength tokens. */
  readonly truncated: boolean;
  /** 'int8': the encoder's dense layers ran in int8 (faster on CPU, slightly different numbers). */
  readonly precision: 'fp32' | 'int8';
  /** Forward pass and decoding of this text, model already loaded. */
  readonly predictMs: number;
}

export interface NearestInfo {
  readonly devExamples: number;
  readonly neighbours: readonly {
    readonly exampleId: ExampleId;
    readonly text: string;
    readonly classLabel: string | null;
    readonly similarity: number;
  }[];
}

export interface PlaygroundMethods {
  'playground.predict': {
    readonly input: RunRef & { readonly text: string; readonly precision?: 'fp32' | 'int8' };
    readonly output: PredictionInfo;
  };
  'playground.nearest': {
    readonly input: RunRef & { readonly text: string; readonly k?: number };
    readonly output: NearestInfo;
  };
}

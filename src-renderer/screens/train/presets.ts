/** The freeze presets the Train screen offers as cards, in the words a person would use. */
import type { FreezePresetName } from '../../../src-preload/contract';

export interface PresetCard {
  readonly id: FreezePresetName;
  readonly title: string;
  readonly trains: string;
  readonly when: string;
}

export const PRESET_CARDS: readonly PresetCard[] = [
  {
    id: 'full',
    title: 'Full fine-tune',
    trains: 'Encoder and both heads',
    when: 'Best accuracy; the slowest steps.',
  },
  {
    id: 'heads-only',
    title: 'Heads only',
    trains: 'Classification and NER heads; encoder frozen',
    when: 'Fast (about the cost of inference); a quick baseline.',
  },
  {
    id: 'freeze-classifier',
    title: 'Freeze classifier',
    trains: 'Encoder and NER head; classification head fixed',
    when: 'Improve entities without moving a classifier you like.',
  },
  {
    id: 'freeze-ner',
    title: 'Freeze NER',
    trains: 'Encoder and classification head; NER head fixed',
    when: 'Improve classes without moving the entity tagger.',
  },
];

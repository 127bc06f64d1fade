/**
 * The Annotate screen's keyboard map, as data: `commandFor` turns a key event into a command, and
 * `KEY_HELP` is what `?` shows. Digits pick entity types (1–9, 0 = tenth) and Shift+digit the class; no
 * digit shadows navigation, accept or reject.
 */

export type Command =
  | { readonly kind: 'acceptExample' }
  | { readonly kind: 'skipExample' }
  | { readonly kind: 'rejectSpan' }
  | { readonly kind: 'acceptSpan' }
  | { readonly kind: 'removeSpan' }
  | { readonly kind: 'next' }
  | { readonly kind: 'previous' }
  | { readonly kind: 'nextSpan' }
  | { readonly kind: 'previousSpan' }
  | { readonly kind: 'entityType'; readonly index: number }
  | { readonly kind: 'classLabel'; readonly index: number }
  | { readonly kind: 'labelAll' }
  | { readonly kind: 'undo' }
  | { readonly kind: 'redo' }
  | { readonly kind: 'help' }
  | { readonly kind: 'escape' };

/** The parts of a KeyboardEvent the map reads (so it can be tested without a DOM). */
export interface KeyInput {
  readonly key: string;
  readonly code: string;
  readonly shiftKey: boolean;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly altKey: boolean;
}

/** 0-based label index of a digit key (1 -> 0, ..., 9 -> 8, 0 -> 9), from the physical key so Shift works. */
export function digitIndex(code: string): number | null {
  const m = /^(?:Digit|Numpad)([0-9])$/.exec(code);
  if (m?.[1] === undefined) return null;
  const d = Number(m[1]);
  return d === 0 ? 9 : d - 1;
}

/** The key that picks label `index` (the inverse of digitIndex); null past the tenth. */
export function keyForIndex(index: number): string | null {
  if (index < 0 || index > 9) return null;
  return index === 9 ? '0' : String(index + 1);
}

/** The command for a key press, or null when the key is not ours (the browser keeps it). */
export function commandFor(e: KeyInput): Command | null {
  const mod = e.ctrlKey || e.metaKey;
  if (mod && !e.altKey && e.key.toLowerCase() === 'z') return { kind: e.shiftKey ? 'redo' : 'undo' };
  if (mod && !e.altKey && e.key.toLowerCase() === 'y') return { kind: 'redo' };
  if (mod || e.altKey) return null;
  const digit = digitIndex(e.code);
  if (digit !== null) return e.shiftKey ? { kind: 'classLabel', index: digit } : { kind: 'entityType', index: digit };
  switch (e.key) {
    case 'a':
      return { kind: 'acceptExample' };
    case ' ':
      return { kind: 'skipExample' };
    case 'x':
      return { kind: 'rejectSpan' };
    case 'Enter':
      return { kind: 'acceptSpan' };
    case 'Backspace':
    case 'Delete':
      return { kind: 'removeSpan' };
    case 'j':
    case 'ArrowDown':
      return { kind: 'next' };
    case 'k':
    case 'ArrowUp':
      return { kind: 'previous' };
    case 'ArrowRight':
      return { kind: 'nextSpan' };
    case 'ArrowLeft':
      return { kind: 'previousSpan' };
    case 'l':
    case 'L':
      return { kind: 'labelAll' };
    case '?':
      return { kind: 'help' };
    case 'Escape':
      return { kind: 'escape' };
    default:
      return null;
  }
}

export interface KeyHelpRow {
  readonly keys: readonly string[];
  readonly action: string;
}

/** Every key of the screen, in the order `?` lists them. */
export const KEY_HELP: readonly KeyHelpRow[] = [
  { keys: ['drag'], action: 'Select words to label (snaps to whole tokens)' },
  { keys: ['Alt', 'drag'], action: 'Select exact characters' },
  { keys: ['1', '…', '9', '0'], action: 'Give the selection (or the selected span) that entity type' },
  { keys: ['Shift', '1…0'], action: 'Set the class label' },
  { keys: ['←', '→'], action: 'Select the previous / next span' },
  { keys: ['Enter'], action: 'Accept the selected span as gold' },
  { keys: ['x'], action: 'Reject the selected span (the labeler will not propose it again)' },
  { keys: ['Backspace'], action: 'Remove the selected span' },
  { keys: ['L'], action: 'Label all other occurrences of the selected span’s text' },
  { keys: ['a'], action: 'Accept the example (silver becomes gold) and go to the next' },
  { keys: ['Space'], action: 'Skip the example' },
  { keys: ['j', '↓'], action: 'Next example' },
  { keys: ['k', '↑'], action: 'Previous example' },
  { keys: ['Ctrl', 'Z'], action: 'Undo' },
  { keys: ['Ctrl', 'Shift', 'Z'], action: 'Redo' },
  { keys: ['Esc'], action: 'Clear the selection / close this list' },
  { keys: ['?'], action: 'Show or hide this list' },
];

import { describe, expect, it } from 'vitest';
import { commandFor, digitIndex, keyForIndex, type KeyInput } from './keys';

const key = (k: string, code = '', mods: Partial<KeyInput> = {}): KeyInput => ({
  key: k,
  code,
  shiftKey: false,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
});

describe('commandFor', () => {
  it('maps digits to entity types and Shift+digits (whatever character they type) to classes', () => {
    expect(commandFor(key('1', 'Digit1'))).toEqual({ kind: 'entityType', index: 0 });
    expect(commandFor(key('0', 'Digit0'))).toEqual({ kind: 'entityType', index: 9 });
    expect(commandFor(key('!', 'Digit1', { shiftKey: true }))).toEqual({ kind: 'classLabel', index: 0 });
    expect(commandFor(key('3', 'Numpad3'))).toEqual({ kind: 'entityType', index: 2 });
  });

  it('maps undo and redo with Ctrl or Cmd, and leaves other shortcuts to the browser', () => {
    expect(commandFor(key('z', 'KeyZ', { ctrlKey: true }))).toEqual({ kind: 'undo' });
    expect(commandFor(key('Z', 'KeyZ', { ctrlKey: true, shiftKey: true }))).toEqual({ kind: 'redo' });
    expect(commandFor(key('z', 'KeyZ', { metaKey: true }))).toEqual({ kind: 'undo' });
    expect(commandFor(key('c', 'KeyC', { ctrlKey: true }))).toBeNull();
    expect(commandFor(key('a', 'KeyA', { altKey: true }))).toBeNull();
  });

  it('maps the review keys, and no digit shadows them', () => {
    expect(commandFor(key('a', 'KeyA'))).toEqual({ kind: 'acceptExample' });
    expect(commandFor(key('x', 'KeyX'))).toEqual({ kind: 'rejectSpan' });
    expect(commandFor(key('j', 'KeyJ'))).toEqual({ kind: 'next' });
    expect(commandFor(key('ArrowUp', 'ArrowUp'))).toEqual({ kind: 'previous' });
    expect(commandFor(key('Backspace', 'Backspace'))).toEqual({ kind: 'removeSpan' });
    expect(commandFor(key('L', 'KeyL', { shiftKey: true }))).toEqual({ kind: 'labelAll' });
    expect(commandFor(key('?', 'Slash', { shiftKey: true }))).toEqual({ kind: 'help' });
    expect(commandFor(key('q', 'KeyQ'))).toBeNull();
  });

  it('round-trips label indexes and keys', () => {
    for (let i = 0; i < 10; i += 1) expect(digitIndex(`Digit${keyForIndex(i)}`)).toBe(i);
    expect(keyForIndex(10)).toBeNull();
  });
});

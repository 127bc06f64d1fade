/** What each keyboard command does on the Annotate screen (the key map itself is in keys.ts). */
import type { AnnotateState } from './annotate-state.svelte';
import type { Command } from './keys';

export interface ScreenUi {
  toggleHelp(): void;
  closeHelp(): boolean;
}

const NEED_SPAN = 'Select a span first: click it, or use ← and →.';

/** Carries out `cmd`; edits are queued so they apply in key-press order. */
export function runCommand(s: AnnotateState, ui: ScreenUi, cmd: Command): void {
  const ex = s.example;
  const span = s.selected();
  const queue = (task: () => Promise<unknown>): void => void s.enqueue(task);
  switch (cmd.kind) {
    case 'help':
      return ui.toggleHelp();
    case 'escape':
      if (!ui.closeHelp()) {
        s.pending = null;
        s.selectedSpan = null;
      }
      return;
    case 'next':
    case 'previous':
      return queue(() => s.step(cmd.kind === 'next' ? 1 : -1));
    case 'nextSpan':
    case 'previousSpan':
      return s.cycleSpan(cmd.kind === 'nextSpan' ? 1 : -1);
    case 'undo':
    case 'redo':
      return queue(() => s.undoRedo(cmd.kind));
  }
  if (ex === null) return;
  switch (cmd.kind) {
    case 'acceptExample':
      return queue(async () => {
        if ((await s.edit('annotate.acceptExample', { exampleId: ex.id })) !== null) await s.step(1);
      });
    case 'skipExample':
      return queue(async () => {
        if ((await s.edit('annotate.setExampleStatus', { exampleId: ex.id, status: 'skipped' })) !== null)
          await s.step(1);
      });
    case 'classLabel': {
      const label = s.classLabels[cmd.index];
      if (label === undefined) {
        s.notice = { tone: 'warn', text: `No class has key Shift+${(cmd.index + 1) % 10}.` };
        return;
      }
      return queue(() => s.edit('annotate.setClassLabel', { exampleId: ex.id, label }));
    }
    case 'entityType': {
      const type = s.entityTypes[cmd.index];
      if (type === undefined) {
        s.notice = { tone: 'warn', text: `No entity type has key ${(cmd.index + 1) % 10}.` };
        return;
      }
      if (s.pending !== null) return queue(() => s.addSpan(type));
      if (span !== null) return queue(() => s.edit('annotate.relabelSpan', { spanId: span.id, type }));
      s.notice = {
        tone: 'warn',
        text: 'Select some text with the mouse, or a span with ← →, then press its type key.',
      };
      return;
    }
  }
  if (span === null) {
    s.notice = { tone: 'warn', text: NEED_SPAN };
    return;
  }
  switch (cmd.kind) {
    case 'rejectSpan':
      return queue(() => s.edit('annotate.rejectSpan', { spanId: span.id }));
    case 'acceptSpan':
      return queue(() => s.edit('annotate.acceptSpan', { spanId: span.id }));
    case 'removeSpan':
      return queue(() => s.edit('annotate.removeSpan', { spanId: span.id }));
    case 'labelAll':
      return queue(() => s.labelAll());
  }
}

/** What each keyboard command does on the Annotate screen (the key map itself is in keys.ts). */
import type { AnnotateState } from './annotate-state.svelte';
import type { Command } from './keys';

export interface ScreenUi {
  toggleHelp(): void;
  closeHelp(): boolean;
}

const NEED_SPAN = 'Select a span first: click it, or use ← and →.';

/**
 * Carries out `cmd`. Everything but help and Escape is queued and reads the example, the selection and the
 * selected span when its turn comes, so keys typed while an edit is in flight act on that edit's result.
 */
export function runCommand(s: AnnotateState, ui: ScreenUi, cmd: Command): void {
  if (cmd.kind === 'help') return ui.toggleHelp();
  if (cmd.kind === 'escape') {
    if (!ui.closeHelp()) {
      s.pending = null;
      s.selectedSpan = null;
    }
    return;
  }
  void s.enqueue(() => execute(s, cmd));
}

async function execute(s: AnnotateState, cmd: Exclude<Command, { kind: 'help' | 'escape' }>): Promise<unknown> {
  switch (cmd.kind) {
    case 'next':
    case 'previous':
      return s.step(cmd.kind === 'next' ? 1 : -1);
    case 'nextSpan':
    case 'previousSpan':
      return s.cycleSpan(cmd.kind === 'nextSpan' ? 1 : -1);
    case 'undo':
    case 'redo':
      return s.undoRedo(cmd.kind);
  }
  const ex = s.example;
  if (ex === null) return;
  switch (cmd.kind) {
    case 'acceptExample':
      if ((await s.edit('annotate.acceptExample', { exampleId: ex.id })) !== null) await s.step(1);
      return;
    case 'skipExample':
      if ((await s.edit('annotate.setExampleStatus', { exampleId: ex.id, status: 'skipped' })) !== null)
        await s.step(1);
      return;
    case 'classLabel': {
      const label = s.classLabels[cmd.index];
      if (label === undefined) {
        s.notice = { tone: 'warn', text: `No class has key Shift+${(cmd.index + 1) % 10}.` };
        return;
      }
      return s.edit('annotate.setClassLabel', { exampleId: ex.id, label });
    }
    case 'entityType': {
      const type = s.entityTypes[cmd.index];
      const span = s.selected();
      if (type === undefined) {
        s.notice = { tone: 'warn', text: `No entity type has key ${(cmd.index + 1) % 10}.` };
        return;
      }
      if (s.pending !== null) return s.addSpan(type);
      if (span !== null) return s.edit('annotate.relabelSpan', { spanId: span.id, type });
      s.notice = {
        tone: 'warn',
        text: 'Select some text with the mouse, or a span with ← →, then press its type key.',
      };
      return;
    }
  }
  const span = s.selected();
  if (span === null) {
    s.notice = { tone: 'warn', text: NEED_SPAN };
    return;
  }
  switch (cmd.kind) {
    case 'rejectSpan':
      return s.edit('annotate.rejectSpan', { spanId: span.id });
    case 'acceptSpan':
      return s.edit('annotate.acceptSpan', { spanId: span.id });
    case 'removeSpan':
      return s.edit('annotate.removeSpan', { spanId: span.id });
    case 'labelAll':
      return s.labelAll();
  }
}

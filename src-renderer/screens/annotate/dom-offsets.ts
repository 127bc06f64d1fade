/**
 * Maps a DOM selection inside EntityText back to text offsets. Every piece of text sits in an element with
 * `data-start` (its offset in the example); the type labels on marks carry `data-at` (the offset a click
 * there stands for) and hold no text of the example. Text nodes count UTF-16 units, like the spans.
 */

function segOffset(el: Element | null, atEnd: boolean): number | null {
  if (el === null) return null;
  const seg = el.matches('[data-start]') ? el : atEnd ? lastSeg(el) : el.querySelector('[data-start]');
  if (seg === null) return null;
  const start = Number((seg as HTMLElement).dataset.start);
  return atEnd ? start + (seg.textContent ?? '').length : start;
}

function lastSeg(el: Element): Element | null {
  const all = el.querySelectorAll('[data-start]');
  return all.length === 0 ? null : (all[all.length - 1] ?? null);
}

/** The text offset of a DOM point (node, offset) under `root`, or null when it is outside the text. */
export function pointToOffset(root: HTMLElement, node: Node, offset: number): number | null {
  if (!root.contains(node)) return null;
  const el = node.nodeType === Node.TEXT_NODE ? node.parentElement : (node as Element);
  if (el === null) return null;
  const label = el.closest('[data-at]');
  if (label !== null) return Number((label as HTMLElement).dataset.at);
  if (node.nodeType === Node.TEXT_NODE) {
    const seg = el.closest('[data-start]');
    return seg === null ? null : Number((seg as HTMLElement).dataset.start) + offset;
  }
  // An element boundary: the point sits before child `offset` (or after the last child).
  const child = node.childNodes[offset];
  if (child !== undefined) {
    return child.nodeType === Node.TEXT_NODE ? segOffset(el, false) : segOffset(child as Element, false);
  }
  return segOffset(el, true);
}

/** The current selection as raw offsets [anchor, focus] inside `root`, or null when there is none there. */
export function selectionOffsets(root: HTMLElement): readonly [number, number] | null {
  const sel = window.getSelection();
  if (sel === null || sel.rangeCount === 0 || sel.isCollapsed) return null;
  const { anchorNode, focusNode } = sel;
  if (anchorNode === null || focusNode === null) return null;
  const a = pointToOffset(root, anchorNode, sel.anchorOffset);
  const b = pointToOffset(root, focusNode, sel.focusOffset);
  return a === null || b === null ? null : [a, b];
}

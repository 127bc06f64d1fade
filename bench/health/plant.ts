// Planted errors for bench:health: AG News rows, 2 % duplicated with small edits, 3 % of labels flipped.
import { join } from 'node:path';
import { normaliseText } from '../../src-main/data/health';
import type { Rng } from '../../src-main/engine/random';
import { readDataRows } from '../../src-main/services/health';

export const SHARED = join(import.meta.dirname, '..', '..', '..', 'shared');

export interface Row {
  text: string;
  label: string;
  /** Index of the original this row duplicates, or -1. */
  copyOf: number;
  flipped: boolean;
}

/** One small edit that changes the normalised text: drop a word, swap two neighbours, or a typo. */
export function edit(text: string, rng: Rng): string {
  for (let tries = 0; tries < 10; tries++) {
    const words = text.split(' ');
    const i = rng.int(words.length);
    const kind = rng.int(3);
    if (kind === 0 && words.length > 3) words.splice(i, 1);
    else if (kind === 1 && i + 1 < words.length) [words[i], words[i + 1]] = [words[i + 1]!, words[i]!];
    else if (words[i]!.length > 3) {
      const w = words[i]!;
      const c = 1 + rng.int(w.length - 2);
      words[i] = w.slice(0, c) + w[c + 1] + w[c] + w.slice(c + 2); // swap two letters
    } else continue;
    const out = words.join(' ');
    if (normaliseText(out) !== normaliseText(text)) return out;
  }
  return `${text} (update)`;
}

/** `total` rows: originals from AG News train (then dev), 2 % edited copies, 3 % of all labels flipped. */
export async function plant(total: number, rng: Rng): Promise<Row[]> {
  const train = await readDataRows(join(SHARED, 'data', 'ag_news', 'train.csv'));
  const dev = await readDataRows(join(SHARED, 'data', 'ag_news', 'dev.csv'));
  const pool = [...train.rows, ...dev.rows];
  const copies = Math.round(total * 0.02);
  const originals = total - copies;
  if (originals > pool.length)
    throw new Error(`--texts ${total} needs ${originals} originals; AG News here has ${pool.length}.`);
  const rows: Row[] = pool
    .slice(0, originals)
    .map((r) => ({ text: r.text, label: r.label!, copyOf: -1, flipped: false }));
  const sources = rng.shuffle(rows.map((_, i) => i)).slice(0, copies);
  for (const s of sources)
    rows.push({ text: edit(rows[s]!.text, rng), label: rows[s]!.label, copyOf: s, flipped: false });
  const classes = [...new Set(rows.map((r) => r.label))].sort();
  for (const i of rng.shuffle(rows.map((_, j) => j)).slice(0, Math.round(total * 0.03))) {
    const others = classes.filter((c) => c !== rows[i]!.label);
    rows[i]!.label = others[rng.int(others.length)]!;
    rows[i]!.flipped = true;
  }
  return rows;
}

/**
 * Originals that repeat an earlier original's first, middle or last six normalised words: AG News holds many
 * reposted stories ("Update 2", another wire), real near duplicates that were not planted. A lexical rule,
 * independent of the embeddings, so the bench can score planted pairs without counting these against it.
 */
export function repostedOriginals(rows: readonly Row[]): Set<number> {
  const seen = [new Set<string>(), new Set<string>(), new Set<string>()];
  const out = new Set<number>();
  rows.forEach((r, i) => {
    if (r.copyOf >= 0) return;
    const w = normaliseText(r.text).split(' ');
    const keys = [w.slice(0, 6), w.slice(4, 10), w.slice(-6)].map((k) => k.join(' '));
    if (keys.some((k, j) => seen[j]!.has(k))) out.add(i);
    keys.forEach((k, j) => seen[j]!.add(k));
  });
  return out;
}

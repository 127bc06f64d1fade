// Writes split assignments for a whole dataset (inside the caller's transaction).
import type { Db } from '../../store/db';
import { stratifiedSplits, type SplitRatios } from './splits';

/** Stratified-by-class, seeded split of every example of a dataset. */
export function assignDatasetSplits(db: Db, datasetId: number, ratios: SplitRatios, seed: number): void {
  // Ids and labels only (no texts): in line order, so the same file and seed always give the same splits.
  const keys = db
    .prepare<[number], { id: number; classLabel: string | null }>(
      'SELECT id, class_label AS classLabel FROM examples WHERE dataset_id = ? ORDER BY line',
    )
    .all(datasetId);
  const splits = stratifiedSplits(
    keys.map((k) => ({ id: k.id, group: k.classLabel })),
    ratios,
    seed,
  );
  const stmt = db.prepare('UPDATE examples SET split = ? WHERE id = ?');
  for (const [id, split] of splits) stmt.run(split, id);
}

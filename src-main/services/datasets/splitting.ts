// Writes split assignments for a whole dataset (inside the caller's transaction).
import type { Db } from '../../store/db';
import { datasetExampleKeys } from '../../store/repos/examples';
import { stratifiedSplits, type SplitRatios } from './splits';

/** Stratified-by-class, seeded split of every example of a dataset. */
export function assignDatasetSplits(db: Db, datasetId: number, ratios: SplitRatios, seed: number): void {
  const keys = datasetExampleKeys(db, datasetId);
  const splits = stratifiedSplits(
    keys.map((k) => ({ id: k.id, group: k.classLabel })),
    ratios,
    seed,
  );
  const stmt = db.prepare('UPDATE examples SET split = ? WHERE id = ?');
  for (const [id, split] of splits) stmt.run(split, id);
}

// The NER half of the label check: a trained run's confident entities that the annotation disagrees with.
import { spanDisagreements } from '../../data/health';
import { batchParallelism, DEFAULT_BATCH_SIZE, loadBatchPredictor } from '../../engine/infer';
import { readCheckpointMeta } from '../../engine/model';
import type { DataRow } from './read';
import type { NerDisagreementFinding } from './report';

/** Predictions at or above this confidence count as the model being sure. */
export const NER_MIN_CONFIDENCE = 0.9;

/** Findings for the rows that carry spans, or the reason the check could not run with this checkpoint. */
export async function nerCheck(
  dir: string,
  rows: readonly DataRow[],
  threads: number | undefined,
): Promise<{ readonly findings: readonly NerDisagreementFinding[] } | { readonly skipped: string }> {
  // Read from the checkpoint's config before a worker pool starts and loads the weights for nothing.
  if ((readCheckpointMeta(dir).meta.heads.ner?.labels.length ?? 0) === 0) {
    return { skipped: `NER spans were not checked: ${dir} has no entity (NER) head; pass a run trained with one.` };
  }
  const annotated = rows.filter((r) => r.spans !== undefined);
  const loaded = await loadBatchPredictor(
    dir,
    batchParallelism(annotated.length, DEFAULT_BATCH_SIZE, threads !== undefined ? { threads } : {}),
  );
  try {
    const predictions = await loaded.predictor.predict(annotated.map((r) => r.text));
    const findings: NerDisagreementFinding[] = [];
    predictions.forEach((p, i) => {
      if (!p.ok) return;
      const row = annotated[i]!;
      for (const d of spanDisagreements(row.spans!, p.entities, NER_MIN_CONFIDENCE)) {
        findings.push({
          line: row.row,
          start: d.start,
          end: d.end,
          text: row.text.slice(d.start, d.end),
          predicted: d.predicted,
          annotated: d.annotated?.type ?? null,
          kind: d.kind,
          confidence: Math.round(d.confidence * 1e4) / 1e4,
        });
      }
    });
    findings.sort((a, b) => b.confidence - a.confidence || a.line - b.line || a.start - b.start);
    return { findings };
  } finally {
    await loaded.release();
  }
}

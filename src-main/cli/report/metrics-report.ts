/** Plain-text tables of a run's dev metrics, as printed by `mts pipeline` and `mts eval`. */
import type { EvalMetrics } from '../../engine/trainer';

const pct = (x: number): string => (100 * x).toFixed(2).padStart(6);

/** Per-class P/R/F1, confusion matrix and per-entity-type P/R/F1. */
export function formatMetrics(m: EvalMetrics): string {
  const out: string[] = [];
  if (m.classification) {
    const c = m.classification;
    out.push(`Classification: accuracy ${pct(c.accuracy).trim()}  macro-F1 ${pct(c.macroF1).trim()}`);
    const w = Math.max(8, ...c.labels.map((l) => l.length));
    out.push(`  ${'class'.padEnd(w)}  precision  recall      F1  support`);
    for (const r of c.perClass)
      out.push(
        `  ${r.label.padEnd(w)}     ${pct(r.precision)}  ${pct(r.recall)}  ${pct(r.f1)}  ${String(r.support).padStart(7)}`,
      );
    out.push('  confusion (rows = true, columns = predicted):');
    out.push(`  ${''.padEnd(w)}  ${c.labels.map((l) => l.slice(0, 8).padStart(8)).join(' ')}`);
    c.confusion.forEach((row, i) =>
      out.push(`  ${c.labels[i]!.padEnd(w)}  ${row.map((n) => String(n).padStart(8)).join(' ')}`),
    );
  }
  if (m.ner) {
    const n = m.ner;
    out.push(
      `NER (entity level, seqeval): precision ${pct(n.precision).trim()}  recall ${pct(n.recall).trim()}  F1 ${pct(n.f1).trim()}`,
    );
    out.push('  type      precision  recall      F1  support');
    for (const r of n.perType)
      out.push(
        `  ${r.type.padEnd(8)}     ${pct(r.precision)}  ${pct(r.recall)}  ${pct(r.f1)}  ${String(r.support).padStart(7)}`,
      );
  }
  return out.join('\n');
}

// Measures what the silver labeler's confidence table (src-main/data/silver/confidence.ts) is made of:
// - per news rule (and capitalisation context): the share of its spans that are exactly a gold CoNLL-2003
//   entity of the same type (precision against gold; CoNLL train, where the rules were developed);
// - per wink type (DATE, MONEY): agreement with spaCy's spans on AG News dev (a yardstick, not gold: CoNLL
//   has no DATE/MONEY);
// - the 'unsure' words (name-like, left untyped): how often gold marks them as part of an entity;
// - with --compromise, compromise's spans per type against gold CoNLL (slow: ~30x the rules).
// Usage: npx tsx scripts/silver-confidence.ts [../shared/data/conll2003/train.txt] [--spacy ../shared/data/ag_news/silver-spacy-dev.jsonl]
import { existsSync, readFileSync } from 'node:fs';
import { importFile } from '../src-main/data/import/index';
import { compromiseLabeler, entityLabeler, newsRulesExplainer, winkLabeler } from '../src-main/data/silver/index';
import type { CharSpan } from '../src-main/data/types';

const args = process.argv.slice(2);
const conll =
  args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--spacy') ?? '../shared/data/conll2003/train.txt';
const spacyAt = args.indexOf('--spacy');
const spacy = spacyAt >= 0 ? args[spacyAt + 1]! : '../shared/data/ag_news/silver-spacy-dev.jsonl';
for (const p of [conll, spacy]) {
  if (!existsSync(p)) {
    console.error(`silver-confidence: ${p} does not exist; pass the CoNLL train file (and --spacy the spaCy JSONL).`);
    process.exit(2);
  }
}

interface Tally {
  n: number;
  exact: number;
}
const bump = (m: Map<string, Tally>, key: string, ok: boolean): void => {
  const t = m.get(key) ?? { n: 0, exact: 0 };
  t.n++;
  if (ok) t.exact++;
  m.set(key, t);
};
const round = (x: number): number => Number(x.toFixed(1));
const pct = (t: Tally): string => ((100 * t.exact) / Math.max(1, t.n)).toFixed(1);
const rows = (m: Map<string, Tally>): Record<string, { spans: number; precision: string }> =>
  Object.fromEntries(
    [...m].sort((a, b) => b[1].n - a[1].n).map(([k, t]) => [k, { spans: t.n, precision: pct(t) }] as const),
  );
const same = (a: CharSpan, b: CharSpan): boolean => a.start === b.start && a.end === b.end && a.type === b.type;
const overlaps = (a: { start: number; end: number }, b: CharSpan): boolean => a.start < b.end && b.start < a.end;

const explain = newsRulesExplainer();
const byRule = new Map<string, Tally>();
const byRuleContext = new Map<string, Tally>();
const unsure: Tally = { n: 0, exact: 0 };
const compromise = args.includes('--compromise') ? compromiseLabeler() : null;
const byCompromise = new Map<string, Tally>();
for await (const ev of importFile(conll)) {
  if (ev.kind !== 'example') continue;
  const gold = ev.example.spans ?? [];
  const r = explain(ev.example.text);
  r.spans.forEach((s, i) => {
    const ok = gold.some((g) => same(g, s));
    bump(byRule, r.rules[i]!, ok);
    bump(byRuleContext, `${r.rules[i]}/${r.contexts[i]}`, ok);
  });
  for (const s of compromise?.label(ev.example.text) ?? []) {
    if (['PER', 'LOC', 'ORG'].includes(s.type))
      bump(
        byCompromise,
        s.type,
        gold.some((g) => same(g, s)),
      );
  }
  for (const u of r.unsure) {
    unsure.n++;
    if (gold.some((g) => overlaps(u, g))) unsure.exact++;
  }
}

// Held out: how the confidences (measured on train) hold on CoNLL valid. Spans bucketed by confidence, the
// precision in each bucket, and precision / recall / F1 of the spans kept at a few thresholds.
const valid = conll.replace(/train\.txt$/, 'valid.txt');
const calibration = existsSync(valid) && valid !== conll ? await heldOut(valid) : null;

async function heldOut(path: string) {
  const labeler = entityLabeler();
  const buckets = new Map<string, Tally>();
  const thresholds = [0, 0.5, 0.6, 0.7, 0.8];
  const kept = thresholds.map(() => ({ tp: 0, fp: 0 }));
  let gold = 0;
  const unsureValid: Tally = { n: 0, exact: 0 };
  for await (const ev of importFile(path)) {
    if (ev.kind !== 'example') continue;
    const g = (ev.example.spans ?? []).filter((x) => ['PER', 'LOC', 'ORG'].includes(x.type));
    const all = ev.example.spans ?? [];
    gold += g.length;
    const out = labeler.explain(ev.example.text);
    for (const sp of out.spans) {
      const ok = g.some((x) => same(x, sp));
      const c = sp.confidence ?? 1;
      bump(buckets, c < 0.5 ? '<0.5' : c < 0.7 ? '0.5-0.7' : c < 0.9 ? '0.7-0.9' : '>=0.9', ok);
      thresholds.forEach((t, i) => {
        if (c >= t) kept[i]![ok ? 'tp' : 'fp']++;
      });
    }
    for (const u of out.unsure) {
      unsureValid.n++;
      if (all.some((x) => overlaps(u, x))) unsureValid.exact++;
    }
  }
  return {
    path,
    precisionByConfidence: rows(buckets),
    keptAtThreshold: Object.fromEntries(
      thresholds.map((t, i) => {
        const { tp, fp } = kept[i]!;
        const p = tp / Math.max(1, tp + fp);
        const r = tp / Math.max(1, gold);
        return [
          String(t),
          {
            spans: tp + fp,
            precision: round(100 * p),
            recall: round(100 * r),
            f1: round((200 * p * r) / Math.max(1e-9, p + r)),
          },
        ];
      }),
    ),
    unsureWords: { words: unsureValid.n, partOfGoldEntity: pct(unsureValid) },
  };
}

const wink = winkLabeler(['DATE', 'MONEY']);
const byWink = new Map<string, Tally>();
for (const line of readFileSync(spacy, 'utf8').split('\n')) {
  if (line.trim() === '') continue;
  const row = JSON.parse(line) as { text: string; spans: { start: number; end: number; label: string }[] };
  const theirs = row.spans.map((s) => ({ start: s.start, end: s.end, type: s.label }));
  for (const s of wink.label(row.text))
    bump(
      byWink,
      s.type,
      theirs.some((t) => same(t, s)),
    );
}

console.log(
  JSON.stringify(
    {
      conll,
      rules: rows(byRule),
      rulesByContext: rows(byRuleContext),
      unsureWords: { words: unsure.n, partOfGoldEntity: pct(unsure) },
      ...(compromise && { compromise: rows(byCompromise) }),
      ...(calibration && { heldOut: calibration }),
      spacy,
      winkAgreementWithSpacy: rows(byWink),
    },
    null,
    2,
  ),
);

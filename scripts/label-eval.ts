// Scores silver labelers against gold CoNLL (IOB2) with seqeval-compatible entity F1 on PER/LOC/ORG.
// Usage: npx tsx scripts/label-eval.ts ../shared/data/conll2003/valid.txt [--compromise] [--limit N]
//        npx tsx scripts/label-eval.ts ../shared/data/ag_news/silver-spacy-dev.jsonl --types PER,LOC,ORG,DATE,MONEY
//        (agreement with another labeler's span JSONL; DATE/MONEY in --types switch to the full silver pipeline)
// Prints one table per labeler: per-type P/R/F1, micro, and words/s (time inside the labeler only,
// after a warm-up pass over the first 200 sentences so JIT compilation is not counted).
import { existsSync } from 'node:fs';
import {
  composeLabelers,
  compromiseLabeler,
  entityLabeler,
  evaluateLabeler,
  formatEvaluation,
  silverLabeler,
  type Labeler,
} from '../src-main/data/silver/index';

const args = process.argv.slice(2);
const path =
  args.find((a, i) => !a.startsWith('--') && !['--limit', '--types'].includes(args[i - 1])) ??
  '../shared/data/conll2003/valid.txt';
if (!existsSync(path)) {
  console.error(
    `label-eval: ${path} does not exist; pass the path of a CoNLL file (token ... tag per line, IOB1/IOB2).`,
  );
  process.exit(2);
}
const limitAt = args.indexOf('--limit');
const limit = limitAt >= 0 ? Number(args[limitAt + 1]) : undefined;
const typesAt = args.indexOf('--types');
const types = typesAt >= 0 ? args[typesAt + 1].split(',') : ['PER', 'LOC', 'ORG'];
const full = types.some((t) => !['PER', 'LOC', 'ORG'].includes(t));

const labelers: Labeler[] = [full ? silverLabeler({ types }) : entityLabeler()];
if (args.includes('--compromise')) {
  labelers.push(
    composeLabelers([compromiseLabeler()], { types, id: 'compromise-only@1' }),
    entityLabeler({ compromise: true, id: 'rules+compromise@1' }),
  );
}

for (const labeler of labelers) {
  await evaluateLabeler(path, labeler, types, { limit: 200 });
  const result = await evaluateLabeler(path, labeler, types, limit === undefined ? {} : { limit });
  console.log(formatEvaluation(result));
  console.log();
}

/**
 * `npm run bench:health -- --json`: the dataset health check on AG News with planted errors.
 * Takes ../shared/data/ag_news/train.csv (then dev.csv rows, to reach the size), duplicates 2 % of the texts
 * with small edits (a word dropped, two neighbours swapped, two letters swapped) at random places, flips 3 %
 * of all labels to another class at random (seeded), writes the result as a CSV, runs the service that
 * `mts health` runs (embeddings, exact and near duplicates, 5-fold label check) and prints label-error and
 * near-duplicate recall/precision against the planted rows, the time per stage and the machine's load.
 * Label errors: all that confident learning reports (its own count), not a tuned cut-off.
 * Near duplicates: AG News already holds reposted stories (real near duplicates, not planted); pairs touching
 * an original that repeats an earlier one's first, middle or last six words are scored apart (`raw*` fields
 * count them as false positives).
 * Options: --texts 20000, --seed 1, --threshold 0.95, --max-length 64, --fp32, --threads N, --json.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../src-main/engine/random';
import { checkFiles, HealthFilesInput } from '../src-main/services/health';
import { plant, repostedOriginals, SHARED } from './health/plant';

const MODEL = join(SHARED, 'models', 'all-MiniLM-L6-v2');
const { values: args } = parseArgs({
  options: {
    texts: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '1' },
    threshold: { type: 'string', default: '0.95' },
    'max-length': { type: 'string', default: '64' },
    fp32: { type: 'boolean', default: false },
    threads: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const csvCell = (s: string): string => `"${s.replace(/"/g, '""')}"`;
const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d;

async function main(): Promise<void> {
  const total = Number(args.texts);
  const rng = Rng.fromSeed(Number(args.seed));
  const planted = await plant(total, rng);
  // Shuffle so copies sit anywhere in the file; remember where each original went.
  const order = rng.shuffle(planted.map((_, i) => i));
  const position = new Map(order.map((orig, pos) => [orig, pos + 1]));
  const dir = mkdtempSync(join(tmpdir(), 'mts-bench-health-'));
  const file = join(dir, 'planted.csv');
  writeFileSync(
    file,
    ['label,text', ...order.map((i) => `${csvCell(planted[i]!.label)},${csvCell(planted[i]!.text)}`)].join('\n') + '\n',
  );
  const flipped = new Set(order.flatMap((i, pos) => (planted[i]!.flipped ? [pos + 1] : [])));
  const key = (a: number, b: number): string => (a < b ? `${a}-${b}` : `${b}-${a}`);
  const dupPairs = new Set(
    order.flatMap((i, pos) => (planted[i]!.copyOf >= 0 ? [key(pos + 1, position.get(planted[i]!.copyOf)!)] : [])),
  );

  const loadStart = loadavg();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const report = await checkFiles(
    HealthFilesInput.parse({
      data: file,
      model: MODEL,
      nearThreshold: Number(args.threshold),
      maxLength: Number(args['max-length']),
      precision: args.fp32 ? 'fp32' : 'int8',
      ...(args.threads !== undefined && { threads: Number(args.threads) }),
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const loadEnd = loadavg();
  rmSync(dir, { recursive: true, force: true });

  const found = new Set(report.labelErrors.map((e) => e.line));
  const hits = [...found].filter((l) => flipped.has(l)).length;
  const foundPairs = new Set([
    ...report.nearDuplicates.map((p) => key(p.a, p.b)),
    ...report.exactDuplicates.flatMap((g) => g.lines.flatMap((a, i) => g.lines.slice(i + 1).map((b) => key(a, b)))),
  ]);
  const pairHits = [...foundPairs].filter((k) => dupPairs.has(k)).length;
  // Scored apart: pairs touching an original that reposts another (or a copy of one), see repostedOriginals.
  const reposted = repostedOriginals(planted);
  const touched = new Set(
    order.flatMap((i, pos) => (reposted.has(i) || reposted.has(planted[i]!.copyOf) ? [pos + 1] : [])),
  );
  const clean = (k: string): boolean => !k.split('-').some((l) => touched.has(Number(l)));
  const cleanFound = [...foundPairs].filter(clean);
  const cleanPlanted = [...dupPairs].filter(clean);
  const cleanHits = cleanFound.filter((k) => dupPairs.has(k)).length;
  // Recall/precision had the threshold been higher (the run's own pairs, cut at each t): how it was chosen.
  const sweep = [0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98]
    .filter((t) => t >= report.nearDuplicateThreshold)
    .map((t) => {
      const kept = report.nearDuplicates.filter((p) => p.similarity >= t).map((p) => key(p.a, p.b));
      const all = new Set([
        ...kept,
        ...[...foundPairs].filter((k) => !report.nearDuplicates.some((p) => key(p.a, p.b) === k)),
      ]);
      const tp = [...all].filter((k) => dupPairs.has(k)).length;
      return {
        threshold: t,
        pairs: all.size,
        recall: round(tp / dupPairs.size),
        precision: all.size > 0 ? round(tp / all.size) : null,
      };
    });
  const result = {
    bench: 'health',
    texts: report.data.rows,
    planted: { flippedLabels: flipped.size, nearDuplicatePairs: dupPairs.size },
    settings: {
      model: 'all-MiniLM-L6-v2',
      maxLength: Number(args['max-length']),
      precision: args.fp32 ? 'fp32' : 'int8',
      nearThreshold: report.nearDuplicateThreshold,
      folds: report.labelCheck?.folds ?? null,
      seed: Number(args.seed),
    },
    labelErrors: {
      reported: found.size,
      truePositives: hits,
      recall: round(hits / flipped.size),
      precision: found.size > 0 ? round(hits / found.size) : null,
      crossValidatedAccuracy: report.labelCheck?.crossValidatedAccuracy ?? null,
    },
    nearDuplicates: {
      // The target's numbers: planted pairs vs reported pairs, both without rows of reposted stories.
      recall: round(cleanHits / cleanPlanted.length),
      precision: cleanFound.length > 0 ? round(cleanHits / cleanFound.length) : null,
      repostedOriginalsExcluded: reposted.size,
      scoredPlantedPairs: cleanPlanted.length,
      scoredReportedPairs: cleanFound.length,
      // Raw: every reported pair that is not planted counts as false, reposted stories included.
      rawReportedPairs: foundPairs.size,
      rawTruePositives: pairHits,
      rawRecall: round(pairHits / dupPairs.size),
      rawPrecision: foundPairs.size > 0 ? round(pairHits / foundPairs.size) : null,
      rawByThreshold: sweep,
    },
    // cpu: this process's user + system seconds (all threads); on an idle 2-core machine wall >= cpu / 2.
    seconds: { ...report.timings, wall: round(wall, 1), cpu: round((cpu.user + cpu.system) / 1e6, 1) },
    loadAverage: { start: loadStart.map((x) => round(x, 2)), end: loadEnd.map((x) => round(x, 2)), cores: 2 },
    skipped: report.skipped,
  };
  if (args.json) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(
      `health bench: ${result.texts} texts, ${flipped.size} flipped labels, ${dupPairs.size} planted near duplicates`,
    );
    console.log(
      `label errors: recall ${result.labelErrors.recall}, precision ${result.labelErrors.precision} (${found.size} reported)`,
    );
    console.log(
      `near duplicates: recall ${result.nearDuplicates.recall}, precision ${result.nearDuplicates.precision} (${foundPairs.size} pairs)`,
    );
    console.log(`time: ${JSON.stringify(result.seconds)}; load ${JSON.stringify(result.loadAverage)}`);
  }
}

await main();

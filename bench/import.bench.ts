// Import throughput on ../shared/data/ag_news/train.csv. Prints JSON {rows, seconds, rowsPerSec, peakRssMB,
// ...} plus a reference measured in the same run (streaming the same bytes and counting newlines), so the
// ratio stays meaningful on a busy machine. Run: npx tsx bench/import.bench.ts [path]
import { createReadStream, existsSync } from 'node:fs';
import { importFile } from '../src-main/data/import';

const path = process.argv[2] ?? new URL('../../shared/data/ag_news/train.csv', import.meta.url).pathname;
if (!existsSync(path)) {
  console.error(
    `bench/import: ${path} is missing; put the shared data beside the repo (../shared/data) or pass a path.`,
  );
  process.exit(2);
}

async function reference(): Promise<number> {
  const t0 = performance.now();
  let lines = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) lines++;
  }
  if (lines === 0) throw new Error(`bench/import: ${path} has no lines`);
  return (performance.now() - t0) / 1000;
}

async function run(): Promise<{ rows: number; seconds: number; skipped: number }> {
  const t0 = performance.now();
  let rows = 0;
  let skipped = 0;
  for await (const ev of importFile(path)) {
    if (ev.kind === 'example') rows++;
    else if (ev.kind === 'skipped') skipped++;
  }
  return { rows, seconds: (performance.now() - t0) / 1000, skipped };
}

await run(); // warm-up (JIT, page cache)
const ref = await reference();
const best = [await run(), await run(), await run()].sort((a, b) => a.seconds - b.seconds)[0];
const peakRssMB = process.resourceUsage().maxRSS / 1024;
console.log(
  JSON.stringify({
    file: path,
    rows: best.rows,
    skipped: best.skipped,
    seconds: Number(best.seconds.toFixed(4)),
    rowsPerSec: Math.round(best.rows / best.seconds),
    peakRssMB: Number(peakRssMB.toFixed(1)),
    referenceReadSeconds: Number(ref.toFixed(4)),
    ratioToRawRead: Number((best.seconds / ref).toFixed(2)),
  }),
);

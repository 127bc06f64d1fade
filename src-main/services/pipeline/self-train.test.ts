import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPredictor } from '../../engine/infer';
import { writeTinyBert } from '../../engine/model/testing';
import { learningCurve } from './curve';
import { evaluateRun } from './evaluate-run';
import { exportHfTrainer } from './hf-trainer';
import { pipelineOptions, runPipeline, type PipelineEvent, type PipelineOptionsInput } from './run-pipeline';
import { chooseFinalRound, runSelfTraining } from './self-train';

// Words of the tiny vocabulary (TINY_WORDS), so the tiny model can tell the names apart and learn them.
const TEXTS = [
  'John Smith said Microsoft shares rose in Paris on Monday.',
  'George Bush met officials of Google in London.',
  'Apple said sales were up in Japan and China.',
  'The team won the game in Washington on Sunday.',
];
const GOLD = [
  'John B-PER\nSmith I-PER\nvisited O\nBoston B-LOC\n. O',
  'Shares O\nof O\nAcme B-ORG\nCorp I-ORG\nfell O\n. O',
  'Danish B-MISC\ncheese O\nsold O\nin O\nOslo B-LOC\n. O',
];

// maxPositions: 128 lets `mts predict`'s defaults read the checkpoint; the tiny default (64) is shorter than
// the pipeline's --max-length 128, which relabelling must cope with too.
function setup(maxPositions = 64): { dir: string; model: string; train: string; dev: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mts-selftrain-'));
  const tiny = { layers: 1, hidden: 32, heads: 2, intermediate: 64, seed: 2, maxPositions };
  const model = writeTinyBert(join(dir, 'model'), tiny).dir;
  const train = join(dir, 'texts.csv');
  writeFileSync(train, ['text', ...Array.from({ length: 24 }, (_, i) => `"${TEXTS[i % 4]} Item ${i}."`)].join('\n'));
  const dev = join(dir, 'valid.txt');
  writeFileSync(dev, `${GOLD.join('\n\n')}\n`);
  return { dir, model, train, dev };
}
// lr 1e-2 over 3 epochs: the tiny model learns some of the silver spans, so its predictions are not all O.
const quick = { epochs: 10, batchSize: 8, lr: 1e-2, device: 'cpu' as const, threads: 1, checkpointEverySec: 0 };
const options = (o: PipelineOptionsInput) => pipelineOptions({ ...quick, ...o });

describe('runSelfTraining (mts pipeline --self-train N)', () => {
  it("trains round 1 on round 0's predictions, reports each round and publishes the final one at --out", async () => {
    const { dir, model, train, dev } = setup(128);
    const out = join(dir, 'run');
    const events: PipelineEvent[] = [];
    const result = await runSelfTraining(options({ train, dev, model, out, selfTrain: 1 }), {
      onEvent: (e) => events.push(e),
    });
    const s = result.selfTraining;
    expect(s.status).toBe('completed');
    expect(s.devLabels).toBe('gold');
    expect(s.rounds.map((r) => [r.round, r.outDir, r.status])).toEqual([
      [0, join(out, 'round-0'), 'completed'],
      [1, join(out, 'round-1'), 'completed'],
    ]);
    for (const r of s.rounds) {
      expect(r.nerF1).toBeTypeOf('number');
      expect(Object.keys(r.nerF1PerType!).sort()).toEqual(['LOC', 'ORG', 'PER']);
      expect(existsSync(join(r.outDir, 'best', 'config.json'))).toBe(true);
      // Gold dev: each round beside the labeler, as the teacher comparison computes it.
      expect(r.studentMinusLabelerPoints).toBeTypeOf('number');
    }
    expect(s.rounds[0]!.labels).toMatchObject({ kind: 'silver', labeler: 'silver@1' });
    const labels = s.rounds[1]!.labels;
    if (labels.kind !== 'model') throw new Error('round 1 should be labelled by the model');
    expect(labels.checkpoint).toBe(join(out, 'round-0', 'best'));

    // Round 1's train labels are exactly what round 0's best checkpoint predicts on the train texts.
    const rows = readFileSync(labels.file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { text: string; spans: { start: number; end: number; label: string }[] });
    expect(rows.map((r) => r.text)).toEqual(Array.from({ length: 24 }, (_, i) => `${TEXTS[i % 4]} Item ${i}.`));
    const loaded = await loadPredictor(join(out, 'round-0', 'best'), { session: { threads: 1 } });
    const predicted = await loaded.predictor.predict(rows.map((r) => r.text));
    await loaded.release();
    const own = predicted.map((p) =>
      p.ok ? p.entities.map((e) => ({ start: e.start, end: e.end, label: e.type })) : [],
    );
    expect(rows.map((r) => r.spans)).toEqual(own);
    const total = own.reduce((a, sp) => a + sp.length, 0);
    expect(labels.spans).toBe(total);
    expect(total).toBeGreaterThan(0); // the check compares real spans, not two empty lists

    const r1 = JSON.parse(readFileSync(join(out, 'round-1', 'pipeline.json'), 'utf8'));
    expect(r1.data.labelSources.ner).toEqual({
      kind: 'self-trained',
      round: 1,
      checkpoint: join(out, 'round-0', 'best'),
      train,
      dev,
      devLabels: 'gold',
    });
    expect(r1.data.silver).toBeUndefined();
    // Round 0 is a plain silver run (exportable, resumable as one).
    const r0 = JSON.parse(readFileSync(join(out, 'round-0', 'pipeline.json'), 'utf8'));
    expect(r0.options.selfTrain).toBe(0);
    expect(r0.data.labelSources.ner.kind).toBe('silver-train-gold-dev');

    // <out> holds the final round: best/ and metrics.json are its, pipeline.json reports every round.
    const final = s.final.round;
    expect(final).toBe(chooseFinalRound(s.rounds).round);
    const bytes = (p: string): Buffer => readFileSync(p);
    expect(bytes(join(out, 'best', 'model.safetensors'))).toEqual(
      bytes(join(out, `round-${final}`, 'best', 'model.safetensors')),
    );
    expect(bytes(join(out, 'metrics.json'))).toEqual(bytes(join(out, `round-${final}`, 'metrics.json')));
    const saved = JSON.parse(readFileSync(join(out, 'pipeline.json'), 'utf8'));
    expect(saved.options.selfTrain).toBe(1);
    expect(saved.selfTraining.rounds).toHaveLength(2);
    expect(saved.selfTraining.final).toEqual(s.final);
    // mts eval --run <out> scores the final model.
    const evaluated = await evaluateRun({ run: out, data: dev, threads: 1 });
    const finalF1 = s.rounds[final]!.nerF1!;
    expect(evaluated.metrics.ner?.f1).toBeCloseTo(finalF1, 6);

    const said = events.flatMap((e) => (e.type === 'stage' && e.stage === 'self-train' ? [e.message] : []));
    expect(said).toContain("self-training round 1 of 1: relabelling 24 texts with round 0's model");
    expect(said).toContainEqual(
      expect.stringMatching(
        /^self-training round 1 of 1: round 0's model predicted \d+ spans .*confidence weights no longer apply/,
      ),
    );
    expect(said.at(-1)).toBe(`final model: ${s.final.reason}`);

    // Export to a PyTorch project is refused for <out> and its later rounds, with round 0 offered.
    await expect(exportHfTrainer(out, join(dir, 'p1'))).rejects.toThrow(
      new RegExp(`--self-train 1: .*Export ${join(out, 'round-0').replace(/[/\\]/g, '.')}`),
    );
    await expect(exportHfTrainer(join(out, 'round-1'), join(dir, 'p2'))).rejects.toThrow(
      new RegExp(`Export ${join(out, 'round-0').replace(/[/\\]/g, '.')} `),
    );
  }, 120_000);

  it('stops cleanly when cancelled while relabelling: round 0 stays the final model', async () => {
    const { dir, model, train, dev } = setup();
    const out = join(dir, 'run');
    const ac = new AbortController();
    const result = await runSelfTraining(options({ train, dev, model, out, selfTrain: 2, epochs: 1 }), {
      signal: ac.signal,
      onEvent: (e) => {
        if (e.type === 'stage' && /relabelling/.test(e.message)) ac.abort();
      },
    });
    const s = result.selfTraining;
    expect(s.status).toBe('cancelled');
    expect(s.cancelledDuring).toBe('relabelling for round 1');
    expect(s.rounds).toHaveLength(1);
    expect(s.final.round).toBe(0);
    expect(existsSync(join(out, 'round-1'))).toBe(false);
    expect(existsSync(join(out, 'best', 'config.json'))).toBe(true);
  }, 60_000);

  it('stops cleanly when cancelled while a later round trains: the finished round stays the final model', async () => {
    const { dir, model, train, dev } = setup();
    const out = join(dir, 'run');
    const ac = new AbortController();
    const result = await runSelfTraining(options({ train, dev, model, out, selfTrain: 2, epochs: 1 }), {
      signal: ac.signal,
      onEvent: (e) => {
        if (e.type === 'train' && e.event.type === 'started' && existsSync(join(out, 'round-1'))) ac.abort();
      },
    });
    const s = result.selfTraining;
    expect(s.status).toBe('cancelled');
    expect(s.cancelledDuring).toBe('training round 1');
    expect(s.rounds.map((r) => [r.round, r.status])).toEqual([
      [0, 'completed'],
      [1, 'cancelled'],
    ]);
    expect(s.final.round).toBe(0);
    expect(readFileSync(join(out, 'best', 'model.safetensors'))).toEqual(
      readFileSync(join(out, 'round-0', 'best', 'model.safetensors')),
    );
  }, 60_000);

  it('refuses gold NER, no NER, --resume, out-of-range rounds, and the commands that cannot self-train', async () => {
    const { dir, model, train, dev } = setup();
    const out = join(dir, 'r');
    await expect(runSelfTraining(options({ train: dev, dev, model, out, selfTrain: 1 }))).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(
        /--self-train 1 relabels silver NER .* gold tags \(.*valid\.txt\).*Drop --self-train/,
      ),
    });
    const csv = join(dir, 'labelled.csv');
    writeFileSync(csv, 'label,text\nA,"Mary went home."\nB,"Acme Inc fell."\nA,"Paris is big."\n');
    await expect(
      runSelfTraining(options({ train: csv, dev: csv, model, out, ner: 'none', selfTrain: 1 })),
    ).rejects.toThrow(/trains no NER/);
    await expect(runSelfTraining(options({ train, dev, model, out, selfTrain: 1, resume: true }))).rejects.toThrow(
      /--resume with --self-train is not supported yet: .*without --resume/,
    );
    expect(() => pipelineOptions({ train, dev, model, out, selfTrain: 6 })).toThrow(
      expect.objectContaining({ code: 'invalid_input', issues: [expect.stringMatching(/^selfTrain/)] }),
    );
    await expect(runPipeline(options({ train, dev, model, out, selfTrain: 1 }))).rejects.toThrow(/runSelfTraining/);
    await expect(learningCurve(options({ train, dev, model, out, selfTrain: 1 }))).rejects.toThrow(
      /--self-train 1 is not supported by the learning curve/,
    );
    expect(existsSync(out)).toBe(false); // refused before anything was trained
  }, 60_000);
});

describe('chooseFinalRound', () => {
  const rounds = (...f1: (number | null)[]) =>
    f1.map((value, round) => ({ round, score: { metric: 'ner.f1', value }, status: 'completed' as const }));

  it('keeps the last round while dev F1 does not fall (ties go to the later round)', () => {
    expect(chooseFinalRound(rounds(0.7, 0.75)).round).toBe(1);
    expect(chooseFinalRound(rounds(0.7, 0.7)).round).toBe(1);
    expect(chooseFinalRound(rounds(0.8, 0.7, 0.85))).toEqual({
      round: 2,
      reason: 'round 2 is the last round and has the best dev NER F1 (80.00 -> 70.00 -> 85.00).',
    });
  });

  it('keeps the best round when a later one scored lower, and says why', () => {
    expect(chooseFinalRound(rounds(0.7, 0.75, 0.73))).toEqual({
      round: 1,
      reason:
        'round 1 has the best dev NER F1 and round 2 scored lower (70.00 -> 75.00 -> 73.00), so the best round is kept, not the last.',
    });
    expect(chooseFinalRound(rounds(0.8, 0.75, 0.7)).round).toBe(0);
  });

  it('skips cancelled rounds and rounds without an F1', () => {
    const cancelled = [
      ...rounds(0.7, 0.75).slice(0, 1),
      { round: 1, score: { metric: 'ner.f1', value: 0.9 }, status: 'cancelled' as const },
    ];
    expect(chooseFinalRound(cancelled)).toEqual({
      round: 0,
      reason: 'round 0 is the last finished round and has the best dev NER F1 (70.00).',
    });
    expect(chooseFinalRound([{ round: 0, score: { metric: 'ner.f1', value: 0.5 }, status: 'cancelled' }]).round).toBe(
      0,
    );
    expect(chooseFinalRound(rounds(0.6, null)).round).toBe(0);
    expect(chooseFinalRound(rounds(null, null)).reason).toMatch(/no round has a dev NER F1/);
  });

  it("ranks the rounds by the run's checkpoint metric, not by NER F1 (--select-metric classification.accuracy)", () => {
    const byAccuracy = [
      { round: 0, score: { metric: 'classification.accuracy', value: 0.9 }, status: 'completed' as const },
      { round: 1, score: { metric: 'classification.accuracy', value: 0.93 }, status: 'completed' as const },
    ];
    expect(chooseFinalRound(byAccuracy)).toEqual({
      round: 1,
      reason: 'round 1 is the last round and has the best dev accuracy (90.00 -> 93.00).',
    });
  });
});

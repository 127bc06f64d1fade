/**
 * bench:train's `--student SOURCES` (opt-in, long): does a model trained only on silver labels beat the
 * labeler that made them (issue 15: "the student must beat its teacher")? For each source the silver labeler
 * (PER/LOC/ORG: the types gold CoNLL valid shares with it) labels unlabelled text, the real trainer trains NER
 * only (`full`, `--epochs`) on those labels, and both the trained model (last epoch, no selection on gold) and
 * the labeler itself are scored on gold CoNLL-2003 valid with the same seqeval entity scorer.
 * Sources: `conll` = CoNLL-2003 train's sentences with their tags dropped; `agnews` = AG News train's texts.
 * `--student-weighting plain|unsure|confidence` (comma list: one run each): how silver labels weigh in the loss
 * (plain: all 1; unsure: name-like words the rules left untyped are ignored, not taught as O; confidence:
 * every label weighs its rule's measured precision, see data/silver/confidence.ts).
 * `--student-self-train N`: the students go through `mts pipeline --self-train N` instead (every round reported).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bioLabelList } from '../../src-main/data/align';
import { prepareExamples, type LabelledText } from '../../src-main/data/prepare';
import { scoreLabeler, silverLabeler, type SilverWeighting, silverWeightRanges } from '../../src-main/data/silver';
import { WordPieceTokenizer } from '../../src-main/engine/tokenizer';
import { loadTrainerModel, train } from '../../src-main/engine/trainer';
import { pipelineOptions, readLabelledFile, runSelfTraining } from '../../src-main/services/pipeline';
import { log, MODEL, round, SHARED, type TrainBenchOptions, fullRunConfig } from './options';
import { sampleSize } from './prepare';
import { summary } from './seeds';

export const STUDENT_SOURCES = ['conll', 'agnews'] as const;
export type StudentSource = (typeof STUDENT_SOURCES)[number];
export const STUDENT_WEIGHTINGS = ['plain', 'unsure', 'confidence'] as const;
export type StudentWeighting = (typeof STUDENT_WEIGHTINGS)[number];

/** Points the student must gain over its labeler on gold CoNLL valid PER/LOC/ORG (issue 15). */
export const STUDENT_TARGET_POINTS = 3;

const TYPES = ['LOC', 'ORG', 'PER'] as const;
const VALID = join(SHARED, 'data/conll2003/valid.txt');
const SOURCE_FILES: Record<StudentSource, { path: string; rows: number }> = {
  conll: { path: join(SHARED, 'data/conll2003/train.txt'), rows: 14041 },
  agnews: { path: join(SHARED, 'data/ag_news/train.csv'), rows: 18400 },
};

const WEIGHTINGS: Record<StudentWeighting, SilverWeighting | null> = {
  plain: null,
  // Below the span rules' precisions, above an unsure word's O confidence (0.096).
  unsure: { minConfidence: 0.1, weights: 'ignore' },
  confidence: { minConfidence: 0, weights: 'confidence' },
};

/** Parses `--student conll,agnews` (empty: not asked). */
export function studentSources(v: string): StudentSource[] {
  if (v === '') return [];
  const xs = v.split(',');
  const bad = xs.find((x) => !(STUDENT_SOURCES as readonly string[]).includes(x));
  if (bad !== undefined) throw new RangeError(`--student takes ${STUDENT_SOURCES.join(', ')}; got "${bad}".`);
  return xs as StudentSource[];
}

/** Parses `--student-weighting plain,unsure`. */
export function studentWeightings(v: string): StudentWeighting[] {
  const xs = v.split(',');
  const bad = xs.find((x) => !(STUDENT_WEIGHTINGS as readonly string[]).includes(x));
  if (bad !== undefined)
    throw new RangeError(`--student-weighting takes ${STUDENT_WEIGHTINGS.join(', ')}; got "${bad}".`);
  return xs as StudentWeighting[];
}

type Prf = { readonly precision: number; readonly recall: number; readonly f1: number };
const points = (p: Prf) => ({ p: round(100 * p.precision, 2), r: round(100 * p.recall, 2), f1: round(100 * p.f1, 2) });

/** Trains one student on `source`'s silver labels and scores it on gold CoNLL valid. */
async function student(
  source: StudentSource,
  weighting: StudentWeighting,
  dev: readonly LabelledText[],
  dir: string,
  o: TrainBenchOptions,
) {
  const labeler = silverLabeler({ types: [...TYPES] });
  const tokenizer = WordPieceTokenizer.fromDir(MODEL);
  const nerTags = bioLabelList([...TYPES]);
  const src = await readLabelledFile(SOURCE_FILES[source].path, {
    limit: sampleSize(SOURCE_FILES[source].rows, o),
  });
  const w = WEIGHTINGS[weighting];
  let spans = 0;
  // Unlabelled text: whatever labels or tags the file had are dropped before the labeler sees it.
  const silver: LabelledText[] = src.items.map(({ text }) => {
    const out = labeler.explain(text);
    spans += out.spans.length;
    const ranges = w ? silverWeightRanges(out, w) : [];
    return { text, spans: out.spans, ...(ranges.length > 0 && { nerWeights: ranges }) };
  });
  const prep = (items: LabelledText[]) =>
    prepareExamples(items, tokenizer, { classLabels: [], nerTags, maxLength: o.maxLength, hasNer: true }).examples;
  const data = { train: prep(silver), dev: prep([...dev]), classLabels: [], nerTags };
  log(`student ${source}/${weighting}: ${data.train.length} texts, ${spans} silver spans (${labeler.id})`);
  const model = loadTrainerModel(MODEL, [], nerTags, o.seed);
  const t0 = performance.now();
  const res = await train(model, data, fullRunConfig(o), {
    outDir: join(dir, `student-${source}-${weighting}-${o.seed}`),
    consumeModelWeights: true,
    onEvent: (e) => {
      if (e.type === 'step' && e.step % 100 === 0)
        log(`student ${source}/${weighting} step ${e.step}/${e.totalSteps} loss ${round(e.losses.total, 4)}`);
    },
  });
  const last = res.history.at(-1)?.metrics.ner;
  if (!last) throw new Error(`student ${source}/${weighting}: the run ended without a dev evaluation.`);
  return {
    trainTexts: data.train.length,
    silverSpans: spans,
    seconds: round((performance.now() - t0) / 1000),
    perEpochF1: res.history.map((h) => round(100 * (h.metrics.ner?.f1 ?? 0), 2)),
    micro: points(last),
    perType: Object.fromEntries(
      TYPES.map((t) => [t, points(last.perType.find((p) => p.type === t) ?? { precision: 0, recall: 0, f1: 0 })]),
    ),
  };
}

/**
 * The same student through `mts pipeline --self-train N` (services/pipeline/self-train.ts): round 0 on the
 * labeler's silver labels, each later round on the previous round's predictions, gold valid as the dev (so
 * each round's F1 is that of its best epoch-end checkpoint on valid: the pipeline's selection, a mild
 * optimism the last-epoch numbers above do not have).
 */
async function selfTrained(
  source: StudentSource,
  weighting: StudentWeighting,
  rounds: number,
  dir: string,
  o: TrainBenchOptions,
) {
  const src = await readLabelledFile(SOURCE_FILES[source].path, {
    limit: sampleSize(SOURCE_FILES[source].rows, o),
  });
  const csv = join(dir, `student-${source}.csv`);
  writeFileSync(csv, ['text', ...src.items.map((e) => `"${e.text.replaceAll('"', '""')}"`)].join('\n') + '\n');
  const w = WEIGHTINGS[weighting];
  const t0 = performance.now();
  const res = await runSelfTraining(
    pipelineOptions({
      train: csv,
      dev: VALID,
      model: MODEL,
      out: join(dir, `student-${source}-${weighting}-self-${o.seed}`),
      epochs: o.epochs,
      seed: o.seed,
      threads: o.threads,
      device: 'cpu',
      devLimit: o.devLimit,
      selfTrain: rounds,
      checkpointEverySec: 0,
      embeddingUpdates: o.embeddingUpdates,
      ...(w && { silverMinConfidence: w.minConfidence, silverWeights: w.weights }),
    }),
    {
      onEvent: (e) => {
        if (e.type === 'stage' && e.stage === 'self-train') log(`student ${source}/${weighting}: ${e.message}`);
      },
    },
  );
  return {
    seconds: round((performance.now() - t0) / 1000),
    final: res.selfTraining.final,
    rounds: res.selfTraining.rounds.map((r) => ({
      round: r.round,
      f1: r.nerF1 === null ? null : round(100 * r.nerF1, 2),
      perTypeF1: Object.fromEntries(Object.entries(r.nerF1PerType ?? {}).map(([t, f]) => [t, round(100 * f, 2)])),
      gainOverLabelerPoints:
        r.studentMinusLabelerPoints === undefined || r.studentMinusLabelerPoints === null
          ? null
          : round(r.studentMinusLabelerPoints, 2),
    })),
  };
}

/** The report's `student` part: the labeler's score on gold valid, then each source x weighting's student. */
export async function runStudent(
  o: TrainBenchOptions,
  dir: string,
  sources: readonly StudentSource[],
  weightings: readonly StudentWeighting[],
  selfTrainRounds = 0,
) {
  const labeler = silverLabeler({ types: [...TYPES] });
  // The students' dev: gold valid (the same seeded sample as the pipeline's --dev-limit), MISC dropped.
  const keep = new Set<string>(TYPES);
  const dev: LabelledText[] = (await readLabelledFile(VALID, { limit: o.devLimit })).items.map(
    ({ label: _none, ...e }) => ({ ...e, spans: (e.spans ?? []).filter((s) => keep.has(s.type)) }),
  );
  const teacher = scoreLabeler(dev, labeler, [...TYPES]);
  const teacherF1 = round(100 * teacher.scores.micro.f1, 2);
  log(`labeler ${labeler.id} on gold CoNLL valid PER/LOC/ORG: F1 ${teacherF1}`);
  const runs: Record<string, unknown> = {};
  let best: number | null = null;
  for (const source of sources)
    for (const weighting of weightings) {
      if (selfTrainRounds > 0) {
        const r = await selfTrained(source, weighting, selfTrainRounds, dir, o);
        runs[`${source}/${weighting}/self-train-${selfTrainRounds}`] = r;
        for (const x of r.rounds)
          if (x.gainOverLabelerPoints !== null)
            best = best === null ? x.gainOverLabelerPoints : Math.max(best, x.gainOverLabelerPoints);
        continue;
      }
      const r = await student(source, weighting, dev, dir, o);
      const gain = round(r.micro.f1 - teacherF1, 2);
      log(`student ${source}/${weighting}: F1 ${r.micro.f1} (labeler ${teacherF1}, ${gain >= 0 ? '+' : ''}${gain})`);
      runs[`${source}/${weighting}`] = { ...r, gainOverLabelerPoints: gain };
      best = best === null ? gain : Math.max(best, gain);
    }
  return {
    variant: { fraction: o.fraction, limit: o.limit, devLimit: o.devLimit, epochs: o.epochs, seed: o.seed },
    labeler: {
      id: labeler.id,
      micro: points(teacher.scores.micro),
      perType: Object.fromEntries(
        TYPES.map((t) => [t, points(teacher.scores.perType[t] ?? { precision: 0, recall: 0, f1: 0 })]),
      ),
    },
    runs,
    studentGainOverLabelerPoints: best,
    target: `>= ${STUDENT_TARGET_POINTS} points of PER/LOC/ORG entity F1 over the labeler on gold CoNLL-2003 valid`,
  };
}

/** One run's gain over the labeler: a plain student's, or a self-trained one's final round's. */
function finalGain(run: unknown): number | null {
  const r = run as {
    gainOverLabelerPoints?: number;
    final?: { round: number };
    rounds?: { round: number; gainOverLabelerPoints: number | null }[];
  };
  if (typeof r.gainOverLabelerPoints === 'number') return r.gainOverLabelerPoints;
  return r.rounds?.find((x) => x.round === r.final?.round)?.gainOverLabelerPoints ?? null;
}

/**
 * `--student ... --seeds 42,43,44`: runStudent once per seed (head initialisation, batch order, dropout), and
 * per source x weighting the mean, spread and count of the final gains over the labeler (issue 15: "3 seeds").
 */
export async function runStudentSeeds(
  o: TrainBenchOptions,
  dir: string,
  sources: readonly StudentSource[],
  weightings: readonly StudentWeighting[],
  selfTrainRounds = 0,
) {
  if (o.seeds.length <= 1)
    return runStudent(
      o.seeds.length === 1 ? { ...o, seed: o.seeds[0]! } : o,
      dir,
      sources,
      weightings,
      selfTrainRounds,
    );
  const seeds: Record<number, Awaited<ReturnType<typeof runStudent>>> = {};
  for (const seed of o.seeds) {
    seeds[seed] = await runStudent({ ...o, seed }, dir, sources, weightings, selfTrainRounds);
    log(
      `student seed ${seed}: ${JSON.stringify(Object.fromEntries(Object.entries(seeds[seed].runs).map(([k, r]) => [k, finalGain(r)])))}`,
    );
  }
  const keys = Object.keys(Object.values(seeds)[0]!.runs);
  const gains = Object.fromEntries(
    keys.map((k) => {
      const xs = Object.values(seeds)
        .map((s) => finalGain(s.runs[k]))
        .filter((g): g is number => g !== null);
      const { n, mean, sd, min } = summary(xs);
      return [k, { n, meanGainPoints: mean, sd, min }];
    }),
  );
  return { seeds, gainOverLabelerPerRun: gains, target: Object.values(seeds)[0]!.target };
}

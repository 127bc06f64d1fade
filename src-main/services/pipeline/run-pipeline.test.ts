import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTinyBert } from '../../engine/model/testing';
import { pipelineOptions, runPipeline, type PipelineEvent, type PipelineOptionsInput } from './run-pipeline';

const run = (o: PipelineOptionsInput): ReturnType<typeof runPipeline> => runPipeline(pipelineOptions(o));

const ROWS = [
  ['Sports', 'The team won the game on Sunday in Boston.'],
  ['Business', 'Shares of the company fell 5 percent on Monday.'],
  ['Sports', 'The season ended with a win for the team.'],
  ['Business', 'The bank said sales rose to $3 billion in 2004.'],
];

function csv(rows: readonly (readonly string[])[], n: number): string {
  const lines = ['label,text'];
  for (let i = 0; i < n; i++) {
    const [label, text] = rows[i % rows.length]!;
    lines.push(`${label},"${text} Report ${i}."`);
  }
  return `${lines.join('\n')}\n`;
}

function setup(): { dir: string; model: string; train: string; dev: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mts-pipe-'));
  const model = writeTinyBert(join(dir, 'model'), { layers: 1, hidden: 16, heads: 2, intermediate: 32, seed: 2 }).dir;
  const train = join(dir, 'train.csv');
  const dev = join(dir, 'dev.csv');
  writeFileSync(train, csv(ROWS, 32));
  writeFileSync(dev, csv(ROWS, 8));
  return { dir, model, train, dev };
}

describe('runPipeline', () => {
  it('reads, silver-labels, trains both heads in a worker and writes the run folder', async () => {
    const { dir, model, train, dev } = setup();
    const events: PipelineEvent[] = [];
    const out = join(dir, 'run');
    const result = await runPipeline(
      pipelineOptions({ train, dev, model, out, epochs: 2, batchSize: 8, lr: 1e-3, device: 'cpu', threads: 1 }),
      { onEvent: (e) => events.push(e) },
    );
    expect(result.classLabels).toEqual(['Business', 'Sports']);
    expect(result.nerTypes).toEqual(['PER', 'ORG', 'LOC', 'DATE', 'MONEY']);
    expect(result.data.silver!.spans).toBeGreaterThan(10);
    expect(result.data.silver!.perType['DATE']).toBeGreaterThan(0);
    expect(result.train.status).toBe('completed');
    expect(result.train.best.metrics?.classification?.labels).toEqual(['Business', 'Sports']);
    expect(result.train.best.metrics?.ner).toBeDefined();
    expect(events.map((e) => (e.type === 'stage' ? e.stage : e.type === 'train' ? e.event.type : e.type))).toContain(
      'label',
    );
    const saved = JSON.parse(readFileSync(join(out, 'pipeline.json'), 'utf8'));
    expect(saved.options.preset).toBe('full');
    // Lazy word-embedding updates by default (dense is asked for), recorded in both run configs as what ran.
    expect(saved.options.embeddingUpdates).toBe('lazy');
    expect(JSON.parse(readFileSync(join(out, 'trainer-config.json'), 'utf8')).embeddingUpdates).toBe('lazy');
    expect(JSON.parse(readFileSync(join(out, 'best', 'config.json'), 'utf8')).mts.heads.classification.labels).toEqual([
      'Business',
      'Sports',
    ]);
  });

  it("takes the preset's recipe for what is not given and warns when the run has too few steps", async () => {
    const { dir, model, train, dev } = setup();
    const events: PipelineEvent[] = [];
    const out = join(dir, 'recipe');
    // 32 train rows in batches of 8: 4 optimizer steps; heads-only needs at least 75 and aims for 150.
    const o = {
      train,
      dev,
      model,
      out,
      preset: 'heads-only' as const,
      epochs: 1,
      batchSize: 8,
      device: 'cpu' as const,
    };
    const result = await runPipeline(pipelineOptions({ ...o, threads: 1, checkpointEverySec: 0 }), {
      onEvent: (e) => events.push(e),
    });
    expect(result.recipe).toMatchObject({ lr: 2e-3, lrFromPreset: true, epochs: 1, epochsFromPreset: false });
    expect(result.train.steps).toBe(4);
    const warning =
      'This run takes 4 optimizer steps (1 epoch of 4); "heads-only" needs at least 75 to learn: use 38 epochs, a smaller batch, or more train examples.';
    expect(result.warnings).toEqual([warning]);
    expect(events).toContainEqual({ type: 'warning', message: warning });
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'stage',
        message: expect.stringMatching(/heads-only recipe: lr 2e-3 \(preset\)/),
      }),
    );
    // heads-only: the plan line says what the feature cache takes; the run computes the features once.
    const stage = events.find((e) => e.type === 'stage' && e.stage === 'train');
    expect(stage).toMatchObject({
      message: expect.stringMatching(/frozen encoder: .*cache: \d+\.\d MiB of disk in .*feature-cache/),
    });
    const said = events.flatMap((e) => (e.type === 'train' && e.event.type === 'message' ? [e.event.message] : []));
    expect(said).toEqual([
      expect.stringMatching(/^frozen encoder: computing its features once for 40 examples/),
      expect.stringMatching(/^frozen encoder: computed its features once/),
    ]);
    const kinds = events.flatMap((e) => (e.type === 'train' ? [e.event.type] : []));
    expect(kinds.indexOf('started')).toBeLessThan(kinds.indexOf('message')); // 'started' stays the first event
    const saved = JSON.parse(readFileSync(join(out, 'pipeline.json'), 'utf8'));
    expect(saved.options).toMatchObject({ lr: 2e-3, epochs: 1 });
  });

  it("announces the trainer's own step count for token-balanced NER batches", async () => {
    const { dir, model } = setup();
    // Short and long sentences: NER-only batches close by labelled words, so 40 sentences in batches of 8
    // are not 5 batches, and the plan must say what the trainer will run.
    const sentence = (i: number): string =>
      i % 4 === 0
        ? `Smith B-PER\nsaid O\nthat O\nthe O\nbank O\nin O\nBoston B-LOC\nwill O\nopen O\nten O\nmore O\nbranches O\nsoon O\n. O\n`
        : `Jones B-PER\nwon O\n. O\n`;
    const conll = (n: number): string => Array.from({ length: n }, (_, i) => sentence(i)).join('\n');
    const train = join(dir, 'ner-train.txt');
    const dev = join(dir, 'ner-dev.txt');
    writeFileSync(train, conll(40));
    writeFileSync(dev, conll(8));
    const result = await run({
      nerTrain: train,
      nerDev: dev,
      model,
      out: join(dir, 'ner-steps'),
      epochs: 1,
      batchSize: 8,
      lr: 1e-3,
      device: 'cpu',
      threads: 1,
      checkpointEverySec: 0,
    });
    expect(result.recipe.totalSteps).not.toBe(5);
    expect(result.recipe.totalSteps).toBe(result.train.steps);
  });

  it('refuses bad input with file:line and the fix', async () => {
    const { dir, model, train, dev } = setup();
    const out = join(dir, 'run');
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'label,text\nSports,"unterminated quote\n');
    await expect(run({ train: bad, dev, model, out })).rejects.toThrow(/bad\.csv:2.*|bad\.csv/);
    expect(() => pipelineOptions({ train, dev, model, out, epochs: 0, bogus: 1 } as PipelineOptionsInput)).toThrow(
      expect.objectContaining({
        code: 'invalid_input',
        issues: [expect.stringMatching(/^epochs/), expect.stringMatching(/bogus/)],
      }),
    );
    const otherDev = join(dir, 'other.csv');
    writeFileSync(otherDev, 'label,text\nWeather,"Rain today."\n');
    await expect(run({ train, dev: otherDev, model, out })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/shares no class labels/),
    });
    const mixedDev = join(dir, 'mixed.csv');
    writeFileSync(mixedDev, 'label,text\nSports,"A game."\nWeather,"Rain today."\n');
    await expect(run({ train, dev: mixedDev, model, out })).rejects.toThrow(/"Weather" that never occur/);
    const notBert = join(dir, 'not-bert');
    mkdirSync(notBert);
    writeFileSync(join(notBert, 'config.json'), JSON.stringify({ model_type: 'gpt2' }));
    await expect(run({ train, dev, model: notBert, out })).rejects.toThrow(/model_type|BERT/i);
    await expect(run({ train, dev, model, out, preset: 'frozen', device: 'cpu' })).rejects.toThrow(/trains nothing/);
  });

  describe('tasks follow the data', () => {
    const SENTENCES = [
      [
        ['John', 'B-PER'],
        ['Smith', 'I-PER'],
        ['visited', 'O'],
        ['Boston', 'B-LOC'],
        ['.', 'O'],
      ],
      [
        ['Shares', 'O'],
        ['of', 'O'],
        ['Acme', 'B-ORG'],
        ['fell', 'O'],
        ['.', 'O'],
      ],
      [
        ['The', 'O'],
        ['team', 'O'],
        ['won', 'O'],
        ['in', 'O'],
        ['Paris', 'B-LOC'],
        ['.', 'O'],
      ],
    ];
    const conll = (n: number): string =>
      Array.from({ length: n }, (_, i) =>
        SENTENCES[i % SENTENCES.length]!.map(([w, t]) => `${w} ${t}`).join('\n'),
      ).join('\n\n') + '\n';
    const quick = { epochs: 1, batchSize: 8, lr: 1e-3, device: 'cpu' as const, threads: 1, checkpointEverySec: 0 };

    it('trains NER alone on --ner-train/--ner-dev, on their gold tags', async () => {
      const { dir, model } = setup();
      writeFileSync(join(dir, 'ner-train.txt'), conll(24));
      writeFileSync(join(dir, 'ner-dev.txt'), conll(6));
      const result = await run({
        nerTrain: join(dir, 'ner-train.txt'),
        nerDev: join(dir, 'ner-dev.txt'),
        model,
        out: join(dir, 'r'),
        ...quick,
      });
      expect(result.classLabels).toEqual([]);
      expect(result.nerTypes).toEqual(['LOC', 'ORG', 'PER']);
      expect(result.data.labelSources).toEqual({
        ner: { kind: 'gold', train: join(dir, 'ner-train.txt'), dev: join(dir, 'ner-dev.txt') },
      });
      expect(result.data.silver).toBeUndefined();
      expect(result.train.best.metrics?.classification).toBeUndefined();
      expect(result.train.best.metrics?.ner).toBeDefined();
    });

    it('trains NER on the gold tags of a CoNLL --train file, never silver labels over them', async () => {
      const { dir, model } = setup();
      writeFileSync(join(dir, 'train.txt'), conll(24));
      writeFileSync(join(dir, 'dev.txt'), conll(6));
      const events: PipelineEvent[] = [];
      const result = await runPipeline(
        pipelineOptions({
          train: join(dir, 'train.txt'),
          dev: join(dir, 'dev.txt'),
          model,
          out: join(dir, 'r'),
          ...quick,
        }),
        { onEvent: (e) => events.push(e) },
      );
      expect(result.data.labelSources.ner).toMatchObject({ kind: 'gold' });
      expect(result.data.labelSources.classification).toBeUndefined();
      expect(result.data.silver).toBeUndefined();
      expect(events.some((e) => e.type === 'stage' && e.stage === 'label')).toBe(false);
      expect(result.nerTypes).toEqual(['LOC', 'ORG', 'PER']);
    });

    it('trains classification only with --no-ner, and says where each task came from', async () => {
      const { dir, model, train, dev } = setup();
      const result = await run({ train, dev, model, out: join(dir, 'r'), ner: 'none', ...quick });
      expect(result.nerTypes).toEqual([]);
      expect(result.data.labelSources).toEqual({ classification: { kind: 'gold', train, dev } });
      expect(result.train.best.metrics?.ner).toBeUndefined();
    });

    it('refuses inputs that train nothing or mix two NER sources', async () => {
      const { dir, model, train, dev } = setup();
      writeFileSync(join(dir, 'train.txt'), conll(6));
      const out = join(dir, 'r');
      await expect(run({ model, out })).rejects.toThrow(/nothing to train on/);
      await expect(run({ train, model, out })).rejects.toThrow(/--train and --dev go together/);
      await expect(run({ train, dev, nerTrain: join(dir, 'train.txt'), model, out })).rejects.toThrow(
        /--ner-train needs --ner-dev/,
      );
      await expect(
        run({
          train: join(dir, 'train.txt'),
          dev: join(dir, 'train.txt'),
          nerTrain: join(dir, 'train.txt'),
          nerDev: join(dir, 'train.txt'),
          model,
          out,
        }),
      ).rejects.toThrow(/already carries NER tags/);
    });
  });
});

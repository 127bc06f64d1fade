import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateLabeler, silverLabeler } from '../../data/silver';
import { readLabelledFile } from './read';
import { readTasks, type TaskInputs } from './tasks';
import { compareWithTeacher, formatTeacherComparison } from './teacher-score';

// Gold CoNLL (IOB2) sentences: PER, LOC, ORG and MISC, as CoNLL-2003 names them.
const GOLD = [
  'John B-PER\nSmith I-PER\nvisited O\nBoston B-LOC\n. O',
  'Shares O\nof O\nAcme B-ORG\nCorp I-ORG\nfell O\n. O',
  'Danish B-MISC\ncheese O\nsold O\nin O\nOslo B-LOC\n. O',
  'Peter B-PER\nBlackburn I-PER\nsaid O\nin O\nGermany B-LOC\nat O\nthe O\nWorld B-MISC\nCup I-MISC\n. O',
];
const TEXTS = [
  'Mary Jones met officials in Paris on Monday.',
  'Shares of Globex Corp rose 5 percent.',
  'The bank said profit rose to $3 billion.',
  'Tom Brown scored twice as the team won in Boston.',
];

function files(dev: string): { dir: string; train: string; dev: string; labelled: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mts-tasks-'));
  const train = join(dir, 'texts.csv');
  writeFileSync(train, ['text', ...Array.from({ length: 12 }, (_, i) => `"${TEXTS[i % TEXTS.length]}"`)].join('\n'));
  const labelled = join(dir, 'labelled.csv');
  writeFileSync(labelled, ['label,text', ...TEXTS.map((t, i) => `${i % 2 ? 'Sports' : 'Business'},"${t}"`)].join('\n'));
  writeFileSync(join(dir, 'dev.txt'), `${dev}\n`);
  return { dir, train, dev: join(dir, 'dev.txt'), labelled };
}

const inputs = (train: string, dev: string): TaskInputs => ({
  train,
  dev,
  ner: 'silver',
  skipBadRows: false,
  limit: 0,
  devLimit: 0,
});

async function read(
  train: string,
  dev: string,
): Promise<{ tasks: Awaited<ReturnType<typeof readTasks>>; said: string[] }> {
  const said: string[] = [];
  const tasks = await readTasks(inputs(train, dev), (_stage, message) => said.push(message));
  return { tasks, said };
}

describe('readTasks: silver train, gold dev', () => {
  it("keeps the dev's gold tags over the labeler's types, drops the rest and says so", async () => {
    const f = files(GOLD.join('\n\n'));
    const { tasks, said } = await read(f.train, f.dev);
    const gold = (await readLabelledFile(f.dev)).items;
    expect(tasks.nerTypes).toEqual(['PER', 'ORG', 'LOC']);
    // The dev's own spans, MISC gone (2 spans); the train texts got silver labels of the same types only.
    expect(tasks.mainDev.map((e) => e.spans)).toEqual(gold.map((e) => e.spans!.filter((s) => s.type !== 'MISC')));
    expect(tasks.mainDev.flatMap((e) => e.spans ?? [])).toHaveLength(6);
    expect(tasks.mainTrain.flatMap((e) => e.spans ?? []).every((s) => ['PER', 'ORG', 'LOC'].includes(s.type))).toBe(
      true,
    );
    expect(tasks.silver!.perType['PER']).toBeGreaterThan(0);
    expect(tasks.sources.ner).toEqual({
      kind: 'silver-train-gold-dev',
      labeler: 'silver@1',
      train: f.train,
      dev: f.dev,
      droppedDevSpans: { MISC: 2 },
    });
    const goldSaid = said.filter((m) => m.includes('carries gold NER tags'));
    expect(goldSaid).toHaveLength(1);
    expect(goldSaid[0]).toMatch(
      /over PER, ORG, LOC .*dropped from dev, as silver@1 cannot produce them: MISC \(2 spans\)/,
    );
  });

  it('scores the labeler on the same gold dev exactly as evaluateLabeler scores the file', async () => {
    const f = files(GOLD.join('\n\n'));
    const { tasks } = await read(f.train, f.dev);
    const types = ['PER', 'ORG', 'LOC'];
    const byFile = await evaluateLabeler(f.dev, silverLabeler({ types }), types);
    expect(tasks.teacher).toEqual({
      labeler: 'silver@1',
      dev: f.dev,
      types,
      sentences: 4,
      words: byFile.words,
      scores: byFile.scores,
    });
    expect(byFile.scores.micro.support).toBe(6);
    expect(byFile.scores.micro.f1).toBeGreaterThan(0);
  });

  it('trains only the types both the labeler and the gold dev name', async () => {
    const f = files('Anna B-PER\nleft O\non O\nMonday B-DATE\n. O\n\nDanish B-MISC\ncheese O');
    const { tasks } = await read(f.train, f.dev);
    expect(tasks.nerTypes).toEqual(['PER', 'DATE']);
    expect(tasks.sources.ner).toMatchObject({ droppedDevSpans: { MISC: 1 } });
    expect(tasks.teacher!.types).toEqual(['PER', 'DATE']);
  });

  it('refuses a gold dev that shares no type with the labeler, naming both lists', async () => {
    const misc = files('Danish B-MISC\ncheese O\n\nWorld B-MISC\nCup I-MISC');
    await expect(read(misc.train, misc.dev)).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(
        /dev\.txt carries gold NER tags but names entity types MISC, and the silver labeler silver@1 .* makes only PER, ORG, LOC, DATE, MONEY: no type in common.*Give a dev file tagged with some of/,
      ),
    });
    const allO = files('The O\nend O\n. O');
    await expect(read(allO.train, allO.dev)).rejects.toThrow(/names no entity types/);
  });

  it('refuses class labels in train with an NER-only gold dev (the classifier could not be scored)', async () => {
    const f = files(GOLD.join('\n\n'));
    await expect(read(f.labelled, f.dev)).rejects.toThrow(/has class labels but .*dev\.txt has none/);
  });

  it('multi-task: class labels in train and a span-JSONL dev with class labels and gold spans', async () => {
    const f = files('');
    const dev = join(f.dir, 'dev.jsonl');
    const row = (label: string, text: string, spans: [number, number, string][]): string =>
      JSON.stringify({ text, label, spans: spans.map(([start, end, type]) => ({ start, end, label: type })) });
    writeFileSync(
      dev,
      [
        row('Business', 'Acme Corp opened in Lyon.', [
          [0, 9, 'ORG'],
          [19, 23, 'LOC'],
        ]),
        row('Sports', 'The Tour de France ended.', [[4, 18, 'EVENT']]),
      ].join('\n'),
    );
    const { tasks } = await read(f.labelled, dev);
    expect(tasks.classLabels).toEqual(['Business', 'Sports']);
    expect(tasks.nerTypes).toEqual(['ORG', 'LOC']);
    expect(tasks.mainDev.map((e) => [e.label, e.spans?.map((s) => s.type)])).toEqual([
      ['Business', ['ORG', 'LOC']],
      ['Sports', []],
    ]);
    expect(tasks.sources).toMatchObject({
      classification: { kind: 'gold' },
      ner: { kind: 'silver-train-gold-dev', droppedDevSpans: { EVENT: 1 } },
    });
    expect(tasks.teacher!.scores.micro.support).toBe(2);
  });

  it('a dev without NER tags is still silver-labelled, with no teacher score', async () => {
    const f = files(GOLD[0]!);
    const { tasks } = await read(f.train, f.train);
    expect(tasks.sources.ner).toMatchObject({ kind: 'silver' });
    expect(tasks.teacher).toBeUndefined();
    expect(tasks.nerTypes).toEqual(['PER', 'ORG', 'LOC', 'DATE', 'MONEY']);
  });
});

describe('compareWithTeacher', () => {
  const teacher = {
    labeler: 'silver@1',
    dev: 'dev.txt',
    types: ['PER'],
    sentences: 2,
    words: 9,
    scores: {
      micro: { precision: 0.8, recall: 0.6, f1: 0.6857, support: 5 },
      perType: { PER: { precision: 0.8, recall: 0.6, f1: 0.6857, support: 5 } },
      macroF1: 0.6857,
    },
  };
  const ner = {
    precision: 0.9,
    recall: 0.7,
    f1: 0.7875,
    perType: [{ type: 'PER', precision: 0.9, recall: 0.7, f1: 0.7875, support: 5 }],
  };

  it("puts the run's best NER F1 beside the labeler's, in points", () => {
    const c = compareWithTeacher(teacher, { metric: 'ner.f1', value: 0.7875, step: 12, metrics: { ner } });
    expect(c.student).toEqual({ f1: 0.7875, step: 12, perType: { PER: 0.7875 } });
    expect(c.studentMinusLabelerPoints).toBeCloseTo(10.18, 6);
    // Multi-task: the best checkpoint is picked by accuracy; its NER F1 is the one compared.
    const mt = compareWithTeacher(teacher, {
      metric: 'classification.accuracy',
      value: 0.9,
      step: 3,
      metrics: { ner },
    });
    expect(mt.student.f1).toBe(0.7875);
    const none = compareWithTeacher(teacher, { metric: 'ner.f1', value: null, step: 0 });
    expect(none.studentMinusLabelerPoints).toBeNull();
    expect(formatTeacherComparison(c).split('\n').slice(1)).toEqual([
      '  type       P      R     F1  support run F1',
      '  PER     80.0   60.0   68.6        5   78.8',
      '  micro   80.0   60.0   68.6        5   78.8',
      "  Run's best dev NER F1 78.75 (step 12) vs labeler 68.57: student - labeler = +10.18 points.",
    ]);
    expect(formatTeacherComparison(none)).toMatch(/type +P +R +F1 +support\n.*\n.*\n {2}No NER F1 of the run's best/);
  });
});

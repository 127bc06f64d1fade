import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateLabeler, silverLabeler } from '../../data/silver';
import { writeTinyBert } from '../../engine/model/testing';
import { runCli } from '../run-cli';
import { capturedEnv } from '../testing';
import { parseDuration } from './pipeline';

describe('mts pipeline', () => {
  it("uses the preset's recipe and prints the too-few-steps warning the Train screen shows", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-cli-pipe-'));
    const model = writeTinyBert(join(dir, 'model'), { layers: 1, hidden: 16, heads: 2, intermediate: 32, seed: 2 }).dir;
    const rows = (n: number): string =>
      [
        'label,text',
        ...Array.from({ length: n }, (_, i) => `${i % 2 ? 'Sports' : 'Business'},"Text number ${i}."`),
      ].join('\n');
    writeFileSync(join(dir, 'train.csv'), rows(16));
    writeFileSync(join(dir, 'dev.csv'), rows(4));
    const { value: env, out, err } = capturedEnv({ rendererDir: dir });
    const args = ['pipeline', '--train', join(dir, 'train.csv'), '--dev', join(dir, 'dev.csv'), '--model', model];
    const opts = ['--preset', 'full', '--batch-size', '8', '--max-steps', '3', '--no-ner', '--device', 'cpu'];
    opts.push('--embedding-updates', 'dense');
    const code = await runCli([...args, ...opts, '--out', join(dir, 'run'), '--checkpoint-every', '0'], env);
    expect(code).toBe(0);
    // 16 rows / 8 = 2 steps an epoch; the full recipe's epochs are capped by --max-steps 3.
    expect(err.join('\n')).toMatch(
      /full recipe: lr 5e-5 \(preset\), \d+ epochs \(preset\) x 2 steps = 3 optimizer steps/,
    );
    const warning = /This run takes 3 optimizer steps \(max steps 3\); "full" needs at least 50 to learn/;
    expect(err.join('\n')).toMatch(new RegExp(`warning: ${warning.source}`));
    expect(out.join('\n')).toMatch(new RegExp(`Warning: ${warning.source}`));
    const config = JSON.parse(readFileSync(join(dir, 'run', 'trainer-config.json'), 'utf8')) as Record<string, unknown>;
    expect(config['embeddingUpdates']).toBe('dense');
    expect(err.join('\n')).toMatch(/evaluating on 4, best checkpoint by classification\.accuracy;/);

    // Classification only: a metric of the NER head is refused before training, with what to choose.
    const { value: refusedEnv, err: refused } = capturedEnv({ rendererDir: dir });
    const again = await runCli(
      [...args, ...opts, '--select-metric', 'ner.f1', '--out', join(dir, 'refused'), '--checkpoint-every', '0'],
      refusedEnv,
    );
    expect(again).not.toBe(0);
    expect(refused.join('\n')).toMatch(
      /cannot be picked by ner\.f1: it scores the ner head, which this run does not train \(it trains classification\)\. Choose auto, classification\.accuracy, classification\.macroF1\./,
    );
    expect(refused.join('\n')).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
  }, 60_000);

  it('--feature-cache: heads-only computes the frozen encoder once and says what the cache takes; off does not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-cli-cache-'));
    const model = writeTinyBert(join(dir, 'model'), { layers: 1, hidden: 16, heads: 2, intermediate: 32, seed: 2 }).dir;
    const rows = [
      'label,text',
      ...Array.from({ length: 8 }, (_, i) => `${i % 2 ? 'Sports' : 'Business'},"Text ${i}."`),
    ];
    writeFileSync(join(dir, 'train.csv'), rows.join('\n'));
    const stderrOf = async (mode: string): Promise<{ code: number; err: string }> => {
      const { value: env, err } = capturedEnv({ rendererDir: dir });
      const args = ['pipeline', '--train', join(dir, 'train.csv'), '--dev', join(dir, 'train.csv'), '--model', model];
      const opts = ['--preset', 'heads-only', '--epochs', '1', '--no-ner', '--device', 'cpu', '--feature-cache', mode];
      const code = await runCli([...args, ...opts, '--out', join(dir, mode), '--checkpoint-every', '0'], env);
      return { code, err: err.join('\n') };
    };
    const on = await stderrOf('on');
    expect(on.code).toBe(0);
    expect(on.err).toMatch(/\[train\] .*frozen encoder: its features are computed once .*cache: \d+\.\d MiB of disk/);
    expect(on.err).toMatch(/frozen encoder: computed its features once/);
    const off = await stderrOf('off');
    expect(off.code).toBe(0);
    expect(off.err).not.toMatch(/frozen encoder/);
    expect((await stderrOf('always')).code).not.toBe(0);
  }, 60_000);
});

describe('mts pipeline: learned task weights and confidence-aware silver labels', () => {
  it('trains with --task-weighting uncertainty and --silver-min-confidence, and reports both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-cli-mtl-'));
    const model = writeTinyBert(join(dir, 'model'), { layers: 1, hidden: 16, heads: 2, intermediate: 32, seed: 2 }).dir;
    const texts = [
      'Shares of Acme Corp rose in Tokyo on Monday.',
      'Zorblat scored twice as the team won in Boston.',
      'The bank said profit rose to $3 billion.',
      'Officials met in Paris on Friday.',
    ];
    const rows = (n: number): string =>
      ['label,text', ...Array.from({ length: n }, (_, i) => `${i % 2 ? 'Sports' : 'Business'},"${texts[i % 4]}"`)].join(
        '\n',
      );
    writeFileSync(join(dir, 'train.csv'), rows(16));
    writeFileSync(join(dir, 'dev.csv'), rows(4));
    const { value: env, out, err } = capturedEnv({ rendererDir: dir });
    const args = ['pipeline', '--train', join(dir, 'train.csv'), '--dev', join(dir, 'dev.csv'), '--model', model];
    const opts = ['--batch-size', '8', '--max-steps', '2', '--device', 'cpu', '--checkpoint-every', '0'];
    const mtl = ['--task-weighting', 'uncertainty', '--task-weight-lr', '0.05', '--silver-min-confidence', '0.5'];
    const code = await runCli([...args, ...opts, ...mtl, '--out', join(dir, 'run')], env);
    expect(code, err.join('\n')).toBe(0);
    const text = out.join('\n');
    // 'Zorblat' (a name-like word the rules leave O) is ignored in the 4 train rows that hold it.
    expect(text).toMatch(/Silver confidence: labels below 0\.5 ignored \(\d+ train spans, 4 unsure words\)/);
    expect(text).toMatch(
      /Learned task weights \(uncertainty weighting, exp\(-s\)\): classification \d\.\d{3}, ner \d\.\d{3}/,
    );
    // Both heads train: the kept checkpoint is the one with the best mean of accuracy and entity F1.
    expect(text).toMatch(/Best tasks\.mean \(mean of accuracy and entity F1\) = \d+\.\d{2} at step \d/);
    const saved = JSON.parse(readFileSync(join(dir, 'run', 'pipeline.json'), 'utf8'));
    expect(saved.options).toMatchObject({ taskWeighting: 'uncertainty', taskWeightLr: 0.05, silverMinConfidence: 0.5 });
    expect(saved.data.silver.weighting).toMatchObject({ minConfidence: 0.5, weights: 'ignore', unsureWords: 4 });
    expect(Object.keys(saved.learnedTaskWeights)).toEqual(['classification', 'ner']);
    const trainer = JSON.parse(readFileSync(join(dir, 'run', 'trainer-config.json'), 'utf8'));
    expect(trainer).toMatchObject({ taskWeighting: 'uncertainty', taskWeightLr: 0.05 });

    const bad = await runCli([...args, '--task-weighting', 'gradnorm', '--out', join(dir, 'bad')], env);
    expect(bad).not.toBe(0);
    expect(err.join('\n')).toMatch(
      /--task-weighting: .*'fixed' \| 'uncertainty'|--task-weighting: .*fixed.*uncertainty/,
    );
  }, 60_000);
});

describe('mts pipeline: silver train, gold dev (the student beside its teacher)', () => {
  it("scores the run on the dev's gold tags and prints the labeler's score there beside the run's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-cli-teacher-'));
    const model = writeTinyBert(join(dir, 'model'), { layers: 1, hidden: 16, heads: 2, intermediate: 32, seed: 2 }).dir;
    const texts = ['Mary Jones met officials in Paris.', 'Shares of Globex Corp rose in Tokyo.'];
    writeFileSync(
      join(dir, 'texts.csv'),
      ['text', ...Array.from({ length: 16 }, (_, i) => `"${texts[i % 2]}"`)].join('\n'),
    );
    const gold = [
      'John B-PER\nSmith I-PER\nvisited O\nBoston B-LOC\n. O',
      'Shares O\nof O\nAcme B-ORG\nCorp I-ORG\nfell O\n. O',
      'Danish B-MISC\ncheese O\nsold O\nin O\nOslo B-LOC\n. O',
    ];
    writeFileSync(join(dir, 'valid.txt'), `${gold.join('\n\n')}\n`);
    const { value: env, out, err } = capturedEnv({ rendererDir: dir });
    const args = ['pipeline', '--train', join(dir, 'texts.csv'), '--dev', join(dir, 'valid.txt'), '--model', model];
    const opts = ['--batch-size', '8', '--max-steps', '2', '--device', 'cpu', '--checkpoint-every', '0'];
    const code = await runCli([...args, ...opts, '--out', join(dir, 'run')], env);
    expect(code, err.join('\n')).toBe(0);
    expect(err.join('\n')).toMatch(/\[label\] .*valid\.txt carries gold NER tags: .*MISC \(1 span\)/);
    const saved = JSON.parse(readFileSync(join(dir, 'run', 'pipeline.json'), 'utf8'));
    expect(saved.nerTypes).toEqual(['PER', 'ORG', 'LOC']);
    expect(saved.data.labelSources.ner).toMatchObject({ kind: 'silver-train-gold-dev', droppedDevSpans: { MISC: 1 } });
    const types = ['PER', 'ORG', 'LOC'];
    const byFile = await evaluateLabeler(join(dir, 'valid.txt'), silverLabeler({ types }), types);
    const t = saved.teacher;
    expect(t.labeler.scores).toEqual(byFile.scores);
    expect(t.student.f1).toBeTypeOf('number');
    expect(t.studentMinusLabelerPoints).toBeCloseTo(100 * (t.student.f1 - byFile.scores.micro.f1), 9);
    const text = out.join('\n');
    expect(text).toMatch(
      /Tasks: classification not trained; NER silver \(silver@1\) over .*texts\.csv, scored on the gold tags of .*valid\.txt \(MISC \(1 span\) dropped/,
    );
    expect(text).toMatch(/Teacher vs student on gold .*valid\.txt \(PER, ORG, LOC; 3 sentences, 17 words\)/);
    const pct = (x: number): string => (100 * x).toFixed(1);
    const m = byFile.scores.micro;
    expect(text).toMatch(
      new RegExp(`micro +${pct(m.precision)} +${pct(m.recall)} +${pct(m.f1)} +4 +${pct(t.student.f1)}`),
    );
    const diff = t.studentMinusLabelerPoints as number;
    expect(text).toContain(
      `Run's best dev NER F1 ${(100 * t.student.f1).toFixed(2)} (step ${t.student.step}) vs labeler ${(100 * m.f1).toFixed(2)}: student - labeler = ${diff >= 0 ? '+' : ''}${diff.toFixed(2)} points.`,
    );
  }, 60_000);
});

describe('parseDuration (--checkpoint-every)', () => {
  it('reads seconds, minutes and hours, and 0 for off', () => {
    expect(parseDuration('5m')).toBe(300);
    expect(parseDuration('30s')).toBe(30);
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration('1.5h')).toBe(5400);
    expect(parseDuration('0')).toBe(0);
  });

  it('refuses what is not a duration', () => {
    for (const bad of ['', 'm', '5 minutes', '-1m', '5d']) expect(parseDuration(bad)).toBeNull();
  });
});

describe('mts pipeline --self-train N', () => {
  it('runs the rounds, prints each round and the final pick, and refuses what it cannot do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-cli-selftrain-'));
    const tiny = { layers: 1, hidden: 32, heads: 2, intermediate: 64, seed: 2 };
    const model = writeTinyBert(join(dir, 'model'), tiny).dir;
    const texts = ['John Smith said Microsoft shares rose in Paris.', 'George Bush met officials of Google in London.'];
    writeFileSync(
      join(dir, 'texts.csv'),
      ['text', ...Array.from({ length: 16 }, (_, i) => `"${texts[i % 2]}"`)].join('\n'),
    );
    writeFileSync(join(dir, 'valid.txt'), 'John B-PER\nSmith I-PER\nvisited O\nParis B-LOC\n. O\n');
    const { value: env, out, err } = capturedEnv({ rendererDir: dir });
    const args = ['pipeline', '--train', join(dir, 'texts.csv'), '--dev', join(dir, 'valid.txt'), '--model', model];
    const opts = ['--batch-size', '8', '--epochs', '2', '--lr', '1e-2', '--device', 'cpu', '--checkpoint-every', '0'];
    const run = join(dir, 'run');
    const code = await runCli([...args, ...opts, '--self-train', '1', '--out', run], env);
    expect(code, err.join('\n')).toBe(0);
    const stderr = err.join('\n');
    expect(stderr).toContain(
      `[self-train] self-training round 0 of 1: training on the silver labels (silver@1) in ${join(run, 'round-0')}`,
    );
    expect(stderr).toContain("[self-train] self-training round 1 of 1: relabelling 16 texts with round 0's model");
    const text = out.join('\n');
    const saved = JSON.parse(readFileSync(join(run, 'pipeline.json'), 'utf8'));
    const final = saved.selfTraining.final.round as number;
    expect(text).toContain(`Round ${final} (the final model of self-training):`);
    expect(text).toContain("Self-training (1 round after the silver run; dev NER F1 on the dev's gold labels):");
    expect(text).toMatch(
      / {2}round 0: silver labels \(silver@1, \d+ spans\): F1 \d+\.\d\d \((LOC|PER) \d+\.\d, (LOC|PER) \d+\.\d\), [+-]\d+\.\d\d points vs the labeler {2}.*round-0/,
    );
    expect(text).toMatch(
      / {2}round 1: round 0's predictions \(\d+ spans\): F1 \d+\.\d\d \((LOC|PER) \d+\.\d, (LOC|PER) \d+\.\d\), [+-]\d+\.\d\d points vs the labeler {2}.*round-1/,
    );
    expect(text).toContain(`Final: ${saved.selfTraining.final.reason}`);
    expect(saved.selfTraining.final.reason).toMatch(new RegExp(`^round ${final} `));
    // The report above the rounds is the final round's: its NER labels came from the model (1) or the labeler (0).
    expect(text).toMatch(
      final === 1
        ? /NER round 0's model's predictions over .*texts\.csv \(self-training round 1\), scored on the gold labels of .*valid\.txt/
        : /NER silver \(silver@1\) over .*texts\.csv, scored on the gold tags of .*valid\.txt/,
    );
    expect(text).toContain(`Saved: ${run} (round-<r>/ run folders; best/ and metrics.json are round ${final}'s`);

    const refused = async (extra: readonly string[]): Promise<string> => {
      err.length = 0;
      const c = await runCli([...args, ...opts, ...extra, '--out', join(dir, 'bad')], env);
      expect(c).not.toBe(0);
      return err.join('\n');
    };
    expect(await refused(['--self-train', '6'])).toMatch(/--self-train: at most 5 rounds/);
    expect(await refused(['--self-train=-1'])).toMatch(/--self-train: expected a number of rounds from 0 to 5/);
    expect(await refused(['--self-train', '1', '--resume'])).toMatch(/--resume with --self-train is not supported yet/);
    writeFileSync(join(dir, 'gold.txt'), 'Anna B-PER\nsang O\n. O\n');
    const gold = ['--train', join(dir, 'gold.txt'), '--dev', join(dir, 'valid.txt'), '--self-train', '1'];
    err.length = 0;
    const c = await runCli(['pipeline', '--model', model, ...opts, ...gold, '--out', join(dir, 'bad')], env);
    expect(c).not.toBe(0);
    expect(err.join('\n')).toMatch(/--self-train 1 relabels silver NER .*gold tags/);
  }, 120_000);
});

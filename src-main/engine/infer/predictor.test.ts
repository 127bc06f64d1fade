import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BatchFeeds } from './ports';
import { Predictor } from './predictor';
import { idForward, TINY_LABELS, tinyTokenizer } from './testing';
import type { PredictionOk, TextPrediction } from './types';

const tok = tinyTokenizer();

function ok(p: TextPrediction | undefined): PredictionOk {
  if (!p || !p.ok) throw new Error(`expected a prediction, got ${JSON.stringify(p)}`);
  return p;
}

const SAMPLES = [
  'John Smith lives in Paris.',
  'The Bank of France said on Monday',
  'apple inc and new york',
  'Johns lived in New York, the bank said!',
  'a',
];

describe('Predictor', () => {
  it('returns results in input order, independent of batch size and length sorting', async () => {
    const calls: BatchFeeds[] = [];
    const batched = await new Predictor(tok, idForward(calls), TINY_LABELS, { batchSize: 2, embeddings: true }).predict(
      SAMPLES,
    );
    const single = await Promise.all(
      SAMPLES.map((t) => new Predictor(tok, idForward(), TINY_LABELS, { embeddings: true }).predict([t])),
    );
    expect(batched).toEqual(single.map((r) => r[0]));
    // Sorted by length: each batch is padded only to its own longest row, and rows come shortest first.
    expect(calls.map((c) => c.batch)).toEqual([2, 2, 1]);
    expect(calls[0]!.seq).toBeLessThan(calls[2]!.seq);
    // Embedding [sum of ids, token count]: the 'a' row has 3 tokens ([CLS] a [SEP]).
    expect(Array.from(ok(batched[4]).embedding!)).toEqual([2 + tok.tokenToId('a')! + 3, 3]);
  });

  it('keeps up to inFlight forwards pending and gives the same results whatever order they return in', async () => {
    const base = idForward();
    let pending = 0;
    let most = 0;
    let call = 0;
    // Later calls return sooner, so batches finish out of order.
    const slow: typeof base = async (feeds, want) => {
      pending++;
      most = Math.max(most, pending);
      const delay = 12 - 4 * (call++ % 3);
      await new Promise((r) => setTimeout(r, delay));
      pending--;
      return base(feeds, want);
    };
    const texts = [...SAMPLES, ...SAMPLES.map((t) => `${t} again`)];
    const sequential = await new Predictor(tok, idForward(), TINY_LABELS, { batchSize: 2 }).predict(texts);
    const lanes = await new Predictor(tok, slow, TINY_LABELS, { batchSize: 2, inFlight: 3 }).predict(texts);
    expect(lanes).toEqual(sequential);
    expect(most).toBe(3);
    expect(() => new Predictor(tok, base, TINY_LABELS, { inFlight: 0 })).toThrow(/inFlight 0 must be a whole number/);
  });

  it('stops sending batches once one fails: the call rejects with its error and the other lanes stop', async () => {
    const base = idForward();
    let calls = 0;
    const failing: typeof base = async (feeds, want) => {
      const call = calls++;
      await new Promise((r) => setTimeout(r, 5));
      if (call === 1) throw new Error('batch 1 failed in a worker');
      return base(feeds, want);
    };
    const texts = Array.from({ length: 40 }, (_, i) => `${SAMPLES[i % SAMPLES.length]!} ${i}`);
    const predictor = new Predictor(tok, failing, TINY_LABELS, { batchSize: 1, inFlight: 3 });
    await expect(predictor.predict(texts)).rejects.toThrow('batch 1 failed in a worker');
    const atReject = calls;
    await new Promise((r) => setTimeout(r, 50));
    // Only the batches already in flight when batch 1 failed ran, not the 40 the call had planned.
    expect(calls).toBe(atReject);
    expect(calls).toBeLessThanOrEqual(4);
  });

  it('gives class probabilities that sum to 1 with the arg-max label, and entities over whole words', async () => {
    const [r] = await new Predictor(tok, idForward(), TINY_LABELS).predict(['John Smiths lives in Paris.']);
    const p = ok(r);
    expect(p.classProbs.map((c) => c.label)).toEqual(TINY_LABELS.classification);
    expect(p.classProbs.reduce((a, c) => a + c.prob, 0)).toBeCloseTo(1, 6);
    expect(p.label).toBe(p.classProbs.reduce((a, b) => (b.prob > a.prob ? b : a)).label);
    expect(p.truncated).toBe(false);
    for (const e of p.entities) {
      expect(e.text).toBe('John Smiths lives in Paris.'.slice(e.start, e.end));
      expect(e.confidence).toBeGreaterThan(0);
      expect(e.confidence).toBeLessThanOrEqual(1);
    }
    // "Smiths" = smith ##s: a span never ends inside a word.
    expect(p.entities.some((e) => e.text.endsWith('Smith'))).toBe(false);
  });

  it('tags a long text through windows exactly as through one long sequence, and truncates the classifier', async () => {
    const text = Array.from({ length: 60 }, (_, i) => SAMPLES[i % SAMPLES.length]).join(' ');
    const calls: BatchFeeds[] = [];
    const [windowed] = await new Predictor(tok, idForward(calls), TINY_LABELS, { maxLength: 24, stride: 8 }).predict([
      text,
    ]);
    const [whole] = await new Predictor(tok, idForward(), TINY_LABELS, { maxLength: 4096 }).predict([text]);
    const w = ok(windowed);
    expect(w.truncated).toBe(true);
    expect(ok(whole).truncated).toBe(false);
    expect(w.entities).toEqual(ok(whole).entities);
    expect(w.entities.length).toBeGreaterThan(20);
    expect(calls.reduce((a, c) => a + c.batch, 0)).toBeGreaterThan(10);
    // The classifier saw only the first window: same as predicting the truncated prefix's tokens.
    const [short] = await new Predictor(tok, idForward(), TINY_LABELS, { maxLength: 24 }).predict([text]);
    expect(w.classProbs).toEqual(ok(short).classProbs);
  });

  it('turns bad input into per-text errors without failing the other texts', async () => {
    const texts: unknown[] = ['', '   \n\t', 42, null, '\u0000\u0001\u0002', 'x'.repeat(30), 'John in Paris'];
    const out = await new Predictor(tok, idForward(), TINY_LABELS, { maxChars: 20 }).predict(texts);
    expect(out.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'empty',
      'empty',
      'not-a-string',
      'not-a-string',
      'no-tokens',
      'too-long',
      'ok',
    ]);
    for (const r of out) if (!r.ok) expect(r.error.message.length).toBeGreaterThan(20);
  });

  it("reports a tokenizer failure as that text's error only", async () => {
    const flaky = {
      padId: tok.padId,
      encode: (text: string, o: { readonly maxLength?: number }) => {
        if (text.includes('boom')) throw new RangeError('synthetic tokenizer bug');
        return tok.encode(text, o);
      },
      encodeWindows: (text: string, m: number, s: number) => tok.encodeWindows(text, m, s),
    };
    const out = await new Predictor(flaky, idForward(), TINY_LABELS).predict(['John in Paris', 'boom']);
    expect(out[0]!.ok).toBe(true);
    expect(out[1]).toEqual({
      ok: false,
      error: { code: 'tokenizer-failed', message: expect.stringContaining('synthetic tokenizer bug') },
    });
  });

  it('handles emoji/ZWJ, CJK, RTL, combining marks, control chars, lone surrogates and 100,000 chars', async () => {
    const texts = [
      'John 👨‍👩‍👧‍👦 in Paris 👍🏽!',
      '日本 John 日本',
      'שלום John مرحبا Paris',
      'Jóhn Pa\u0301ris e\u0301',
      'John\u0007 in\u200b Paris\u0000',
      'John \ud800 Paris \udc00x',
      'John Smith lives in Paris. '.repeat(3704),
    ];
    const out = await new Predictor(tok, idForward(), TINY_LABELS).predict(texts);
    out.forEach((r, i) => {
      const p = ok(r);
      for (const e of p.entities) expect(texts[i]!.slice(e.start, e.end)).toBe(e.text);
    });
    expect(texts[6]!.length).toBeGreaterThanOrEqual(100_000);
    expect(ok(out[6]).truncated).toBe(true);
    expect(ok(out[6]).entities.length).toBeGreaterThan(3000);
  });

  it('property: every span slices the original text to its entity text, in order and non-overlapping', async () => {
    const predictor = new Predictor(tok, idForward(), TINY_LABELS, { maxLength: 16, stride: 4 });
    const word = fc.oneof(
      fc.constantFrom('John', 'smiths', 'Paris', 'new', 'YORK', 'in', '.', '日本', '👍🏽'),
      fc.string({ unit: 'binary', maxLength: 6 }),
    );
    const text = fc
      .array(word, { maxLength: 40 })
      .chain((ws) => fc.constantFrom(' ', '', '\n').map((sep) => ws.join(sep)));
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 6 }), async (texts) => {
        const out = await predictor.predict(texts);
        expect(out.length).toBe(texts.length);
        out.forEach((r, i) => {
          if (!r.ok) {
            expect(['empty', 'no-tokens']).toContain(r.error.code);
            return;
          }
          let last = 0;
          for (const e of r.entities) {
            expect(e.start).toBeGreaterThanOrEqual(last);
            expect(e.end).toBeGreaterThan(e.start);
            expect(texts[i]!.slice(e.start, e.end)).toBe(e.text);
            last = e.end;
          }
        });
      }),
      { numRuns: 150 },
    );
  });
});

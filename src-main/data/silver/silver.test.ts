import fc from 'fast-check';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SilverSpan } from '../types';
import { composeLabelers, ONTONOTES_SCHEME, resolveOverlaps } from './compose';
import { cleanMatch, compromiseLabeler } from './compromise';
import { dropTitles, trimEdges } from './edges';
import { evaluateLabeler } from './evaluate';
import { gazetteerLabeler } from './gazetteer';
import { entityLabeler, silverLabeler } from './index';
import { newsRulesExplainer, newsRulesLabeler } from './rules';
import { silverSpan, type Labeler } from './types';
import { winkLabeler } from './wink';

const CONLL_VALID = new URL('../../../../shared/data/conll2003/valid.txt', import.meta.url).pathname;

const shown = (text: string, spans: readonly SilverSpan[]): string[] =>
  spans.map((s) => `${s.type}:${text.slice(s.start, s.end)}`);

describe('edge clean-up', () => {
  it('trims quotes, punctuation and possessives but keeps abbreviation dots', () => {
    const t = `"Bill Gates's" Microsoft Corp. (U.S.).`;
    const [a, b] = trimEdges(t, 0, 14);
    expect(t.slice(a, b)).toBe('Bill Gates');
    const [c, d] = trimEdges(t, 15, 30);
    expect(t.slice(c, d)).toBe('Microsoft Corp.');
    const [e, f] = trimEdges(t, 30, 37);
    expect(t.slice(e, f)).toBe('U.S.');
  });

  it('drops leading titles, splits place lists and maps offsets exactly', () => {
    const t = "Chancellor Angela Merkel and President Barack Obama's aide in Wuhan, China.";
    expect(t.slice(dropTitles(t, 0, 24), 24)).toBe('Angela Merkel');
    expect(cleanMatch(t, 'PER', 29, 53).map(([s, e]) => t.slice(s, e))).toEqual(['Barack Obama']);
    expect(cleanMatch(t, 'LOC', 62, 75).map(([s, e]) => t.slice(s, e))).toEqual(['Wuhan', 'China']);
  });
});

describe('compromise labeler', () => {
  it('finds people, places and organisations with cleaned, exact offsets (emoji and double spaces before them)', () => {
    const t = "😀  Chancellor Angela Merkel met Barack Obama's aide in Wuhan, China.";
    const got = shown(t, compromiseLabeler().label(t));
    expect(got).toContain('PER:Angela Merkel');
    expect(got).toContain('PER:Barack Obama');
    expect(got).toContain('LOC:Wuhan');
    expect(got).toContain('LOC:China');
  });
});

describe('wink labeler', () => {
  it('finds dates, times, money, percents and numbers at exact offsets', () => {
    const t = 'Café 😀  on Monday at 10:30 am he paid $3.5 million (12%) for the 3rd time, 1,200 shares.';
    expect(shown(t, winkLabeler().label(t))).toEqual([
      'DATE:Monday',
      'TIME:10:30 am',
      'MONEY:$3.5 million',
      'PERCENT:12%',
      'ORDINAL:3rd',
      'CARDINAL:1,200',
    ]);
  });
});

describe('gazetteer labeler', () => {
  const g = gazetteerLabeler({ name: 'clients', entries: { ORG: ['Acme', 'acme corp'], LOC: ['Springfield'] } });
  it('matches whole tokens only, longest first, case-aware', () => {
    const t = 'ACME CORP and Acme in Springfield, not Acmeville, ACME or springfield; Acme Corp.';
    expect(shown(t, g.label(t))).toEqual(['ORG:ACME CORP', 'ORG:Acme', 'LOC:Springfield', 'ORG:Acme Corp']);
    expect(g.label(t)[0].labeler).toBe('gazetteer:clients@1');
  });

  it('ignores case when asked', () => {
    const t = 'springfield';
    const loose = gazetteerLabeler({ name: 'x', entries: { LOC: ['Springfield'] }, caseSensitive: false });
    expect(shown(t, loose.label(t))).toEqual(['LOC:springfield']);
  });
});

describe('overlap rule and scheme mapping', () => {
  const span = (l: string, s: number, e: number, t: string): SilverSpan => silverSpan(l, s, e, t);
  it('earlier labeler wins, then the longer span, then the leftmost', () => {
    const first = [span('a', 5, 8, 'ORG')];
    const second = [
      span('b', 0, 10, 'PER'),
      span('b', 9, 12, 'LOC'),
      span('b', 11, 14, 'LOC'),
      span('b', 20, 22, 'PER'),
      span('b', 20, 23, 'PER'),
    ];
    expect(resolveOverlaps([first, second]).map((s) => [s.labeler, s.start, s.end])).toEqual([
      ['a', 5, 8],
      ['b', 9, 12],
      ['b', 20, 23],
    ]);
  });

  it('maps types through the scheme, drops null and unlisted types', () => {
    const src: Labeler = {
      id: 'src@1',
      types: ['GPE', 'PERSON', 'NORP', 'DATE'],
      label: () => [
        span('src@1', 0, 1, 'GPE'),
        span('src@1', 2, 3, 'PERSON'),
        span('src@1', 4, 5, 'NORP'),
        span('src@1', 6, 7, 'DATE'),
      ],
    };
    const l = composeLabelers([src], { scheme: { GPE: 'LOC', PERSON: 'PER', NORP: null }, types: ['PER', 'LOC'] });
    expect(l.label('x').map((s) => [s.type, s.labeler])).toEqual([
      ['LOC', 'src@1'],
      ['PER', 'src@1'],
    ]);
    const onto = composeLabelers([src], { scheme: ONTONOTES_SCHEME });
    expect(onto.label('x').map((s) => s.type)).toEqual(['LOC', 'PER', 'DATE']);
  });
});

describe('news rules labeler', () => {
  const rules = newsRulesLabeler();
  it('labels people behind titles, organisations, places, datelines and results lines', () => {
    const t = 'Prime Minister John Howard met officials of the European Union in Brussels on Monday.';
    expect(shown(t, rules.label(t))).toEqual(['PER:John Howard', 'ORG:European Union', 'LOC:Brussels']);
    expect(shown('PARIS 2026-11-27', rules.label('PARIS 2026-11-27'))).toEqual(['LOC:PARIS']);
    const r = 'Leeds 2 Chelsea 1 , Germany 3 Italy 0';
    expect(shown(r, rules.label(r))).toEqual(['ORG:Leeds', 'ORG:Chelsea', 'LOC:Germany', 'LOC:Italy']);
  });

  it('does not take capitalised common words at sentence start or in headlines for names', () => {
    const t = 'Standings after games played on Sunday : Attendance was low .';
    expect(rules.label(t)).toEqual([]);
    const h = 'SOCCER - LATE GOALS GIVE JAPAN WIN OVER SYRIA';
    expect(shown(h, rules.label(h))).toEqual(['LOC:JAPAN', 'LOC:SYRIA']);
  });

  it('says which rule typed each span', () => {
    const out = newsRulesExplainer()('Shares of Acme Corp rose in Tokyo.');
    expect(out.rules).toHaveLength(out.spans.length);
    expect(out.rules[0]).toMatch(/org-ending/);
  });
});

describe('every labeler returns trimmed spans inside the text', () => {
  const word = fc.constantFrom(
    'Angela',
    'Merkel',
    'said',
    '"',
    "'s",
    'in',
    'Paris',
    'on',
    'Monday',
    '$5',
    '12%',
    '😀',
    'e\u0301',
    'U.S.',
    'Corp.',
    ',',
    'THE',
    'BANK',
    'of',
    '東京',
    '3rd',
    '1996-08-30',
    'Mr.',
  );
  const text = fc.array(word, { minLength: 1, maxLength: 14 }).map((ws) => ws.join(' '));
  const labelers = [
    silverLabeler({ gazetteers: [{ name: 'g', entries: { ORG: ['BANK of Paris'] } }] }),
    compromiseLabeler(),
  ];
  it('for random texts with emoji, combining marks and CJK', () => {
    fc.assert(
      fc.property(text, (t) => {
        for (const l of labelers) {
          let last = -1;
          for (const s of l.label(t)) {
            expect(s.start).toBeGreaterThanOrEqual(0);
            expect(s.end).toBeLessThanOrEqual(t.length);
            expect(s.end).toBeGreaterThan(s.start);
            expect(t.slice(s.start, s.end).trim()).toBe(t.slice(s.start, s.end));
            expect(s.source).toBe('silver');
            expect(s.labeler).toMatch(/@\d+$/);
            if (l === labelers[0]) {
              expect(s.start).toBeGreaterThanOrEqual(last); // composed output: sorted, no overlaps
              last = s.end;
            }
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('evaluateLabeler', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mts-silver-'));
  const conll = join(dir, 'gold.conll');
  // A made-up two-sentence corpus (IOB2, with a MISC entity that must count as O).
  writeFileSync(
    conll,
    'Anna B-PER\nSmith I-PER\nvisited O\nOslo B-LOC\n. O\n\nAcme B-ORG\nsold O\nDanish B-MISC\ncheese O\n',
  );
  const gold: Record<string, SilverSpan[]> = {
    'Anna Smith visited Oslo .': [silverSpan('oracle@1', 0, 10, 'PER'), silverSpan('oracle@1', 19, 23, 'LOC')],
    'Acme sold Danish cheese': [silverSpan('oracle@1', 0, 4, 'ORG')],
  };
  const oracle: Labeler = { id: 'oracle@1', types: ['PER', 'LOC', 'ORG'], label: (t) => gold[t] ?? [] };

  it('gives F1 1 to a labeler that returns the gold spans, counting words and sentences', async () => {
    const e = await evaluateLabeler(conll, oracle, ['PER', 'LOC', 'ORG']);
    expect(e.scores.micro.f1).toBe(1);
    expect(e.scores.micro.support).toBe(3);
    expect(e.words).toBe(9);
    expect(e.sentences).toBe(2);
  });

  it('scores partial boundaries as errors', async () => {
    const half: Labeler = {
      id: 'half@1',
      types: ['PER'],
      label: (t) => (t.startsWith('Anna') ? [silverSpan('half@1', 5, 10, 'PER')] : []),
    };
    const e = await evaluateLabeler(conll, half, ['PER', 'LOC', 'ORG']);
    expect(e.scores.micro.precision).toBe(0);
    expect(e.scores.micro.recall).toBe(0);
  });

  it.skipIf(!existsSync(CONLL_VALID))(
    'keeps the PER/LOC/ORG labeler above the 55 F1 target on CoNLL valid (first 600 sentences; needs ../shared)',
    async () => {
      const e = await evaluateLabeler(CONLL_VALID, entityLabeler(), ['PER', 'LOC', 'ORG'], { limit: 600 });
      expect(e.sentences).toBe(600);
      expect(e.scores.micro.f1).toBeGreaterThan(0.55);
    },
  );
});

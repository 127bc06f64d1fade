/** Entity colours (displaCy's palette for the usual types; a stable hue from the name for any other). */
const KNOWN: Readonly<Record<string, string>> = {
  PER: '#aa9cfc',
  ORG: '#7aecec',
  LOC: '#ff9561',
  GPE: '#feca74',
  MISC: '#e4e7d2',
  DATE: '#bfe1d9',
  TIME: '#bfe1d9',
  MONEY: '#e4e7d2',
  PERCENT: '#e4e7d2',
  CARDINAL: '#e4e7d2',
  ORDINAL: '#e4e7d2',
  NORP: '#c887fb',
  PRODUCT: '#bfeeb7',
  EVENT: '#ffeb80',
};

/** The colour of an entity type's marks. */
export function typeColor(type: string): string {
  const known = KNOWN[type];
  if (known !== undefined) return known;
  let hash = 0;
  for (let i = 0; i < type.length; i += 1) hash = (hash * 31 + type.charCodeAt(i)) >>> 0;
  return `hsl(${hash % 360} 70% 78%)`;
}

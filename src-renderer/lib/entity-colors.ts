/**
 * The one entity colour map of every screen (Annotate, Playground, span tables): displaCy's palette where it
 * is distinct, a distinct colour for each other usual type, and a stable hue from the name for any other.
 * The colours are light fills drawn with dark text, so they read the same in the dark theme.
 */
export const ENTITY_COLORS: Readonly<Record<string, string>> = {
  PER: '#aa9cfc',
  ORG: '#7aecec',
  LOC: '#ff9561',
  GPE: '#feca74',
  MISC: '#e4e7d2',
  DATE: '#9de3c8',
  TIME: '#7fb0ff',
  MONEY: '#a5e07a',
  PERCENT: '#f7a8c4',
  CARDINAL: '#d4b896',
  ORDINAL: '#b0c4de',
  NORP: '#d77bf0',
  PRODUCT: '#e0a3ff',
  EVENT: '#fff59d',
};

/** The colour of an entity type's marks, the same on every screen. */
export function entityColor(type: string): string {
  const known = ENTITY_COLORS[type];
  if (known !== undefined) return known;
  let hash = 0;
  for (let i = 0; i < type.length; i += 1) hash = (hash * 31 + type.charCodeAt(i)) >>> 0;
  // The golden angle spreads neighbouring hashes around the wheel.
  return `hsl(${Math.round((hash * 137.508) % 360)} 70% 78%)`;
}

/** The app's screens, in sidebar order. Screens other than About are placeholders until their services land. */
export type RouteId = 'datasets' | 'annotate' | 'train' | 'runs' | 'playground' | 'export' | 'about';

export interface RouteInfo {
  readonly id: RouteId;
  readonly label: string;
  /** One sentence on what the screen is for. */
  readonly purpose: string;
}

export const ROUTES: readonly RouteInfo[] = [
  {
    id: 'datasets',
    label: 'Datasets',
    purpose: 'Import CSV, TSV, JSONL or CoNLL files, map columns and see class and entity counts.',
  },
  {
    id: 'annotate',
    label: 'Annotate',
    purpose: 'Review silver entity spans and class labels, accept or correct them, undo and redo.',
  },
  {
    id: 'train',
    label: 'Train',
    purpose: 'Pick a model folder, a freeze preset and a device, then train both heads with one click.',
  },
  {
    id: 'runs',
    label: 'Runs',
    purpose: 'Compare runs: loss curves, accuracy, macro-F1 and entity F1, with the device actually used.',
  },
  {
    id: 'playground',
    label: 'Playground',
    purpose: 'Paste text and see the predicted class, entity spans and confidences.',
  },
  {
    id: 'export',
    label: 'Export',
    purpose: 'Export the trained model as an ONNX bundle with its tokenizer and labels.',
  },
  { id: 'about', label: 'About this machine', purpose: 'Versions and which execution providers work here.' },
];

const DEFAULT_ROUTE: RouteId = 'datasets';

/** Reads the route from a location hash like `#/about`; unknown hashes go to the default screen. */
export function routeFromHash(hash: string): RouteId {
  const id = hash.replace(/^#\/?/, '').split('?')[0];
  return ROUTES.find((r) => r.id === id)?.id ?? DEFAULT_ROUTE;
}

/** Parameters after the route in a hash like `#/annotate?example=12` (deep links between screens). */
export function hashParams(hash: string): URLSearchParams {
  const q = hash.indexOf('?');
  return new URLSearchParams(q >= 0 ? hash.slice(q + 1) : '');
}

/** A link to one example in the Annotate screen. */
export function annotateLink(exampleId: number): string {
  return `#/annotate?example=${exampleId}`;
}

#!/usr/bin/env node
// Fails (exit 1) on an import cycle anywhere in src-main, src-preload or src-renderer, type-only imports
// included: layers are only layers if no two modules need each other. Part of `npm run lint`; the layer
// direction itself (which folder may import which) is ESLint's no-restricted-imports (eslint.config.js).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOTS = ['src-main', 'src-preload', 'src-renderer'];
const root = path.resolve(import.meta.dirname, '..');
const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function walk(dir, out) {
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (/\.(ts|svelte)$/.test(entry) && !/\.d\.ts$/.test(entry)) out.push(full);
  }
  return out;
}

function resolve(from, spec) {
  const base = path.resolve(path.dirname(from), spec);
  const stripped = base.replace(/\.js$/, '');
  for (const c of [base, `${stripped}.ts`, `${base}.ts`, `${base}.svelte.ts`, path.join(base, 'index.ts')]) {
    if (existsSync(c) && statSync(c).isFile()) return c;
  }
  return null;
}

const files = ROOTS.flatMap((r) => (existsSync(path.join(root, r)) ? walk(path.join(root, r), []) : []));
const edges = new Map();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const deps = new Set();
  for (const m of text.matchAll(IMPORT)) {
    const target = resolve(file, m[1] ?? m[2]);
    if (target) deps.add(target);
  }
  edges.set(file, [...deps]);
}

// Tarjan's strongly connected components: every component of more than one module is a cycle.
let index = 0;
const stack = [];
const info = new Map();
const cycles = [];
function strongConnect(v) {
  info.set(v, { index, low: index, onStack: true });
  index++;
  stack.push(v);
  for (const w of edges.get(v) ?? []) {
    if (!edges.has(w)) continue;
    if (!info.has(w)) {
      strongConnect(w);
      info.get(v).low = Math.min(info.get(v).low, info.get(w).low);
    } else if (info.get(w).onStack) info.get(v).low = Math.min(info.get(v).low, info.get(w).index);
  }
  if (info.get(v).low === info.get(v).index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      info.get(w).onStack = false;
      component.push(path.relative(root, w));
    } while (w !== v);
    if (component.length > 1) cycles.push(component.sort());
  }
}
for (const v of edges.keys()) if (!info.has(v)) strongConnect(v);

if (cycles.length > 0) {
  console.error(
    `check-imports: ${cycles.length} import cycle(s); break each by moving what both sides need into a module both import:`,
  );
  for (const c of cycles) console.error(`  - ${c.join(' <-> ')}`);
  process.exit(1);
}
console.log(`check-imports: ${files.length} modules, no import cycles`);

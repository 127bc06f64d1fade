#!/usr/bin/env node
// Moves TypeScript modules and rewrites every relative import that points at them (and the moved files' own
// relative imports). Usage: node scripts/dev/move-modules.mjs old.ts=new.ts [old2.ts=new2.ts ...]
// Paths are relative to the repository root; `git mv` does the move so history follows the file.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = process.cwd();
const moves = new Map(
  process.argv.slice(2).map((arg) => {
    const [from, to] = arg.split('=');
    return [path.resolve(root, from), path.resolve(root, to)];
  }),
);
const stripExt = (p) => p.replace(/\.(ts|mts|js|mjs)$/, '');

function resolveSpecifier(fromFile, spec) {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts'), base.replace(/\.js$/, '.ts')]) {
    if (moves.has(candidate)) return candidate;
    if (existsSync(candidate) && !candidate.endsWith(path.sep)) {
      try {
        if (readFileSync(candidate) && !candidate.endsWith('/')) return candidate;
      } catch {
        /* a directory */
      }
    }
  }
  return null;
}

function relativeSpecifier(fromFile, target, originalSpec) {
  let rel = path.relative(path.dirname(fromFile), target);
  if (!rel.startsWith('.')) rel = `./${rel}`;
  if (originalSpec.endsWith('.js')) return rel.replace(/\.ts$/, '.js');
  if (/\.(ts|mjs)$/.test(originalSpec)) return rel;
  rel = stripExt(rel);
  if (rel.endsWith('/index') && !/\/index(\.ts)?$/.test(originalSpec)) rel = rel.slice(0, -'/index'.length);
  return rel;
}

const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { encoding: 'utf8' })
  .split('\n')
  .filter((f) => /\.(ts|mts|mjs|svelte)$/.test(f) && existsSync(f))
  .map((f) => path.resolve(root, f));

const SPEC = /((?:from|import|import\(|vi\.mock\(|require\()\s*)(['"])(\.{1,2}\/[^'"]+)\2/g;
const rewrites = new Map();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const newLocation = moves.get(file) ?? file;
  let changed = false;
  const next = text.replace(SPEC, (whole, lead, quote, spec) => {
    const target = resolveSpecifier(file, spec);
    if (target === null) return whole;
    const mapped = moves.get(target) ?? target;
    if (mapped === target && newLocation === file) return whole;
    const rel = relativeSpecifier(newLocation, mapped, spec);
    if (rel === spec) return whole;
    changed = true;
    return `${lead}${quote}${rel}${quote}`;
  });
  if (changed) rewrites.set(file, next);
}
for (const [from, to] of moves) {
  mkdirSync(path.dirname(to), { recursive: true });
  execFileSync('git', ['mv', path.relative(root, from), path.relative(root, to)]);
}
for (const [file, text] of rewrites) writeFileSync(moves.get(file) ?? file, text);
console.log(`moved ${moves.size} file(s), rewrote imports in ${rewrites.size} file(s)`);

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = path.join(import.meta.dirname, 'contract');
const files = readdirSync(dir).filter((name) => name.endsWith('.ts'));

/** The source without comments, so documentation that mentions `import` does not count. */
function code(file: string): string {
  const source = readFileSync(path.join(dir, file), 'utf8');
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
}

describe('src-preload/contract/', () => {
  it('has the per-feature files and their index', () => {
    expect(files).toContain('index.ts');
    expect(files).toContain('core.ts');
  });

  it.each(files)(
    '%s imports only sibling contract files, type-only, so every layer can depend on it without pulling code along',
    (file) => {
      const text = code(file);
      expect(text).not.toMatch(/\brequire\s*\(/);
      expect(text).not.toMatch(/\bimport\s*\(/);
      expect(text).not.toMatch(/^\s*import\s*['"]/m);
      const statements = [...text.matchAll(/^\s*(import|export)\b([^;]*?)\bfrom\s*['"]([^'"]+)['"]/gm)];
      for (const [statement, , clause, specifier] of statements) {
        expect(clause, statement).toMatch(/^\s*type\b/);
        expect(specifier, statement).toMatch(/^\.\/[a-z-]+$/);
        expect(existsSync(path.join(dir, `${specifier}.ts`)), statement).toBe(true);
      }
      // Every import is one of the statements checked above (no `import x = require(...)` or the like).
      const imports = text.match(/^\s*import\b/gm) ?? [];
      expect(imports.length).toBe(statements.filter(([, kind]) => kind === 'import').length);
    },
  );

  it.each(files)('%s starts with a one-line comment and stays under 400 lines', (file) => {
    const lines = readFileSync(path.join(dir, file), 'utf8').split('\n');
    expect(lines[0]).toMatch(/^\/\/ \S/);
    expect(lines.length).toBeLessThanOrEqual(400);
  });
});

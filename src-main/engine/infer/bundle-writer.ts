import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { ExportPathError } from './errors';

/**
 * Writes a bundle into a hidden temp folder beside `outDir` and moves it into place only on commit(), so a
 * failed export (parity check, disk full) leaves no half-written bundle and an existing one untouched.
 * Every file name is checked to stay inside the bundle.
 */
export class BundleWriter {
  readonly outDir: string;
  readonly tempDir: string;
  private readonly written: string[] = [];
  private done = false;

  constructor(outDir: string, overwrite: boolean) {
    this.outDir = resolve(outDir);
    const parent = dirname(this.outDir);
    if (!existsSync(parent))
      throw new ExportPathError(`The folder ${parent} does not exist; create it or choose another output folder.`);
    if (existsSync(this.outDir)) {
      const st = lstatSync(this.outDir);
      if (!st.isDirectory() || st.isSymbolicLink()) {
        throw new ExportPathError(`${this.outDir} exists and is not a plain folder; choose a new folder name.`);
      }
      if (!overwrite)
        throw new ExportPathError(
          `${this.outDir} already exists; choose a new folder or pass overwrite: true to replace it.`,
        );
    }
    this.tempDir = join(parent, `.${basename(this.outDir)}.tmp-${randomBytes(4).toString('hex')}`);
    mkdirSync(this.tempDir);
  }

  /** Absolute temp path of a bundle-relative file, refusing names that would leave the bundle. */
  pathOf(rel: string): string {
    const clean = normalize(rel);
    if (
      rel === '' ||
      isAbsolute(rel) ||
      clean.startsWith('..') ||
      clean.split(sep).includes('..') ||
      rel.includes('\0')
    ) {
      throw new ExportPathError(
        `Refusing to write '${rel}': bundle file names must be relative paths inside the output folder.`,
      );
    }
    const full = resolve(this.tempDir, clean);
    const back = relative(this.tempDir, full);
    if (back === '' || back.startsWith('..') || isAbsolute(back)) {
      throw new ExportPathError(`Refusing to write '${rel}': it resolves outside the output folder.`);
    }
    return full;
  }

  /** Writes one file (creating its folders) inside the bundle. */
  write(rel: string, data: string | Uint8Array): void {
    if (this.done) throw new ExportPathError('The bundle was already committed or aborted; start a new export.');
    const full = this.pathOf(rel);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, data);
    this.written.push(normalize(rel));
  }

  /** Bundle-relative names written so far. */
  get files(): readonly string[] {
    return this.written;
  }

  /** Moves the finished bundle to outDir (replacing an old one only after the new one is complete). */
  commit(): void {
    this.done = true;
    if (!existsSync(this.outDir)) {
      renameSync(this.tempDir, this.outDir);
      return;
    }
    const old = `${this.tempDir}.old`;
    renameSync(this.outDir, old);
    try {
      renameSync(this.tempDir, this.outDir);
    } catch (e) {
      renameSync(old, this.outDir);
      throw e;
    }
    rmSync(old, { recursive: true, force: true });
  }

  /** Deletes the temp folder; outDir is left as it was. */
  abort(): void {
    this.done = true;
    rmSync(this.tempDir, { recursive: true, force: true });
  }
}

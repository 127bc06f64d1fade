import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
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
  private readonly copied: { name: string; target: string; reason: string }[] = [];
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

  /**
   * Makes `rel` the same file as the already written `target`: a hard link (one copy on disk), or a copy when
   * the filesystem refuses links (FAT/exFAT, some network shares); copies are listed in `copies`.
   */
  link(rel: string, target: string): void {
    if (this.done) throw new ExportPathError('The bundle was already committed or aborted; start a new export.');
    const full = this.pathOf(rel);
    const from = this.pathOf(target);
    mkdirSync(dirname(full), { recursive: true });
    try {
      linkSync(from, full);
    } catch (e) {
      copyFileSync(from, full);
      this.copied.push({
        name: normalize(rel),
        target: normalize(target),
        reason: (e as NodeJS.ErrnoException).code ?? String(e),
      });
    }
    this.written.push(normalize(rel));
  }

  /** Files `link` had to copy because hard links were refused. */
  get copies(): readonly { readonly name: string; readonly target: string; readonly reason: string }[] {
    return this.copied;
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

/** A bundle file as it is on disk; `sameAs` names the first listed file it is a hard link of (no bytes of its own). */
export interface BundleFileOnDisk {
  readonly name: string;
  readonly bytes: number;
  readonly sameAs?: string;
}

/** Sizes of the bundle's files, hard links recognised by device and inode so shared bytes count once. */
export function filesOnDisk(dir: string, names: readonly string[]): BundleFileOnDisk[] {
  const seen = new Map<string, string>();
  return names.map((name) => {
    const st = statSync(join(dir, name), { bigint: true });
    const key = `${st.dev}:${st.ino}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, name);
    return { name, bytes: Number(st.size), ...(first !== undefined && { sameAs: first }) };
  });
}

/** Bytes the files take on disk, each hard-linked file counted once. */
export function uniqueBytes(files: readonly BundleFileOnDisk[]): number {
  return files.reduce((n, f) => n + (f.sameAs === undefined ? f.bytes : 0), 0);
}

/** A file that cannot be imported at all; the message reads "path:line: problem. Fix: how". */
export class ImportError extends Error {
  override readonly name = 'ImportError';
  constructor(
    readonly path: string,
    readonly line: number | null,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${line === null ? path : `${path}:${line}`}: ${problem}. Fix: ${fix}`);
  }
}

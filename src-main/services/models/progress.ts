/** Progress of a pull, for a progress bar with speed and time left. */
export interface PullProgress {
  readonly file: string;
  readonly doneBytes: number;
  readonly totalBytes: number;
  /** Transfer rate over the last few seconds (bytes already on disk before the pull do not count). */
  readonly bytesPerSec: number;
  /** Seconds left at that rate; null until there is a rate. */
  readonly etaSec: number | null;
}

const REPORT_MS = 200;
const WINDOW_MS = 3000;

/** Counts a pull's bytes and reports at most every 200 ms (and always the last byte). */
export class ProgressMeter {
  private done = 0;
  private lastReport = -Infinity;
  // (time, bytes transferred so far) samples of the last few seconds, for the rate.
  private readonly samples: { t: number; bytes: number }[] = [];
  private transferred = 0;

  constructor(
    private readonly total: number,
    private readonly onProgress: ((p: PullProgress) => void) | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.samples.push({ t: this.now(), bytes: 0 });
  }

  /** A transfer is about to start: until the first byte, the rate is timed from now, not from the pull's start. */
  begin(): void {
    if (this.transferred === 0) this.samples.splice(0, this.samples.length, { t: this.now(), bytes: 0 });
  }

  /** Bytes that were already there (cached, or kept from an interrupted pull). */
  skip(file: string, bytes: number): void {
    this.done += bytes;
    this.report(file);
  }

  /** Bytes that just arrived. */
  add(file: string, bytes: number): void {
    this.done += bytes;
    this.transferred += bytes;
    this.report(file);
  }

  private report(file: string): void {
    const t = this.now();
    if (this.onProgress === undefined || (t - this.lastReport < REPORT_MS && this.done < this.total)) return;
    this.lastReport = t;
    this.samples.push({ t, bytes: this.transferred });
    while (this.samples.length > 2 && t - this.samples[1]!.t > WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    const seconds = (t - first.t) / 1000;
    const bytesPerSec = seconds > 0 ? (this.transferred - first.bytes) / seconds : 0;
    const left = this.total - this.done;
    this.onProgress({
      file,
      doneBytes: this.done,
      totalBytes: this.total,
      bytesPerSec,
      etaSec: left <= 0 ? 0 : bytesPerSec > 0 ? left / bytesPerSec : null,
    });
  }
}
